// The Workbench's data side: registered datasets, the dataset a run trains on, previews, robustness evaluations.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type {
  DatasetPreviewInput,
  ImportDatasetInput,
  RobustnessInput,
  RunSummary,
  StartRunInput,
} from './api/contract.ts';
import { WorkbenchError, type ErrorCode } from './api/errors.ts';
import { resolveConfig } from './api/params.ts';
import type {
  DatasetPreview,
  DatasetRecord,
  DatasetRef,
  RobustnessCurve,
  RunRecord,
  RunSpec,
} from './api/types.ts';
import { evalKey, testKey } from './api/types.ts';
import { reportedTest } from './compare/summarize.ts';
import { launchRunner, type Launcher } from './runner/runner.ts';
import type { Store } from './storage/db.ts';
import { builtinMnist, currentHash, inspectDataset } from './tasks/datasets/catalog.ts';
import { stepsForEpochs } from './tasks/datasets/pipeline.ts';
import { previewOf } from './tasks/preview.ts';
import { getTask, TASKS } from './tasks/registry.ts';
import type { TaskSpec } from './tasks/task.ts';
import { resolveRunSpec } from './training/spec.ts';

/** Names reserved for built-in datasets. */
const BUILTIN: Record<string, () => DatasetRecord> = { mnist: builtinMnist, 'builtin:mnist': builtinMnist };

/** The part of a record a run keeps (RunSpec.dataset). */
export function refOf(d: DatasetRecord): DatasetRef {
  return {
    id: d.id,
    name: d.name,
    format: d.format,
    source: d.source,
    files: d.files,
    sha256: d.sha256,
    options: d.options,
  };
}

export class WorkbenchData {
  private readonly store: Store;
  private readonly dbPath: string;
  private readonly launcher: Launcher;

  constructor(store: Store, dbPath: string, launcher: Launcher) {
    this.store = store;
    this.dbPath = dbPath;
    this.launcher = launcher;
  }

  list(): DatasetRecord[] {
    return [builtinMnist(), ...this.store.listDatasets()];
  }

  /** A dataset by id, name or id prefix; the built-in MNIST by 'mnist'. */
  get(key: string): DatasetRecord {
    const builtin = BUILTIN[key];
    return builtin ? builtin() : this.store.getDataset(key);
  }

  /**
   * Reads and checks every file first (inspectDataset refuses a malformed one, naming it and the problem), then
   * registers the dataset in one INSERT: a refusal leaves nothing registered.
   */
  import(input: ImportDatasetInput): DatasetRecord {
    const draft = inspectDataset(input.path, input.format, input.options ?? {});
    const name = input.name ?? path.basename(draft.source).replace(/\.(npy|npz|csv|tsv|txt)$/i, '');
    if (BUILTIN[name])
      throw new WorkbenchError(
        'conflict',
        `'${name}' names a built-in dataset: choose another name (--name)`,
      );
    const record: DatasetRecord = {
      ...draft,
      id: randomBytes(6).toString('hex'),
      name,
      createdAt: Date.now(),
      builtin: false,
    };
    this.store.insertDataset(record);
    return record;
  }

  delete(key: string): { deleted: string } {
    if (BUILTIN[key]) throw new WorkbenchError('conflict', `'${key}' is built in and cannot be deleted`);
    const d = this.store.getDataset(key);
    this.store.deleteDataset(d.id);
    return { deleted: d.id };
  }

  /**
   * The dataset a run of `task` trains on: the one named (checked to fit the task), else the task's built-in one;
   * undefined for synthetic tasks. Its files are hashed now: a dataset changed since import is refused here.
   */
  datasetFor(
    task: TaskSpec,
    key: string | undefined,
    config: RunSpec['taskConfig'],
  ): DatasetRecord | undefined {
    const needs = task.dataset;
    if (!needs) {
      if (key !== undefined)
        throw new WorkbenchError(
          'invalid_input',
          `task ${task.name} generates its data and takes no dataset`,
        );
      return undefined;
    }
    let d: DatasetRecord;
    if (key !== undefined) d = this.get(key);
    else if (needs.builtin) d = needs.builtin();
    else
      throw new WorkbenchError(
        'invalid_input',
        `task ${task.name} needs a dataset (${needs.formats.join(', ')}): import one with \`rnnwb datasets import PATH\` and pass --dataset NAME`,
      );
    if (!needs.formats.includes(d.format) || !needs.kinds.includes(d.kind))
      throw new WorkbenchError(
        'invalid_input',
        `dataset '${d.name}' (${d.format}, ${d.kind}) does not fit task ${task.name}, which takes ${needs.formats.join('/')} ${needs.kinds.join('/')} data`,
      );
    const problem = needs.check?.(d, config);
    if (problem) throw new WorkbenchError('invalid_input', `dataset '${d.name}': ${problem}`);
    if (!d.builtin) {
      let now: string;
      try {
        now = currentHash(d);
      } catch (err) {
        const e = err as { code?: ErrorCode; message?: string };
        throw new WorkbenchError(
          e.code ?? 'invalid_dataset',
          `dataset '${d.name}' cannot be read: ${e.message ?? String(err)}`,
        );
      }
      if (now !== d.sha256)
        throw new WorkbenchError(
          'dataset_changed',
          `dataset '${d.name}' (${d.id}) changed since it was imported: ${d.source} now hashes to ${now.slice(0, 12)}…, ` +
            `not ${d.sha256.slice(0, 12)}…: import it again as a new dataset to train on the new contents`,
        );
    }
    return d;
  }

