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
} as const;

/** Key of a held-out evaluation metric: `eval/mse`, `eval/ce`, `eval/accuracy`. */
export const evalKey = (name: string): string => `eval/${name}`;
export const isEvalKey = (key: string): boolean => key.startsWith('eval/');

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
  | { type: 'checkpoint'; runId: string; step: number };
