// WorkbenchApi: the one contract every transport (CLI, HTTP + WebSocket, Electron IPC) and the UI share.
import type { Config, ConfigSchema } from './params.ts';
import type {
  ArchInfo,
  CheckpointInfo,
  DatasetFormat,
  DatasetPreview,
  DatasetRecord,
  ExportResult,
  MetricSeries,
  Perturbation,
  RobustnessCurve,
  RunEvent,
  RunDiagnostics,
  RunRecord,
  RunStatus,
  SpectrumInfo,
  TaskInfo,
} from './types.ts';

export interface StartRunInput {
  arch: string;
  task: string;
  seed?: number;
  steps?: number;
  /** Flat or prefixed (`arch.` / `task.` / `train.`) keys, values typed or as strings. */
  set?: Record<string, string | number | boolean>;
  backend?: string;
  experiment?: string;
  /** Dataset id or name for real-data tasks (sMNIST defaults to the built-in MNIST; CIFAR-10 and seq-* need one). */
  dataset?: string;
  /** Budget in epochs of the task's training split instead of `steps`. */
  epochs?: number;
  /**
   * Start from these weights instead of the seed's initialisation (evaluated at step 0, then trained). When the
   * file is this architecture's export, its architecture config is the default for the run's.
   */
  initFrom?: WeightFilesInput;
}

/** Weight files to start a run from (safetensors, .npz, or TF.js model.json with its shards), bytes in base64. */
export interface WeightFilesInput {
  files: { name: string; base64: string }[];
}

export interface ExportWeightsInput {
  runId: string;
  /** 'safetensors', 'npz' or 'tfjs'. */
  format: string;
  /** The checkpoint step to export (0: the initial weights); default the newest checkpoint. */
  step?: number;
}

export interface SpectrumInput {
  runId: string;
  /** 0: the initial weights; else a stored checkpoint's step; default the newest checkpoint. */
  step?: number;
}

export interface ImportDatasetInput {
  /** A file (.npy, .npz, .csv) or folder (MNIST IDX files, CIFAR-10 binary batches) on this machine. */
  path: string;
  /** Detected from the path when absent. */
  format?: DatasetFormat;
  /** Defaults to the file or folder name. */
  name?: string;
  /** Format options: npy `labels`; npz `xKey`, `yKey`, `lengthsKey`; csv `idColumn`, `timeColumn`,
   * `labelColumn`, `featureColumns` (comma-separated), `delimiter`; npy/npz/csv `kind`. */
  options?: Record<string, string>;
}

export interface DatasetPreviewInput {
  task: string;
  dataset?: string;
  /** Task settings (`permutation`, `pixelScale` …), as in StartRunInput.set without prefixes. */
  set?: Record<string, string | number | boolean>;
  count?: number;
}

export interface RobustnessInput {
  runId: string;
  kind: Perturbation;
  /** Noise levels: σ for gaussian and multiplicative, the corrupted fraction for salt-pepper. */
  levels: number[];
  /** Seed of the perturbations (default 0), so curves of different runs see the same noise. */
  seed?: number;
  /** Evaluate on the first N test examples only (0 or absent: all). */
  limit?: number;
}

export interface ListRunsInput {
  status?: RunStatus;
  arch?: string;
  task?: string;
}

export interface MetricsInput {
  runId: string;
  keys?: string[];
  /** Downsample each series to at most this many points (min/max per bucket). */
  maxPoints?: number;
  fromStep?: number;
  toStep?: number;
}

/** What a new-run form needs beyond the catalogue: the training schema, the backends, the default budget. */
export interface TrainingOptions {
  config: ConfigSchema;
  backends: string[];
  defaultSteps: number;
}

export interface SummarizeInput {
  runIds: string[];
  /** Also report the first step whose main metric reaches this value. */
  threshold?: number;
  /** Also compute the figures that need every stored point (median ms/step, steps to threshold). */
  full?: boolean;
}

