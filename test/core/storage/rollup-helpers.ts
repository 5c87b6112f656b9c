// Reference implementations for the rollup tests: seeded series, the rollup recomputed in JavaScript, and the
// two downsampling semantics (exact buckets; rollup-aligned buckets) to check readMetrics against.
import type Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import type { MetricPoint } from '../../../core/api/types.ts';
import { decodeValue } from '../../../core/storage/metric-values.ts';
import { ROLLUP_SPAN } from '../../../core/storage/rollup.ts';

export interface Pt {
  step: number;
  value: number;
  wallMs: number;
}

/** Deterministic values in [0, 1) (a 32-bit LCG), so the tests never depend on Math.random. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A seeded series of `n` points: steps from `start` with gaps of 1 to 3, values quantized to 1/64 (so ties
 * happen) with rare NaN, +inf and -inf.
 */
export function randomSeries(seed: number, n: number, start = 0): Pt[] {
  const next = lcg(seed);
  const out: Pt[] = [];
  let step = start;
  for (let i = 0; i < n; i++) {
    const r = next();
    const value =
      r < 0.001 ? NaN : r < 0.0015 ? Infinity : r < 0.002 ? -Infinity : Math.round(next() * 64) / 64;
    out.push({ step, value, wallMs: step * 3 + 0.5 });
    step += 1 + Math.floor(next() * 3);
  }
  return out;
}

/** The order extremes are chosen by: NaN ranks with +inf. */
export const rank = (v: number): number => (Number.isNaN(v) ? Infinity : v);

/** The point of least (`dir` 1) or greatest (`dir` -1) rank of `pts`, ties to the earlier step. */
function extreme(pts: readonly Pt[], dir: 1 | -1): Pt {
  let best = pts[0]!;
  for (const p of pts)
    if (
      dir * (rank(p.value) - rank(best.value)) < 0 ||
      (rank(p.value) === rank(best.value) && p.step < best.step)
    )
      best = p;
  return best;
}

export interface RollupRow {
  key: string;
  bucket: number;
  n: number;
  lo: [number, number, number];
  hi: [number, number, number];
}

/** The rollup rows of one run recomputed from its metric rows, ordered by key and bucket. */
export function expectedRollup(db: Database.Database, runId: string): RollupRow[] {
  const rows = db
    .prepare<
      [string],
      { key: string; step: number; value: number | null; nonfinite: string | null; wall_ms: number }
    >('SELECT key, step, value, nonfinite, wall_ms FROM metrics WHERE run_id = ? ORDER BY key, step')
    .all(runId);
  const groups = new Map<string, { key: string; bucket: number; pts: Pt[] }>();
  for (const r of rows) {
    const bucket = Math.floor(r.step / ROLLUP_SPAN);
    const id = `${r.key}\u0000${bucket}`;
    const g = groups.get(id) ?? { key: r.key, bucket, pts: [] };
    g.pts.push({ step: r.step, value: decodeValue(r.value, r.nonfinite), wallMs: r.wall_ms });
    groups.set(id, g);
  }
  const triple = (p: Pt): [number, number, number] => [p.step, p.value, p.wallMs];
  return [...groups.values()].map((g) => ({
    key: g.key,
    bucket: g.bucket,
    n: g.pts.length,
    lo: triple(extreme(g.pts, 1)),
    hi: triple(extreme(g.pts, -1)),
  }));
}

/** The rollup table's rows of one run, decoded, in the shape of expectedRollup. */
export function storedRollup(db: Database.Database, runId: string): RollupRow[] {
  type Row = Record<string, number | string | null>;
  return db
    .prepare<[string], Row>('SELECT * FROM metric_rollup WHERE run_id = ? ORDER BY key, bucket')
    .all(runId)
    .map((r) => {
      const side = (s: string): [number, number, number] => [
        r[`${s}_step`] as number,
        decodeValue(r[`${s}_rank`] as number, r[`${s}_nonfinite`] as string | null),
        r[`${s}_wall_ms`] as number,
      ];
      return {
        key: r['key'] as string,
        bucket: r['bucket'] as number,
        n: r['n'] as number,
        lo: side('lo'),
        hi: side('hi'),
      };
    });
}

/** Asserts the rollup table holds exactly what the run's metric rows imply. */
export function assertRollupExact(db: Database.Database, runId: string): void {
  assert.deepEqual(storedRollup(db, runId), expectedRollup(db, runId));
}

/**
 * Output slots of min/max downsampling of `pts` (the stored points of the range, in step order) into `buckets`
 * over [lo, hi]: by each point's own step (`exact`, the SQL path) or by the first in-range step of its rollup
 * bucket (`rollup`).
 */
export function slotsOf(pts: readonly Pt[], buckets: number, mode: 'exact' | 'rollup'): Pt[][] {
  const lo = pts[0]!.step;
  const width = pts.at(-1)!.step - lo + 1;
  const slots: Pt[][] = [];
  for (const p of pts) {
    const start = mode === 'exact' ? p.step : Math.max(Math.floor(p.step / ROLLUP_SPAN) * ROLLUP_SPAN, lo);
    const slot = Math.min(buckets - 1, Math.floor(((start - lo) * buckets) / width));
    (slots[slot] ??= []).push(p);
  }
  return slots.filter((s) => s !== undefined);
}

/** The steps rollup downsampling must return: per slot its least and greatest point, ties to the earlier step. */
export function rollupSteps(pts: readonly Pt[], buckets: number): number[] {
  return slotsOf(pts, buckets, 'rollup').flatMap((s) => {
    const a = extreme(s, 1).step;
    const b = extreme(s, -1).step;
    return a === b ? [a] : [Math.min(a, b), Math.max(a, b)];
  });
}

/**
 * Checks `out` against the exact semantics without depending on how ties are broken: at most two points per
 * slot, all stored, in step order, and each slot shows its least and its greatest rank.
 */
export function assertExactDownsample(
  out: readonly MetricPoint[],
  pts: readonly Pt[],
  buckets: number,
): void {
  const byStep = new Map(pts.map((p) => [p.step, p]));
  let i = 0;
  for (const slot of slotsOf(pts, buckets, 'exact')) {
    const last = slot.at(-1)!.step;
    const mine: MetricPoint[] = [];
    while (i < out.length && out[i]!.step <= last) mine.push(out[i++]!);
    assert.ok(mine.length >= 1 && mine.length <= 2, `slot ending at ${last}: ${mine.length} points`);
    for (const p of mine)
      assert.ok(Object.is(byStep.get(p.step)?.value, p.value), `stored point at ${p.step}`);
    const ranks = mine.map((p) => rank(p.value));
    assert.equal(Math.min(...ranks), Math.min(...slot.map((p) => rank(p.value))));
    assert.equal(Math.max(...ranks), Math.max(...slot.map((p) => rank(p.value))));
  }
  assert.equal(i, out.length, 'no points beyond the last slot');
}
