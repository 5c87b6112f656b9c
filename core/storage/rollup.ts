// The metric rollup (migrations/0002): per (run, key, bucket of ROLLUP_SPAN steps) the point count and the
// points of least and greatest rank, kept exact in the transactions that write or delete metric rows.
import type { NonFinite } from './metric-values.ts';
import { namedStmt, stmt } from './statements.ts';
import type { Db } from './statements.ts';

/** Steps per rollup bucket: bucket = floor(step / ROLLUP_SPAN). Written into migrations/0002 too; never change it. */
export const ROLLUP_SPAN = 8;

/** The step's rollup bucket (steps are integers ≥ 0). */
export const bucketOf = (step: number): number => Math.floor(step / ROLLUP_SPAN);

/** The order extremes are chosen by: the value, with -inf lowest and +inf and NaN highest (as DOWNSAMPLE_SQL). */
function rankOf(value: number | null, nonfinite: string | null): number {
  if (nonfinite === null) return value ?? Infinity;
  return nonfinite === '-inf' ? -Infinity : Infinity;
}

/**
 * Points of one key gathered for one bucket, merged into its rollup row by one upsert: the count and the
 * points of least (lo*) and greatest (hi*) rank, ties to the earlier step (as in the upsert, rebuildBucket
 * and the migration's backfill). Flat fields, updated in place: no allocation per point.
 */
interface Pending {
  key: string;
  bucket: number;
  n: number;
  loStep: number;
  loRank: number;
  loNonfinite: NonFinite | null;
  loWallMs: number;
  hiStep: number;
  hiRank: number;
  hiNonfinite: NonFinite | null;
  hiWallMs: number;
}

const EXTREME_COLUMNS = ['step', 'rank', 'nonfinite', 'wall_ms'];

/** `side`'s four columns take the incoming extreme when `better` holds (every SET reads the old row). */
const mergeSide = (side: 'lo' | 'hi', better: string) =>
  EXTREME_COLUMNS.map(
    (c) => `${side}_${c} = CASE WHEN ${better} THEN excluded.${side}_${c} ELSE ${side}_${c} END`,
  ).join(', ');

const UPSERT_SQL = `INSERT INTO metric_rollup (run_id, key, bucket, n, lo_step, lo_rank, lo_nonfinite, lo_wall_ms,
    hi_step, hi_rank, hi_nonfinite, hi_wall_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (run_id, key, bucket) DO UPDATE SET n = n + excluded.n,
    ${mergeSide('lo', 'excluded.lo_rank < lo_rank OR (excluded.lo_rank = lo_rank AND excluded.lo_step < lo_step)')},
    ${mergeSide('hi', 'excluded.hi_rank > hi_rank OR (excluded.hi_rank = hi_rank AND excluded.hi_step < hi_step)')}`;

/** The points of one bucket of one key by rank, then step: its extremes are the first row either way. */
const BUCKET_POINTS = `SELECT step, rank, nonfinite, wall_ms FROM (SELECT step, nonfinite, wall_ms,
    CASE nonfinite WHEN '-inf' THEN -9e999 WHEN 'inf' THEN 9e999 WHEN 'nan' THEN 9e999 ELSE value END AS rank
    FROM metrics WHERE run_id = @run AND key = @key AND step BETWEEN @first AND @last)`;

const REBUILD_SQL = `INSERT INTO metric_rollup (run_id, key, bucket, n, lo_step, lo_rank, lo_nonfinite, lo_wall_ms,
    hi_step, hi_rank, hi_nonfinite, hi_wall_ms)
  SELECT @run, @key, @bucket, c.n, l.step, l.rank, l.nonfinite, l.wall_ms, h.step, h.rank, h.nonfinite, h.wall_ms
  FROM (SELECT count(*) AS n FROM metrics WHERE run_id = @run AND key = @key AND step BETWEEN @first AND @last) AS c,
    (${BUCKET_POINTS} ORDER BY rank, step LIMIT 1) AS l,
    (${BUCKET_POINTS} ORDER BY rank DESC, step LIMIT 1) AS h`;

