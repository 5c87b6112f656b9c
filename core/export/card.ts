// The model card written beside every export: what the weights are, how they were trained, how well, by what.
import { createHash } from 'node:crypto';
import type { RunSummary } from '../api/contract.ts';
import type { RunRecord } from '../api/types.ts';
import type { CellSpec, WeightSpec } from '../models/cell.ts';
import { effectiveParamCount } from '../models/cell.ts';
import { countParams, paramTensors } from '../models/model.ts';
import type { WeightFormatName } from './format.ts';
import type { ExportFile } from './tensors.ts';

export const CARD_TAG = 'rnn-workbench-model-card-1';

/** Where the loaders live (a path in the repository) and how each format holds complex weights. */
const LOADER =
  'export/pytorch/rnnwb_torch.py: load_model(path), or read_weights(path) then build_model(...).load_weights';
const COMPLEX_LAYOUT: Record<WeightFormatName, string> = {
  safetensors: 'complex weights as two float32 tensors <name>.real and <name>.imag',
  npz: 'complex weights as complex64 arrays',
  tfjs: 'complex weights as float32 with the last axis [Re | Im] (the workbench layout)',
};

export interface CardInput {
  run: RunRecord;
  cell: CellSpec;
  specs: readonly WeightSpec[];
  step: number;
  format: WeightFormatName;
  files: readonly ExportFile[];
  summary: RunSummary | null;
  /** Versions of the exporting app and libraries (the run's own are in run.env). */
  versions: Record<string, string>;
  /** Hash of the task's dataset files, or null for synthetic tasks drawn from the seed. */
  datasetHash: string | null;
  now: Date;
}

/** The card as plain JSON data. */
export function modelCard(c: CardInput): Record<string, unknown> {
  const { run, cell, specs } = c;
  return {
    format: CARD_TAG,
    created: c.now.toISOString(),
    run: {
      id: run.id,
      experiment: run.experiment,
      status: run.status,
      exportedStep: c.step,
      lastStep: run.step,
      createdAt: new Date(run.createdAt).toISOString(),
      tags: run.tags,
      note: run.note,
    },
    architecture: { name: cell.name, title: cell.title, paper: cell.paper, config: run.spec.archConfig },
    task: {
      name: run.spec.task,
      config: run.spec.taskConfig,
      datasetHash: c.datasetHash,
      dataset:
        c.datasetHash === null ? 'synthetic: drawn from the run seed (no files)' : 'files (hash above)',
      baseline: run.baseline,
    },
    training: { seed: run.spec.seed, steps: run.spec.steps, config: run.spec.trainConfig },
    metrics: {
      latest: Object.fromEntries(
        Object.entries(run.latest).map(([k, p]) => [k, { step: p.step, value: p.value }]),
      ),
      main: c.summary
        ? {
            metric: c.summary.metric,
            lowerIsBetter: c.summary.lowerIsBetter,
            best: c.summary.best,
            bestStep: c.summary.bestStep,
            last: c.summary.last,
            lastStep: c.summary.lastStep,
          }
        : null,
    },
    parameters: {
      stored: countParams(specs),
      effective: effectiveParamCount(specs),
      tensors: paramTensors(specs),
    },
    export: {
      format: c.format,
      complexLayout: COMPLEX_LAYOUT[c.format],
      files: c.files.map((f) => ({
        name: f.name,
        bytes: f.data.length,
        sha256: createHash('sha256').update(f.data).digest('hex'),
      })),
      pytorchLoader: LOADER,
    },
    environment: {
      backend: run.env?.backend ?? null,
      device: run.env?.device ?? null,
      host: run.env?.host ?? null,
      versions: run.env?.versions ?? {},
    },
    exportedBy: c.versions,
  };
}