/** One run's summary row: its task's main metric (`eval/<metric>`), best and last, budget and speed. */
export interface RunSummary {
  runId: string;
  metric: string;
  lowerIsBetter: boolean;
  best: number | null;
  bestStep: number | null;
  last: number | null;
  lastStep: number | null;
  /** Null when no threshold was asked for, `full` was not set, or the run never reached it. */
  stepsToThreshold: number | null;
  paramCount: number | null;
  /** Median of `train/step_ms` over every step (null unless `full`). */
  medianStepMs: number | null;
  step: number;
  /**
   * Dataset tasks: the test number as the run's protocol reports it (`task.testProtocol`: at the best validation
   * evaluation, or the last), with the step it was measured at; null for other tasks or before any evaluation.
   */
  test?: { metric: string; value: number; step: number; protocol: string } | null;
}

/** Every method takes one object and returns a Promise of plain data. */
export interface WorkbenchApi {
  archs(input: Record<string, never>): Promise<ArchInfo[]>;
  tasks(input: Record<string, never>): Promise<TaskInfo[]>;
  /** Validate and resolve a run's configuration without starting it. */
  resolveRun(
    input: StartRunInput,
  ): Promise<{ arch: Config; task: Config; train: Config; seed: number; steps: number }>;
  startRun(input: StartRunInput): Promise<RunRecord>;
  runs(input: ListRunsInput): Promise<RunRecord[]>;
  run(input: { runId: string }): Promise<RunRecord>;
  metrics(input: MetricsInput): Promise<MetricSeries[]>;
  /**
   * Several `metrics` reads in one call, answered in the order asked (Compare opens 20 runs with one round
   * trip instead of 20 requests queued behind the browser's six connections per host).
   */
  metricsMany(input: { requests: MetricsInput[] }): Promise<MetricSeries[][]>;
  checkpoints(input: { runId: string }): Promise<CheckpointInfo[]>;
  stopRun(input: { runId: string }): Promise<RunRecord>;
  resumeRun(input: { runId: string; steps?: number }): Promise<RunRecord>;
  setTag(input: { runId: string; key: string; value: string | null }): Promise<RunRecord>;
  setNote(input: { runId: string; note: string }): Promise<RunRecord>;
  deleteRun(input: { runId: string }): Promise<{ deleted: string }>;
  trainingOptions(input: Record<string, never>): Promise<TrainingOptions>;
  /** Summary rows of the given runs, computed from their stored series (in the order given). */
  summarize(input: SummarizeInput): Promise<RunSummary[]>;
  /** Parameters per tensor, the gradient-over-time probes, ms per step and peak memory of a run. */
  diagnostics(input: { runId: string }): Promise<RunDiagnostics>;
  /** Eigenvalues and singular values of a run's recurrent matrix at a checkpoint (float64). */
  spectrum(input: SpectrumInput): Promise<SpectrumInfo>;
  /** A run's weights at a checkpoint as safetensors, .npz or TF.js files, with a model card. */
  exportWeights(input: ExportWeightsInput): Promise<ExportResult>;
  /** Imported datasets and the built-in MNIST. */
  datasets(input: Record<string, never>): Promise<DatasetRecord[]>;
  /** Read, check, hash and register a dataset; a malformed file is refused and nothing is registered. */
  importDataset(input: ImportDatasetInput): Promise<DatasetRecord>;
  deleteDataset(input: { datasetId: string }): Promise<{ deleted: string }>;
  /** A few training sequences of a task on a dataset, as the model would see them. */
  datasetPreview(input: DatasetPreviewInput): Promise<DatasetPreview>;
  /** Evaluate a trained run (its latest checkpoint) on its test set under an input perturbation, per level; stored. */
  robustness(input: RobustnessInput): Promise<RobustnessCurve>;
  /** The stored robustness curves of the given runs. */
  robustnessCurves(input: { runIds: string[] }): Promise<RobustnessCurve[]>;
}

export type MethodName = keyof WorkbenchApi;

/** Named events the hosts forward to subscribers. */
export interface WorkbenchEvents {
  run: RunEvent;
}
