// Diagnostic vectors of a run (‖∂L/∂h_t‖, ‖h_t‖ over t at a training step): stored as float64 blobs, NaN/Inf kept.
import { WorkbenchError } from '../api/errors.ts';
import { requireRun } from './runs.ts';
import { inWriteTransaction, stmt } from './statements.ts';
import type { Db } from './statements.ts';

/** One diagnostic vector of a run at a training step. */
export interface DiagnosticRow {
  kind: string;
  step: number;
  values: Float64Array;
  wallMs: number;
}

function encode(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(8 * values.length);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat64(8 * i, values[i]!, true);
  return out;
}

function decode(data: Uint8Array): Float64Array {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return Float64Array.from({ length: data.byteLength / 8 }, (_, i) => dv.getFloat64(8 * i, true));
}

/** Writes diagnostic rows in one transaction (a row at the same run, kind and step is replaced). */
export function recordDiagnostics(db: Db, runId: string, rows: readonly DiagnosticRow[]): void {
  for (const r of rows)
    if (r.kind === '' || !Number.isSafeInteger(r.step) || r.step < 0 || !Number.isFinite(r.wallMs))
      throw new WorkbenchError(
        'invalid_input',
        `diagnostic '${r.kind}' at step ${r.step}: needs a kind, a step ≥ 0 and a finite wall time`,
      );
  inWriteTransaction(db, () => {
    requireRun(db, runId);
    const insert = stmt(
      db,
      'INSERT OR REPLACE INTO diagnostics (run_id, kind, step, n, data, wall_ms) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const r of rows) insert.run(runId, r.kind, r.step, r.values.length, encode(r.values), r.wallMs);
  });
}

/** A run's diagnostic rows (of `kinds`, or all), by kind then step. */
export function readDiagnostics(db: Db, runId: string, kinds?: readonly string[]): DiagnosticRow[] {
  requireRun(db, runId);
  return stmt<{ kind: string; step: number; data: Uint8Array; wall_ms: number }>(
    db,
    'SELECT kind, step, data, wall_ms FROM diagnostics WHERE run_id = ? ORDER BY kind, step',
  )
    .all(runId)
    .filter((r) => !kinds || kinds.includes(r.kind))
    .map((r) => ({ kind: r.kind, step: r.step, values: decode(r.data), wallMs: r.wall_ms }));
}

/** Drops the rows after `step` (resuming redoes them); call inside the truncation's transaction. */
export function deleteDiagnosticsAfter(db: Db, runId: string, step: number): void {
  stmt(db, 'DELETE FROM diagnostics WHERE run_id = ? AND step > ?').run(runId, step);
}
