// WorkbenchApi: the one contract every transport (CLI, HTTP + WebSocket, Electron IPC) and the UI share.
import type { Config, ConfigSchema } from './params.ts';
import type {
  ArchInfo,
  CheckpointInfo,
  MetricSeries,
  RunEvent,
  RunRecord,
  RunStatus,
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
}

export type MethodName = keyof WorkbenchApi;

/** Named events the hosts forward to subscribers. */
export interface WorkbenchEvents {
  run: RunEvent;
}
