// Reads through the metric rollup: a series' step bounds and point count, and min/max downsampling of long
// ranges from the rollup rows (one per ROLLUP_SPAN steps) instead of every metric row.
import type { MetricPoint } from '../api/types.ts';
import { decodeValue } from './metric-values.ts';
import type { NonFinite } from './metric-values.ts';
import { ROLLUP_SPAN } from './rollup.ts';
import { namedStmt, stmt } from './statements.ts';
import type { Db } from './statements.ts';

/**
 * A range is downsampled from the rollup when each output bucket spans at least this many rollup buckets,
 * else exactly from the metric rows. Output buckets made of whole rollup buckets hold ⌊r⌋ or ⌈r⌉ of them
 * (r rollup buckets per output bucket on average): at r ≥ 2 their widths differ by at most half (at r < 2
 * they would by up to double); the exact path so reads at most 2 × ROLLUP_SPAN × maxPoints / 2 rows.
 */
export const MIN_BUCKETS_PER_OUTPUT = 2;

/** A step range [from, to] split into the rollup buckets it covers whole, b0..b1, and the edges around them. */
export interface RangePlan {
  run: string;
  key: string;
  from: number;
  to: number;
  b0: number;
  b1: number;
  /** Metric rows in [from, leftTo] and [rightFrom, to] lie in buckets the range covers only in part. */
  leftTo: number;
  rightFrom: number;
}

export function planRange(run: string, key: string, from: number, to: number): RangePlan {
  const b0 = Math.ceil(Math.max(from, 0) / ROLLUP_SPAN);
  const b1 = Math.floor((to + 1) / ROLLUP_SPAN) - 1;
  // No whole bucket: the whole range is one "edge" (and the rollup range is empty).
  if (b0 > b1) return { run, key, from, to, b0: 1, b1: 0, leftTo: to, rightFrom: to + 1 };
  return { run, key, from, to, b0, b1, leftTo: b0 * ROLLUP_SPAN - 1, rightFrom: (b1 + 1) * ROLLUP_SPAN };
}

const IN_SERIES = 'FROM metrics WHERE run_id = @run AND key = @key';

/** First and last stored step in the range (two index seeks) and the point count: rollup counts plus edge rows. */
const STATS_SQL = `SELECT
  (SELECT min(step) ${IN_SERIES} AND step BETWEEN @from AND @to) AS lo,
  (SELECT max(step) ${IN_SERIES} AND step BETWEEN @from AND @to) AS hi,
  (SELECT count(*) ${IN_SERIES} AND step BETWEEN @from AND @leftTo)
    + (SELECT count(*) ${IN_SERIES} AND step BETWEEN @rightFrom AND @to)
    + (SELECT coalesce(sum(n), 0) FROM metric_rollup WHERE run_id = @run AND key = @key AND bucket BETWEEN @b0 AND @b1)
    AS n`;

export interface RangeStats {
  total: number;
  lo: number | null;
  hi: number | null;
}

export function rangeStats(db: Db, plan: RangePlan): RangeStats {
  const { run, key, from, to, b0, b1, leftTo, rightFrom } = plan;
  const row = namedStmt<{ lo: number | null; hi: number | null; n: number }>(db, STATS_SQL).get({
    run,
    key,
    from,
    to,
    b0,
    b1,
    leftTo,
    rightFrom,
  });
  return { total: row?.n ?? 0, lo: row?.lo ?? null, hi: row?.hi ?? null };
}

/** Whether a range of stored steps [lo, hi] is long enough to be downsampled to `buckets` from the rollup. */
export function rollupFits(lo: number, hi: number, buckets: number): boolean {
  return hi - lo + 1 >= MIN_BUCKETS_PER_OUTPUT * ROLLUP_SPAN * buckets;
}

