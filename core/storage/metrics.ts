// Metric history: batched progress commits (with the rollup), downsampled reads (min/max per bucket) and truncation on resume.
import { WorkbenchError } from '../api/errors.ts';
import type { MetricPoint, MetricSeries } from '../api/types.ts';
import { deleteCheckpointsAfter, insertCheckpoint } from './checkpoints.ts';
import { deleteDiagnosticsAfter } from './diagnostics.ts';
import type { NewCheckpoint } from './checkpoints.ts';
import { encodeValue, toPoint } from './metric-values.ts';
import type { MetricRow } from './metric-values.ts';
import { RollupBatch, truncateRollup } from './rollup.ts';
import { downsampleFromRollup, planRange, rangeStats, rollupFits } from './rollup-read.ts';
import { notFound, requireRun } from './runs.ts';
import { inWriteTransaction, namedStmt, stmt } from './statements.ts';
import type { Db } from './statements.ts';

export interface MetricInput {
  key: string;
  step: number;
  value: number;
  wallMs: number;
}

/** What a runner reports since its last commit: new metric points, maybe a checkpoint, and the time (as heartbeat). */
export interface Progress {
  metrics: MetricInput[];
  checkpoint?: NewCheckpoint | undefined;
  now: number;
}

export interface ReadMetricsOptions {
  /** Keys to read; all keys of the run when absent. */
  keys?: string[] | undefined;
  /** Downsample each series to at most this many points (≥ 2). */
  maxPoints?: number | undefined;
  fromStep?: number | undefined;
  toStep?: number | undefined;
}

function checkMetric(m: MetricInput): void {
  if (typeof m.key !== 'string' || m.key === '')
    throw new WorkbenchError('invalid_input', 'a metric key must be a non-empty string');
  if (!Number.isSafeInteger(m.step) || m.step < 0)
    throw new WorkbenchError(
      'invalid_input',
      `metric '${m.key}': step must be an integer ≥ 0, got ${m.step}`,
    );
  if (typeof m.value !== 'number')
    throw new WorkbenchError('invalid_input', `metric '${m.key}': value must be a number`);
  if (!Number.isFinite(m.wallMs))
    throw new WorkbenchError('invalid_input', `metric '${m.key}': wallMs must be finite`);
}

/**
 * Writes one batch of progress in ONE transaction: metric points (a re-sent step replaces the old point) and
 * their rollup rows, latest_metrics (never moved backwards), runs.step, the heartbeat and optionally a
 * checkpoint. A crash therefore never leaves a checkpoint without the metrics that led to it, or the other way
 * round, nor a rollup that disagrees with the metric rows.
 */
export function commitProgress(db: Db, runId: string, p: Progress): void {
  p.metrics.forEach(checkMetric);
  // The newest point per key in this batch: latest_metrics needs one upsert per key, not per point.
  const newest = new Map<string, MetricInput>();
  for (const m of p.metrics) {
    const seen = newest.get(m.key);
    if (!seen || m.step >= seen.step) newest.set(m.key, m);
  }
  const maxStep = Math.max(0, p.checkpoint?.step ?? 0, ...Array.from(newest.values(), (m) => m.step));
  inWriteTransaction(db, () => {
    const moved = stmt(db, 'UPDATE runs SET step = max(step, ?), heartbeat_at = ? WHERE id = ?').run(
      maxStep,
      p.now,
      runId,
    );
    if (moved.changes === 0) throw notFound(runId);
    // A re-sent step replaces the stored point; its rollup bucket is then rebuilt, since the old point may
    // have been one of its extremes. New points are merged into the rollup per bucket (RollupBatch).
    const insert = stmt(
      db,
      `INSERT INTO metrics (run_id, key, step, value, nonfinite, wall_ms) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, key, step) DO NOTHING`,
    );
    const rollup = new RollupBatch();
    for (const m of p.metrics) {
      const v = encodeValue(m.value);
      if (insert.run(runId, m.key, m.step, v.value, v.nonfinite, m.wallMs).changes === 1)
        rollup.added(m.key, m.step, v.value, v.nonfinite, m.wallMs);
      else {
        stmt(
          db,
          'UPDATE metrics SET value = ?, nonfinite = ?, wall_ms = ? WHERE run_id = ? AND key = ? AND step = ?',
        ).run(v.value, v.nonfinite, m.wallMs, runId, m.key, m.step);
        rollup.replaced(m.key, m.step);
      }
    }
    rollup.flush(db, runId);
    const upsertLatest = stmt(
      db,
      `INSERT INTO latest_metrics (run_id, key, step, value, nonfinite, wall_ms) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, key) DO UPDATE SET step = excluded.step, value = excluded.value,
         nonfinite = excluded.nonfinite, wall_ms = excluded.wall_ms
       WHERE excluded.step >= latest_metrics.step`,
    );
    for (const m of newest.values()) {
      const v = encodeValue(m.value);
      upsertLatest.run(runId, m.key, m.step, v.value, v.nonfinite, m.wallMs);
    }
    if (p.checkpoint) insertCheckpoint(db, runId, p.checkpoint);
  });
}

/** Points of one series between two steps, in step order. */
const RANGE_SQL = `SELECT step, value, nonfinite, wall_ms FROM metrics
  WHERE run_id = ? AND key = ? AND step BETWEEN ? AND ? ORDER BY step`;