  /** resolveRunSpec plus the dataset (recorded with its hash) and an epoch budget turned into steps. */
  resolveSpec(input: StartRunInput, randomSeed: () => number): RunSpec {
    const spec = resolveRunSpec(input, randomSeed);
    const task = getTask(spec.task);
    const d = this.datasetFor(task, input.dataset, spec.taskConfig);
    if (d) spec.dataset = refOf(d);
    if (input.epochs !== undefined) {
      if (input.steps !== undefined)
        throw new WorkbenchError('invalid_input', 'give either steps or epochs, not both');
      const n = task.data(spec.taskConfig, spec.seed, spec.dataset).trainSize;
      if (n === undefined)
        throw new WorkbenchError(
          'invalid_input',
          `task ${task.name} draws fresh data every step: give steps, not epochs`,
        );
      spec.epochs = input.epochs;
      spec.steps = stepsForEpochs(input.epochs, n, spec.trainConfig['batchSize'] as number);
    }
    return spec;
  }

  preview(input: DatasetPreviewInput): DatasetPreview {
    const task = getTask(input.task);
    const config = resolveConfig(task.config, input.set ?? {}, 'task');
    const d = this.datasetFor(task, input.dataset, config);
    return previewOf(task, config, d ? refOf(d) : undefined, input.count ?? 4, d?.stats.classNames ?? null);
  }

  /** The test number of a dataset run under its protocol (null for synthetic tasks). */
  reportedTest(run: RunRecord): RunSummary['test'] {
    const task = TASKS.find((t) => t.name === run.spec.task);
    const protocol = run.spec.taskConfig['testProtocol'];
    if (!task?.dataset || typeof protocol !== 'string') return null;
    const [evalSeries, testSeries] = this.store.readMetrics(run.id, {
      keys: [evalKey(task.metric), testKey(task.metric)],
    });
    const at = reportedTest(
      evalSeries?.key === evalKey(task.metric) ? evalSeries.points : [],
      testSeries?.points ?? (evalSeries?.key === testKey(task.metric) ? evalSeries.points : []),
      protocol,
      task.lowerIsBetter,
    );
    return at ? { metric: testKey(task.metric), value: at.value, step: at.step, protocol } : null;
  }

  /**
   * Evaluates the run's latest checkpoint under a perturbation in a runner process of its own (TF.js never runs in
   * the host), then returns the stored curve. Refused while the run has no checkpoint.
   */
  async robustness(input: RobustnessInput): Promise<RobustnessCurve> {
    const id = this.store.resolveRunId(input.runId);
    if (!this.store.latestCheckpoint(id))
      throw new WorkbenchError('conflict', `run ${id} has no checkpoint yet: nothing trained to evaluate`);
    const handle = launchRunner(this.dbPath, id, 'robustness', () => undefined, this.launcher, [
      JSON.stringify({ ...input, runId: id }),
    ]);
    const { done, code, signal } = await handle.exited;
    if (!done)
      throw new WorkbenchError(
        'internal',
        `robustness evaluation of run ${id} died (${signal ?? `exit code ${code}`})`,
      );
    if (done.status !== 'completed') {
      const m = /^([a-z_]+): ([\s\S]*)$/.exec(done.error ?? '');
      throw new WorkbenchError(
        (m?.[1] as ErrorCode | undefined) ?? 'internal',
        m?.[2] ?? done.error ?? 'failed',
      );
    }
    const curve = this.store.readRobustness([id]).find((c) => c.kind === input.kind);
    if (!curve) throw new WorkbenchError('internal', `robustness evaluation of run ${id} stored no curve`);
    return curve;
  }

  robustnessCurves(runIds: readonly string[]): RobustnessCurve[] {
    return this.store.readRobustness(runIds.map((r) => this.store.resolveRunId(r)));
  }
}
