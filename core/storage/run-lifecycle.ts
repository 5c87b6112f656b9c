// Run lifecycle: a runner claims a run, beats, records its environment, may be asked to stop, and finishes it.
import { WorkbenchError } from '../api/errors.ts';
import { RUN_STATUSES } from '../api/types.ts';
import type { RunEnvironment, RunStatus } from '../api/types.ts';
import { changeRun, nonNegativeInteger, notFound } from './runs.ts';
import { inWriteTransaction, namedStmt, stmt } from './statements.ts';
import type { Db } from './statements.ts';

/** The runner process that executes a run: its liveness decides whether a 'running' run is real. */
export interface RunOwner {
  pid: number;
  host: string;
  now: number;
}

/** Statuses a run can end in; finishRun refuses the others so a run is never left 'running' with no owner. */
const FINAL_STATUSES: readonly RunStatus[] = RUN_STATUSES.filter((s) => s !== 'queued' && s !== 'running');

/**
 * Marks `id` running under `owner`. Refuses (conflict) a run another process is running: two runners
 * writing one run's metrics would interleave two curves. A dead owner is cleared by reapDeadRuns first.
 */
export function claimRun(db: Db, id: string, owner: RunOwner): void {
  if (!Number.isSafeInteger(owner.pid) || owner.pid <= 0 || owner.host === '')
    throw new WorkbenchError(
      'invalid_input',
      `a run owner needs a pid > 0 and a host name, got ${owner.pid}@${owner.host}`,
    );
  inWriteTransaction(db, () => {
    const row = stmt<{ status: RunStatus; owner_pid: number | null; owner_host: string | null }>(
      db,
      'SELECT status, owner_pid, owner_host FROM runs WHERE id = ?',
    ).get(id);
    if (!row) throw notFound(id);
    if (
      row.status === 'running' &&
      row.owner_pid !== null &&
      (row.owner_pid !== owner.pid || row.owner_host !== owner.host)
    )
      throw new WorkbenchError(
        'conflict',
        `run '${id}' is already running in process ${row.owner_pid} on ${row.owner_host ?? '?'}`,
      );
    stmt(
      db,
      `UPDATE runs SET status = 'running', owner_pid = ?, owner_host = ?, heartbeat_at = ?,
         started_at = coalesce(started_at, ?), ended_at = NULL, error = NULL, stop_requested = 0 WHERE id = ?`,
    ).run(owner.pid, owner.host, owner.now, owner.now, id);
  });
}

export function heartbeat(db: Db, id: string, now: number): void {
  changeRun(db, id, 'UPDATE runs SET heartbeat_at = ? WHERE id = ?', now, id);
}

/** Asks the runner to stop; it polls isStopRequested between steps (a message first, a kill only after a grace period). */
export function requestStop(db: Db, id: string): void {
  changeRun(db, id, 'UPDATE runs SET stop_requested = 1 WHERE id = ?', id);
}

export function isStopRequested(db: Db, id: string): boolean {
  const row = stmt<{ stop_requested: number }>(db, 'SELECT stop_requested FROM runs WHERE id = ?').get(id);
  if (!row) throw notFound(id);
  return row.stop_requested === 1;
}

/** Records where the run executes; the backend/device columns copy it so runs can be listed by them. */
export function setRunEnv(db: Db, id: string, env: RunEnvironment, paramCount: number): void {
  nonNegativeInteger('paramCount', paramCount);
  changeRun(
    db,
    id,
    'UPDATE runs SET env = ?, backend = ?, device = ?, param_count = ? WHERE id = ?',
    JSON.stringify(env),
    env.backend,
    env.device,
    paramCount,
    id,
  );
}

/**
 * Changes a run's step budget (a resumed run may extend it): runs.steps and spec.steps change together.
 * The `steps` param keeps the budget the run was created with, since params are write-once by design.
 */
export function setSteps(db: Db, id: string, steps: number): void {
  nonNegativeInteger('steps', steps);
  inWriteTransaction(db, () => {
    const row = stmt<{ step: number }>(db, 'SELECT step FROM runs WHERE id = ?').get(id);
    if (!row) throw notFound(id);
    if (steps < row.step)
      throw new WorkbenchError(
        'invalid_input',
        `run '${id}' has already completed ${row.step} steps; a budget of ${steps} is too small`,
      );
    namedStmt(
      db,
      `UPDATE runs SET steps = CAST(@steps AS INTEGER), spec = json_set(spec, '$.steps', CAST(@steps AS INTEGER)) WHERE id = @id`,
    ).run({ steps, id });
  });
}

/** Ends a run in a final status; clears its owner pid so the reaper leaves it alone. */
export function finishRun(db: Db, id: string, status: RunStatus, error: string | null, now: number): void {
  if (!FINAL_STATUSES.includes(status))
    throw new WorkbenchError(
      'invalid_input',
      `a run cannot finish as '${status}' (one of: ${FINAL_STATUSES.join(', ')})`,
    );
  changeRun(
    db,
    id,
    'UPDATE runs SET status = ?, error = ?, ended_at = ?, owner_pid = NULL WHERE id = ?',
    status,
    error,
    now,
    id,
  );
}
