// Store: the run database's one object; each method delegates to a storage module under the error guard.
import type {
  CheckpointInfo,
  DatasetRecord,
  MetricSeries,
  RobustnessCurve,
  RunEnvironment,
  RunRecord,
  RunStatus,
} from '../api/types.ts';
import * as checkpoints from './checkpoints.ts';
import * as datasets from './datasets.ts';
import * as robustness from './robustness.ts';
import * as diagnostics from './diagnostics.ts';
import type { DiagnosticRow } from './diagnostics.ts';
import * as metrics from './metrics.ts';
import type { Progress, ReadMetricsOptions } from './metrics.ts';
import { reapDeadRuns } from './reaper.ts';
import * as lifecycle from './run-lifecycle.ts';
import type { RunOwner } from './run-lifecycle.ts';
import * as runs from './runs.ts';
import type { NewRun, RunFilter } from './runs.ts';
import type { Db } from './statements.ts';
import { guarded } from './storage-errors.ts';

/**
 * An open run database. All methods are synchronous (better-sqlite3 is) and throw WorkbenchErrors:
 * not_found for an unknown run, invalid_input, conflict, storage_full and bad_database.
 * Obtain one with openStore() (db.ts), which migrates and reaps dead runs first.
 */
export class Store {
  /** The database file, for messages. */
  readonly path: string;
  readonly #db: Db;

  constructor(db: Db, path: string) {
    this.#db = db;
    this.path = path;
  }

  #guard<T>(fn: (db: Db) => T): T {
    return guarded(this.path, () => fn(this.#db));
  }

  /** Creates a queued run (and its experiment when new) and writes its params once. */
  createRun(r: NewRun): void {
    this.#guard((db) => runs.createRun(db, r));
  }

  getRun(id: string): RunRecord {
    return this.#guard((db) => runs.getRun(db, id));
  }

  /** An exact run id, or the unique id that starts with `prefix` (ambiguous → invalid_input). */
  resolveRunId(prefix: string): string {
    return this.#guard((db) => runs.resolveRunId(db, prefix));
  }

  /** Runs matching the filter, newest first. */
  listRuns(filter: RunFilter = {}): RunRecord[] {
    return this.#guard((db) => runs.listRuns(db, filter));
  }

  /** Marks a run 'running' under `owner` (conflict if another live process owns it). */
  claimRun(id: string, owner: RunOwner): void {
    this.#guard((db) => lifecycle.claimRun(db, id, owner));
  }

  heartbeat(id: string, now: number): void {
    this.#guard((db) => lifecycle.heartbeat(db, id, now));
  }

  requestStop(id: string): void {
    this.#guard((db) => lifecycle.requestStop(db, id));
  }

  isStopRequested(id: string): boolean {
    return this.#guard((db) => lifecycle.isStopRequested(db, id));
  }

  setRunEnv(id: string, env: RunEnvironment, paramCount: number): void {
    this.#guard((db) => lifecycle.setRunEnv(db, id, env, paramCount));
  }

  /** Changes runs.steps and spec.steps; the `steps` param keeps the original budget (params are write-once). */
  setSteps(id: string, steps: number): void {
    this.#guard((db) => lifecycle.setSteps(db, id, steps));
  }

  /** Ends a run in a final status and clears its owner pid. */
  finishRun(id: string, status: RunStatus, error: string | null, now: number): void {
    this.#guard((db) => lifecycle.finishRun(db, id, status, error, now));
  }

  /** Writes a batch of metrics, the heartbeat and optionally a checkpoint in one transaction. */
  commitProgress(runId: string, p: Progress): void {
    this.#guard((db) => metrics.commitProgress(db, runId, p));
  }

  /** Metric series, downsampled to `maxPoints` (min/max per bucket; long ranges from the rollup) when asked. */
  readMetrics(runId: string, opts: ReadMetricsOptions = {}): MetricSeries[] {
    return this.#guard((db) => metrics.readMetrics(db, runId, opts));
  }

  latestCheckpoint(runId: string): { step: number; data: Uint8Array } | null {
    return this.#guard((db) => checkpoints.latestCheckpoint(db, runId));
  }

  /** The checkpoint at `step`, or null when none is kept there. */
  checkpointAt(runId: string, step: number): { step: number; data: Uint8Array } | null {
    return this.#guard((db) => checkpoints.checkpointAt(db, runId, step));
  }

  /** Writes diagnostic vectors (‖∂L/∂h_t‖, ‖h_t‖ over t) in one transaction, replacing rows at the same step. */
  recordDiagnostics(runId: string, rows: readonly DiagnosticRow[]): void {
    this.#guard((db) => diagnostics.recordDiagnostics(db, runId, rows));
  }

  /** A run's diagnostic vectors (of `kinds`, or every kind), by kind then step. */
  readDiagnostics(runId: string, kinds?: readonly string[]): DiagnosticRow[] {
    return this.#guard((db) => diagnostics.readDiagnostics(db, runId, kinds));
  }

  /** The run's checkpoints without their data, oldest first. */
  listCheckpoints(runId: string): CheckpointInfo[] {
    return this.#guard((db) => checkpoints.listCheckpoints(db, runId));
  }

  /** Deletes metrics (and checkpoints, diagnostics) after `step` and rebuilds latest_metrics and runs.step, for resuming. */
  truncateAfter(runId: string, step: number): void {
    this.#guard((db) => metrics.truncateAfter(db, runId, step));
  }

  /** Sets a tag, or deletes it when `value` is null. */
  setTag(runId: string, key: string, value: string | null): void {
    this.#guard((db) => runs.setTag(db, runId, key, value));
  }

  setNote(runId: string, note: string): void {
    this.#guard((db) => runs.setNote(db, runId, note, Date.now()));
  }

  /** Deletes a run and everything recorded about it. */
  deleteRun(runId: string): void {
    this.#guard((db) => runs.deleteRun(db, runId));
  }

  /**
   * Marks runs whose owner process is dead as 'interrupted' and returns their ids. `now` is a parameter
   * so the time rules (15 min local, 24 h remote, 1 min queued) can be tested without waiting.
   */
  reapDeadRuns(isAlive?: (pid: number, host: string) => boolean, now: number = Date.now()): string[] {
    return this.#guard((db) => reapDeadRuns(db, isAlive, now));
  }

  /** Registers an imported dataset (one INSERT: a failure leaves nothing registered). */
  insertDataset(d: DatasetRecord): void {
    this.#guard((db) => datasets.insertDataset(db, d));
  }

  listDatasets(): DatasetRecord[] {
    return this.#guard((db) => datasets.listDatasets(db));
  }

  /** The dataset with this id, name or unique id prefix (not_found otherwise). */
  getDataset(key: string): DatasetRecord {
    return this.#guard((db) => datasets.getDataset(db, key));
  }

  deleteDataset(id: string): void {
    this.#guard((db) => datasets.deleteDataset(db, id));
  }

  /** Stores a robustness curve, replacing the run's earlier one of the same kind. */
  saveRobustness(c: RobustnessCurve): void {
    this.#guard((db) => robustness.saveRobustness(db, c));
  }

  readRobustness(runIds: readonly string[]): RobustnessCurve[] {
    return this.#guard((db) => robustness.readRobustness(db, runIds));
  }

  close(): void {
    this.#guard((db) => db.close());
  }
}