/** Recomputes one rollup row from the metric rows of its bucket (deleting it when none are left). */
export function rebuildBucket(db: Db, runId: string, key: string, bucket: number): void {
  stmt(db, 'DELETE FROM metric_rollup WHERE run_id = ? AND key = ? AND bucket = ?').run(runId, key, bucket);
  const first = bucket * ROLLUP_SPAN;
  namedStmt(db, REBUILD_SQL).run({ run: runId, key, bucket, first, last: first + ROLLUP_SPAN - 1 });
}

/**
 * Gathers the rollup changes of one batch of metric writes: new points are merged per (key, bucket) run of
 * consecutive points (one upsert each, so an in-order batch costs one statement per bucket, not per point);
 * a point that replaced a stored one marks its bucket for a rebuild, since the old point may have been an
 * extreme. Call flush() after the metric rows are written, in the same transaction.
 */
export class RollupBatch {
  readonly #open = new Map<string, Pending>();
  readonly #done: Pending[] = [];
  readonly #dirty = new Map<string, { key: string; bucket: number }>();

  /** A point newly inserted into `metrics`. */
  added(key: string, step: number, value: number | null, nonfinite: NonFinite | null, wallMs: number): void {
    const bucket = bucketOf(step);
    const rank = rankOf(value, nonfinite);
    const g = this.#open.get(key);
    if (g?.bucket !== bucket) {
      if (g) this.#done.push(g);
      this.#open.set(key, {
        key,
        bucket,
        n: 1,
        loStep: step,
        loRank: rank,
        loNonfinite: nonfinite,
        loWallMs: wallMs,
        hiStep: step,
        hiRank: rank,
        hiNonfinite: nonfinite,
        hiWallMs: wallMs,
      });
      return;
    }
    g.n++;
    if (rank < g.loRank || (rank === g.loRank && step < g.loStep)) {
      g.loStep = step;
      g.loRank = rank;
      g.loNonfinite = nonfinite;
      g.loWallMs = wallMs;
    }
    if (rank > g.hiRank || (rank === g.hiRank && step < g.hiStep)) {
      g.hiStep = step;
      g.hiRank = rank;
      g.hiNonfinite = nonfinite;
      g.hiWallMs = wallMs;
    }
  }

  /** A point that overwrote a stored one of the same (key, step). */
  replaced(key: string, step: number): void {
    const bucket = bucketOf(step);
    this.#dirty.set(`${bucket}\u0000${key}`, { key, bucket });
  }

  flush(db: Db, runId: string): void {
    const upsert = stmt(db, UPSERT_SQL);
    for (const g of [...this.#done, ...this.#open.values()])
      upsert.run(
        runId,
        g.key,
        g.bucket,
        g.n,
        g.loStep,
        g.loRank,
        g.loNonfinite,
        g.loWallMs,
        g.hiStep,
        g.hiRank,
        g.hiNonfinite,
        g.hiWallMs,
      );
    for (const d of this.#dirty.values()) rebuildBucket(db, runId, d.key, d.bucket);
  }
}

/** After the metric rows above `step` were deleted: drops the rollup rows above it and rebuilds the one it cuts. */
export function truncateRollup(db: Db, runId: string, step: number): void {
  const cut = bucketOf(step);
  stmt(db, 'DELETE FROM metric_rollup WHERE run_id = ? AND bucket > ?').run(runId, cut);
  if (step < 0 || (step + 1) % ROLLUP_SPAN === 0) return;
  const keys = stmt<{ key: string }>(db, 'SELECT key FROM metric_rollup WHERE run_id = ? AND bucket = ?').all(
    runId,
    cut,
  );
  for (const { key } of keys) rebuildBucket(db, runId, key, cut);
}