/** A rollup row, or a metric row of an edge bucket in the same shape (both extremes the point itself). */
interface RollupRow {
  bucket: number;
  lo_step: number;
  lo_rank: number;
  lo_nonfinite: NonFinite | null;
  lo_wall_ms: number;
  hi_step: number;
  hi_rank: number;
  hi_nonfinite: NonFinite | null;
  hi_wall_ms: number;
}

const ROLLUP_SQL = `SELECT bucket, lo_step, lo_rank, lo_nonfinite, lo_wall_ms, hi_step, hi_rank, hi_nonfinite, hi_wall_ms
  FROM metric_rollup WHERE run_id = ? AND key = ? AND bucket BETWEEN ? AND ? ORDER BY bucket`;

const EDGE_SQL = `SELECT step / ${ROLLUP_SPAN} AS bucket, step AS lo_step, rank AS lo_rank, nonfinite AS lo_nonfinite,
    wall_ms AS lo_wall_ms, step AS hi_step, rank AS hi_rank, nonfinite AS hi_nonfinite, wall_ms AS hi_wall_ms
  FROM (SELECT step, nonfinite, wall_ms,
    CASE nonfinite WHEN '-inf' THEN -9e999 WHEN 'inf' THEN 9e999 WHEN 'nan' THEN 9e999 ELSE value END AS rank
    FROM metrics WHERE run_id = ? AND key = ? AND step BETWEEN ? AND ? ORDER BY step)`;

/**
 * Min/max downsampling from the rollup: [lo, hi] is split into `buckets` equal output buckets as in the exact
 * path, but each rollup bucket goes whole to the output bucket holding its first step in the range, so an
 * output bucket's least and greatest points are found among its rollup buckets' extremes (and the metric rows
 * of the partly covered edge buckets). The points are stored ones, in step order, at most 2 × buckets; the
 * range's global extremes (and so a NaN or ±inf) are always among them. Ties go to the earlier step, as in
 * the rollup (where a row's least point never comes after a tie of its greatest).
 */
export function downsampleFromRollup(
  db: Db,
  plan: RangePlan,
  lo: number,
  hi: number,
  buckets: number,
): MetricPoint[] {
  const { run, key } = plan;
  const width = hi - lo + 1;
  const out: MetricPoint[] = [];
  let current = -1;
  let min: RollupRow | undefined;
  let max: RollupRow | undefined;
  const emit = (a: RollupRow, b: RollupRow) => {
    const least = { step: a.lo_step, value: decodeValue(a.lo_rank, a.lo_nonfinite), wallMs: a.lo_wall_ms };
    if (a.lo_step === b.hi_step) return out.push(least);
    const greatest = { step: b.hi_step, value: decodeValue(b.hi_rank, b.hi_nonfinite), wallMs: b.hi_wall_ms };
    return a.lo_step < b.hi_step ? out.push(least, greatest) : out.push(greatest, least);
  };
  const visit = (rows: readonly RollupRow[]) => {
    for (const r of rows) {
      const start = Math.max(r.bucket * ROLLUP_SPAN, lo);
      const slot = Math.min(buckets - 1, Math.floor(((start - lo) * buckets) / width));
      if (slot !== current || !min || !max) {
        if (min && max) emit(min, max);
        current = slot;
        min = r;
        max = r;
        continue;
      }
      if (r.lo_rank < min.lo_rank || (r.lo_rank === min.lo_rank && r.lo_step < min.lo_step)) min = r;
      if (r.hi_rank > max.hi_rank || (r.hi_rank === max.hi_rank && r.hi_step < max.hi_step)) max = r;
    }
  };
  const edge = stmt<RollupRow>(db, EDGE_SQL);
  visit(edge.all(run, key, plan.from, plan.leftTo));
  visit(stmt<RollupRow>(db, ROLLUP_SQL).all(run, key, plan.b0, plan.b1));
  visit(edge.all(run, key, plan.rightFrom, plan.to));
  if (min && max) emit(min, max);
  return out;
}
