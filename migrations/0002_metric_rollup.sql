-- 0002_metric_rollup: a per-bucket summary of the metric history, so that downsampled reads of long
-- ranges (design.md §6: "never load every point of every run") read one row per 8 steps instead of
-- every point: opening Compare on 20 runs of 20,000 steps read 800,000 metric rows before this.
-- One row per (run, key, bucket), bucket = step / 8 (a fixed span of 8 steps: ROLLUP_SPAN in
-- core/storage/rollup.ts; the stored rows depend on it, so it can never change). A row holds the number
-- of points in its bucket and copies of the bucket's two extreme points, of least and of greatest rank:
-- the value, with -inf lowest and +inf and NaN highest (so a divergence always survives downsampling),
-- ties going to the earlier step. `lo_rank`/`hi_rank` store that rank (±inf as such, NaN as +inf) and
-- `*_nonfinite` says which non-finite value it was, as in `metrics`. commitProgress and truncateAfter keep
-- the table exact in the same transaction as the metric rows; it cascades from runs like every child
-- table. This migration also backfills it from the metric rows already stored.

CREATE TABLE metric_rollup (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  n INTEGER NOT NULL CHECK (n > 0),
  lo_step INTEGER NOT NULL,
  lo_rank REAL NOT NULL,
  lo_nonfinite TEXT CHECK (lo_nonfinite IN ('nan', 'inf', '-inf')),
  lo_wall_ms REAL NOT NULL,
  hi_step INTEGER NOT NULL,
  hi_rank REAL NOT NULL,
  hi_nonfinite TEXT CHECK (hi_nonfinite IN ('nan', 'inf', '-inf')),
  hi_wall_ms REAL NOT NULL,
  PRIMARY KEY (run_id, key, bucket)
) WITHOUT ROWID;

-- Backfill: count each bucket's points (one pass in step order), then find its least and greatest point,
-- ties to the earlier step, by two index range scans of at most 8 rows, and copy them.
INSERT INTO metric_rollup (run_id, key, bucket, n, lo_step, lo_rank, lo_nonfinite, lo_wall_ms,
  hi_step, hi_rank, hi_nonfinite, hi_wall_ms)
WITH ranked AS (
  SELECT run_id, key, step, nonfinite, wall_ms,
    CASE nonfinite WHEN '-inf' THEN -9e999 WHEN 'inf' THEN 9e999 WHEN 'nan' THEN 9e999 ELSE value END AS rank
  FROM metrics
),
buckets AS (
  SELECT run_id, key, step / 8 AS bucket, count(*) AS n FROM metrics GROUP BY run_id, key, step / 8
),
extremes AS (
  SELECT b.*,
    (SELECT step FROM ranked AS r WHERE r.run_id = b.run_id AND r.key = b.key
      AND r.step BETWEEN b.bucket * 8 AND b.bucket * 8 + 7 ORDER BY r.rank, r.step LIMIT 1) AS lo_step,
    (SELECT step FROM ranked AS r WHERE r.run_id = b.run_id AND r.key = b.key
      AND r.step BETWEEN b.bucket * 8 AND b.bucket * 8 + 7 ORDER BY r.rank DESC, r.step LIMIT 1) AS hi_step
  FROM buckets AS b
)
SELECT e.run_id, e.key, e.bucket, e.n, l.step, l.rank, l.nonfinite, l.wall_ms, h.step, h.rank, h.nonfinite, h.wall_ms
FROM extremes AS e
JOIN ranked AS l ON l.run_id = e.run_id AND l.key = e.key AND l.step = e.lo_step
JOIN ranked AS h ON h.run_id = e.run_id AND h.key = e.key AND h.step = e.hi_step;
