// Exporting and importing a model's weights in any of the formats: the formats, their metadata, their checks.
import { WorkbenchError } from '../api/errors.ts';
import type { RunSpec } from '../api/types.ts';
import type { WeightSpec } from '../models/cell.ts';
import type { ModelShape, WeightValues } from '../models/model.ts';
import {
  FORMAT_TAG,
  WEIGHT_FORMATS,
  type WeightFile,
  type WeightFormat,
  type WeightFormatName,
} from './format.ts';
import { npzFormat } from './npz.ts';
import { safetensorsFormat } from './safetensors.ts';
import { tfjsFormat } from './tfjs.ts';
import { exportTensors, importTensors, type ExportFile } from './tensors.ts';

export const FORMATS: Readonly<Record<WeightFormatName, WeightFormat>> = {
  safetensors: safetensorsFormat,
  npz: npzFormat,
  tfjs: tfjsFormat,
};

export function getFormat(name: string): WeightFormat {
  if (!(WEIGHT_FORMATS as readonly string[]).includes(name))
    throw new WorkbenchError(
      'invalid_input',
      `unknown export format '${name}' (choose one of ${WEIGHT_FORMATS.join(', ')})`,
    );
  return FORMATS[name as WeightFormatName];
}

/**
 * The metadata every export carries (safetensors `__metadata__`, the npz's `__metadata__` array, TF.js
 * `userDefinedMetadata`): the run's configuration, every value a string (JSON for the configs), enough to rebuild
 * the model (arch, arch_config, input_dim, output_dim, every) and to know where it came from.
 */
export function exportMetadata(m: {
  spec: RunSpec;
  runId: string;
  step: number;
  shape: ModelShape;
  appVersion: string;
}): Record<string, string> {
  return {
    format: FORMAT_TAG,
    arch: m.spec.arch,
    arch_config: JSON.stringify(m.spec.archConfig),
    task: m.spec.task,
    task_config: JSON.stringify(m.spec.taskConfig),
    train_config: JSON.stringify(m.spec.trainConfig),
    seed: String(m.spec.seed),
    step: String(m.step),
    run_id: m.runId,
    input_dim: String(m.shape.inputDim),
    output_dim: String(m.shape.outputDim),
    every: String(m.shape.every),
    app_version: m.appVersion,
  };
}

/** The files of `weights` (a model's, `specs` in order) in `format`, named from `base`. */
export function writeWeights(
  format: WeightFormat,
  specs: readonly WeightSpec[],
  weights: Readonly<Record<string, WeightValues>>,
  metadata: Record<string, string>,
  base: string,
): ExportFile[] {
  return format.encode({ tensors: exportTensors(specs, weights, format.complex), metadata }, base);
}

/** Which format `files` are in, by content: an .npz is a zip, TF.js has a model.json manifest, else safetensors. */
export function formatOf(files: readonly ExportFile[]): WeightFormat {
  if (files.length === 0) throw new WorkbenchError('invalid_input', 'no weight file given');
  return [npzFormat, tfjsFormat].find((f) => f.recognises(files)) ?? safetensorsFormat;
}

/** Decode weight files of any format (refusing malformed ones with a message that names `what`). */
export function readWeightFile(
  files: readonly ExportFile[],
  what: string,
): WeightFile & { format: WeightFormatName } {
  const format = formatOf(files);
  return { ...format.decode(files, what), format: format.name };
}

/**
 * A model's weights from weight files: decoded, then checked against the architecture (`specs` of `arch` with the
 * run's config) — every tensor present with its shape, nothing foreign.
 */
export function weightsFromFiles(
  files: readonly ExportFile[],
  specs: readonly WeightSpec[],
  arch: string,
  what: string,
): { weights: Record<string, WeightValues>; metadata: Record<string, string>; format: WeightFormatName } {
  const file = readWeightFile(files, what);
  return {
    weights: importTensors(specs, file.tensors, what, arch),
    metadata: file.metadata,
    format: file.format,
  };
}
