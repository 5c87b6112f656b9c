// Robustness rows: a run's accuracy and loss against input-perturbation level, per perturbation kind.
import type { Perturbation, RobustnessCurve } from '../api/types.ts';
import { requireRun } from './runs.ts';
import { inWriteTransaction, stmt } from './statements.ts';
import type { Db } from './statements.ts';

interface Row {
  run_id: string;
  kind: Perturbation;
  level: number;
  accuracy: number | null;
  loss: number | null;
  examples: number;
  seed: number;
  step: number;
  created_at: number;
}

/** Stores a curve, replacing the run's earlier curve of the same kind, in one transaction. */
export function saveRobustness(db: Db, c: RobustnessCurve): void {
  inWriteTransaction(db, () => {
    requireRun(db, c.runId);
    stmt(db, 'DELETE FROM robustness WHERE run_id = ? AND kind = ?').run(c.runId, c.kind);
    const insert = stmt(
      db,
      `INSERT INTO robustness (run_id, kind, level_index, level, accuracy, loss, examples, seed, step, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    c.points.forEach((p, i) =>
      insert.run(
        c.runId,
        c.kind,
        i,
        p.level,
        p.accuracy,
        Number.isFinite(p.loss) ? p.loss : null,
        c.examples,
        c.seed,
        c.step,
        c.createdAt,
      ),
    );
  });
}

/** Every stored curve of the runs, by run (in the order given) then kind. */
export function readRobustness(db: Db, runIds: readonly string[]): RobustnessCurve[] {
  const out: RobustnessCurve[] = [];
  for (const runId of runIds) {
    requireRun(db, runId);
    const rows = stmt<Row>(
      db,
      `SELECT run_id, kind, level, accuracy, loss, examples, seed, step, created_at FROM robustness
       WHERE run_id = ? ORDER BY kind, level_index`,
    ).all(runId);
    for (const r of rows) {
      let curve = out.find((c) => c.runId === runId && c.kind === r.kind);
      if (!curve) {
        curve = {
          runId,
          kind: r.kind,
          step: r.step,
          seed: r.seed,
          examples: r.examples,
          createdAt: r.created_at,
          points: [],
        };
        out.push(curve);
      }
      curve.points.push({ level: r.level, accuracy: r.accuracy, loss: r.loss ?? NaN });
    }
  }
  return out;
}
