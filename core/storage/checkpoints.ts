// Checkpoints: serialized training state per (run, step), hashed, of which only the newest few are kept.
import { createHash } from 'node:crypto';
import { WorkbenchError } from '../api/errors.ts';
import type { CheckpointInfo } from '../api/types.ts';
import { requireRun } from './runs.ts';
import { namedStmt, stmt } from './statements.ts';
import type { Db } from './statements.ts';

/** How many checkpoints a run keeps: enough to step back past one written just before a crash, without filling the disk. */
export const CHECKPOINTS_KEPT = 3;

export interface NewCheckpoint {
  step: number;
  data: Uint8Array;
  now: number;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Stores a checkpoint (replacing one at the same step) and drops all but the newest CHECKPOINTS_KEPT; call inside a transaction. */
export function insertCheckpoint(db: Db, runId: string, c: NewCheckpoint): void {
  if (!Number.isSafeInteger(c.step) || c.step < 0)
    throw new WorkbenchError('invalid_input', `a checkpoint step must be an integer ≥ 0, got ${c.step}`);
  stmt(
    db,
    'INSERT OR REPLACE INTO checkpoints (run_id, step, created_at, bytes, sha256, data) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(runId, c.step, c.now, c.data.byteLength, sha256Hex(c.data), c.data);
  namedStmt(
    db,
    `DELETE FROM checkpoints WHERE run_id = @run
       AND step NOT IN (SELECT step FROM checkpoints WHERE run_id = @run ORDER BY step DESC LIMIT @kept)`,
  ).run({ run: runId, kept: CHECKPOINTS_KEPT });
}

/** Drops checkpoints after `step`: they belong to a stretch of the run that truncation discards. */
export function deleteCheckpointsAfter(db: Db, runId: string, step: number): void {
  stmt(db, 'DELETE FROM checkpoints WHERE run_id = ? AND step > ?').run(runId, step);
}

/** The newest checkpoint of a run, its hash verified so a damaged blob never silently seeds a resumed run. */
export function latestCheckpoint(db: Db, runId: string): { step: number; data: Uint8Array } | null {
  requireRun(db, runId);
  const row = stmt<CheckpointRow>(
    db,
    'SELECT step, sha256, data FROM checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1',
  ).get(runId);
  return row ? verified(runId, row) : null;
}

/** The checkpoint of a run at `step` (null when none is kept there), its hash verified as `latestCheckpoint`'s. */
export function checkpointAt(db: Db, runId: string, step: number): { step: number; data: Uint8Array } | null {
  requireRun(db, runId);
  const row = stmt<CheckpointRow>(
    db,
    'SELECT step, sha256, data FROM checkpoints WHERE run_id = ? AND step = ?',
  ).get(runId, step);
  return row ? verified(runId, row) : null;
}

/** A run's checkpoints without their data, oldest first. */
export function listCheckpoints(db: Db, runId: string): CheckpointInfo[] {
  requireRun(db, runId);
  return stmt<{ step: number; created_at: number; bytes: number; sha256: string }>(
    db,
    'SELECT step, created_at, bytes, sha256 FROM checkpoints WHERE run_id = ? ORDER BY step',
  )
    .all(runId)
    .map((r) => ({ step: r.step, createdAt: r.created_at, bytes: r.bytes, sha256: r.sha256 }));
}

/** The columns the checkpoint reads select. */
interface CheckpointRow {
  step: number;
  sha256: string;
  data: Uint8Array;
}

/** A stored checkpoint whose bytes still match their sha256; a damaged one is a bad_database error. */
function verified(runId: string, row: CheckpointRow): { step: number; data: Uint8Array } {
  if (sha256Hex(row.data) !== row.sha256)
    throw new WorkbenchError(
      'bad_database',
      `checkpoint of run '${runId}' at step ${row.step} is damaged (its sha256 does not match)`,
    );
  return { step: row.step, data: row.data };
}
