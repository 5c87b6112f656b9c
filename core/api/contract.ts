// WorkbenchApi: the one contract every transport (CLI, HTTP + WebSocket, Electron IPC) and the UI share.
import type { Config } from './params.ts';
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
  checkpoints(input: { runId: string }): Promise<CheckpointInfo[]>;
  stopRun(input: { runId: string }): Promise<RunRecord>;
  resumeRun(input: { runId: string; steps?: number }): Promise<RunRecord>;
  setTag(input: { runId: string; key: string; value: string | null }): Promise<RunRecord>;
  setNote(input: { runId: string; note: string }): Promise<RunRecord>;
  deleteRun(input: { runId: string }): Promise<{ deleted: string }>;
}

export type MethodName = keyof WorkbenchApi;

/** Named events the hosts forward to subscribers. */
export interface WorkbenchEvents {
  run: RunEvent;
}