/**
 * Min/max downsampling in SQL: the steps [lo, hi] are split into @buckets equal buckets and each bucket keeps
 * its point of least and of greatest value (two GROUP BY passes; SQLite takes the bare columns from the row
 * holding the min() or max(), which is cheaper than sorting for window functions). Non-finite points rank
 * as extremes (-inf lowest, +inf and NaN highest) so a divergence always survives: a bucket holding a NaN
 * shows it in its "max" slot, at the price of that bucket's largest finite value. UNION drops the duplicate
 * when both slots are the same point.
 */
const DOWNSAMPLE_SQL = `WITH pts AS (
    SELECT step, value, nonfinite, wall_ms,
      CASE nonfinite WHEN '-inf' THEN -9e999 WHEN 'inf' THEN 9e999 WHEN 'nan' THEN 9e999 ELSE value END AS rank_value,
      CAST((step - @lo) * @buckets / (@hi - @lo + 1) AS INTEGER) AS bucket
    FROM metrics WHERE run_id = @run AND key = @key AND step BETWEEN @lo AND @hi
  )
  SELECT step, value, nonfinite, wall_ms FROM (SELECT min(rank_value), step, value, nonfinite, wall_ms FROM pts GROUP BY bucket)
  UNION
  SELECT step, value, nonfinite, wall_ms FROM (SELECT max(rank_value), step, value, nonfinite, wall_ms FROM pts GROUP BY bucket)
  ORDER BY step`;

function stepBound(what: string, n: number | undefined, fallback: number): number {
  if (n === undefined) return fallback;
  if (typeof n !== 'number' || Number.isNaN(n))
    throw new WorkbenchError('invalid_input', `${what} must be a number`);
  return n;
}

/**
 * One series per key (all keys of the run when none are given), points in step order with non-finite
 * values restored; `total` counts the stored points in the range (from the rollup's counts). With
 * `maxPoints`, a series with more points than that in the range is downsampled (min/max per bucket), so the
 * points never all cross into JavaScript: a long range from the rollup (downsampleFromRollup), a shorter one
 * exactly from the metric rows in SQL.
 */
export function readMetrics(db: Db, runId: string, opts: ReadMetricsOptions = {}): MetricSeries[] {
  const { maxPoints } = opts;
  if (maxPoints !== undefined && (!Number.isSafeInteger(maxPoints) || maxPoints < 2))
    throw new WorkbenchError('invalid_input', `maxPoints must be an integer ≥ 2, got ${maxPoints}`);
  const from = stepBound('fromStep', opts.fromStep, Number.MIN_SAFE_INTEGER);
  const to = stepBound('toStep', opts.toStep, Number.MAX_SAFE_INTEGER);
  requireRun(db, runId);
  const keys =
    opts.keys ??
    stmt<{ key: string }>(db, 'SELECT key FROM latest_metrics WHERE run_id = ? ORDER BY key')
      .all(runId)
      .map((r) => r.key);
  return keys.map((key) => {
    const plan = planRange(runId, key, from, to);
    const { total, lo, hi } = rangeStats(db, plan);
    const buckets = Math.floor((maxPoints ?? 0) / 2);
    let points: MetricPoint[];
    if (total === 0 || lo === null || hi === null) points = [];
    else if (maxPoints === undefined || total <= maxPoints)
      points = stmt<MetricRow>(db, RANGE_SQL).all(runId, key, from, to).map(toPoint);
    else if (rollupFits(lo, hi, buckets)) points = downsampleFromRollup(db, plan, lo, hi, buckets);
    else
      points = namedStmt<MetricRow>(db, DOWNSAMPLE_SQL)
        .all({ run: runId, key, lo, hi, buckets })
        .map(toPoint);
    return { key, points, total };
  });
}

/**
 * Cuts a run back to `step` so a resumed run continues the same curve from its checkpoint: metrics and
 * checkpoints after it go, the rollup and latest_metrics are rebuilt from what is left and runs.step becomes
 * at most `step` (the step the run resumes from is its last completed one). A negative `step` clears the
 * whole history: a run with no checkpoint restarts from step 0.
 */
export function truncateAfter(db: Db, runId: string, step: number): void {
  if (!Number.isSafeInteger(step))
    throw new WorkbenchError('invalid_input', `truncateAfter: step must be an integer, got ${step}`);
  inWriteTransaction(db, () => {
    requireRun(db, runId);
    stmt(db, 'DELETE FROM metrics WHERE run_id = ? AND step > ?').run(runId, step);
    truncateRollup(db, runId, step);
    deleteCheckpointsAfter(db, runId, step);
    deleteDiagnosticsAfter(db, runId, step);
    stmt(db, 'DELETE FROM latest_metrics WHERE run_id = ?').run(runId);
    // SQLite takes the bare columns of an aggregate query with a single max() from the row holding that max.
    stmt(
      db,
      `INSERT INTO latest_metrics (run_id, key, step, value, nonfinite, wall_ms)
       SELECT run_id, key, max(step), value, nonfinite, wall_ms FROM metrics WHERE run_id = ? GROUP BY key`,
    ).run(runId);
    stmt(db, 'UPDATE runs SET step = max(0, min(step, ?)) WHERE id = ?').run(step, runId);
  });
}
