// Metric history: batched progress commits, downsampled reads (min/max per bucket, in SQL) and truncation on resume.
import { WorkbenchError } from '../api/errors.ts';
import type { MetricPoint, MetricSeries } from '../api/types.ts';
import { deleteCheckpointsAfter, insertCheckpoint } from './checkpoints.ts';
import type { NewCheckpoint } from './checkpoints.ts';
import { encodeValue, toPoint } from './metric-values.ts';
import type { MetricRow } from './metric-values.ts';
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
 * Writes one batch of progress in ONE transaction: metric points (a re-sent step replaces the old point),
 * latest_metrics (never moved backwards), runs.step, the heartbeat and optionally a checkpoint. A crash
 * therefore never leaves a checkpoint without the metrics that led to it, or the other way round.
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
    const insert = stmt(
      db,
      'INSERT OR REPLACE INTO metrics (run_id, key, step, value, nonfinite, wall_ms) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const m of p.metrics) {
      const v = encodeValue(m.value);
      insert.run(runId, m.key, m.step, v.value, v.nonfinite, m.wallMs);
    }
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
 * values restored. With `maxPoints`, a series with more points than that in the range is downsampled in
 * SQL, so the points never all cross into JavaScript; `total` counts the stored points in the range.
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
    const stats = stmt<{ n: number; lo: number | null; hi: number | null }>(
      db,
      'SELECT count(*) AS n, min(step) AS lo, max(step) AS hi FROM metrics WHERE run_id = ? AND key = ? AND step BETWEEN ? AND ?',
    ).get(runId, key, from, to);
    const total = stats?.n ?? 0;
    let points: MetricPoint[];
    if (total === 0 || stats?.lo == null || stats.hi == null) points = [];
    else if (maxPoints === undefined || total <= maxPoints)
      points = stmt<MetricRow>(db, RANGE_SQL).all(runId, key, from, to).map(toPoint);
    else
      points = namedStmt<MetricRow>(db, DOWNSAMPLE_SQL)
        .all({ run: runId, key, lo: stats.lo, hi: stats.hi, buckets: Math.floor(maxPoints / 2) })
        .map(toPoint);
    return { key, points, total };
  });
}

/**
 * Cuts a run back to `step` so a resumed run continues the same curve from its checkpoint: metrics and
 * checkpoints after it go, latest_metrics is rebuilt from what is left and runs.step becomes at most `step`
 * (the step the run resumes from is its last completed one). A negative `step` clears the whole history:
 * a run with no checkpoint restarts from step 0.
 */
export function truncateAfter(db: Db, runId: string, step: number): void {
  if (!Number.isSafeInteger(step))
    throw new WorkbenchError('invalid_input', `truncateAfter: step must be an integer, got ${step}`);
  inWriteTransaction(db, () => {
    requireRun(db, runId);
    stmt(db, 'DELETE FROM metrics WHERE run_id = ? AND step > ?').run(runId, step);
    deleteCheckpointsAfter(db, runId, step);
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
