// The metric rollup: kept exact by every write, replacement and truncation; long ranges downsampled from it
// return stored points with the extremes and exact totals, and agree with the exact path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricPoint } from '../../../core/api/types.ts';
import { MIN_BUCKETS_PER_OUTPUT } from '../../../core/storage/rollup-read.ts';
import { ROLLUP_SPAN } from '../../../core/storage/rollup.ts';
import type { Store } from '../../../core/storage/store.ts';
import { addRun, rawDb, testStore } from './helpers.ts';
import {
  assertExactDownsample,
  assertRollupExact,
  lcg,
  randomSeries,
  rank,
  rollupSteps,
  slotsOf,
} from './rollup-helpers.ts';
import type { Pt } from './rollup-helpers.ts';

/** Writes `pts` under `key` in batches of `batch` points (optionally shuffled within each batch). */
function write(
  store: Store,
  runId: string,
  key: string,
  pts: readonly Pt[],
  batch: number,
  shuffle = 0,
): void {
  const next = lcg(shuffle);
  for (let i = 0; i < pts.length; i += batch) {
    const metrics = pts.slice(i, i + batch).map((p) => ({ key, ...p }));
    if (shuffle)
      for (let j = metrics.length - 1; j > 0; j--) {
        const k = Math.floor(next() * (j + 1));
        [metrics[j], metrics[k]] = [metrics[k]!, metrics[j]!];
      }
    store.commitProgress(runId, { metrics, now: i });
  }
}

const inRange = (pts: readonly Pt[], from: number, to: number) =>
  pts.filter((p) => p.step >= from && p.step <= to);
const usesRollup = (pts: readonly Pt[], buckets: number) =>
  pts.at(-1)!.step - pts[0]!.step + 1 >= MIN_BUCKETS_PER_OUTPUT * ROLLUP_SPAN * buckets;

/** Checks one downsampled read: the contract, and the exact steps of whichever path the range takes (returned). */
function checkRead(
  points: readonly MetricPoint[],
  pts: readonly Pt[],
  maxPoints: number,
): 'rollup' | 'exact' {
  const buckets = Math.floor(maxPoints / 2);
  assert.ok(points.length <= maxPoints, `${points.length} points for maxPoints ${maxPoints}`);
  const byStep = new Map(pts.map((p) => [p.step, p]));
  points.forEach((p, i) => {
    assert.ok(i === 0 || p.step > points[i - 1]!.step, 'steps strictly increase');
    const stored = byStep.get(p.step);
    assert.ok(
      stored && Object.is(stored.value, p.value) && stored.wallMs === p.wallMs,
      `stored point ${p.step}`,
    );
  });
  const ranks = points.map((p) => rank(p.value));
  assert.equal(Math.min(...ranks), Math.min(...pts.map((p) => rank(p.value))), 'global min kept');
  assert.equal(Math.max(...ranks), Math.max(...pts.map((p) => rank(p.value))), 'global max kept');
  if (pts.some((p) => Number.isNaN(p.value) || p.value === Infinity))
    assert.ok(ranks.includes(Infinity), 'a NaN or +inf of the range survives');
  if (!usesRollup(pts, buckets)) {
    assertExactDownsample(points, pts, buckets);
    return 'exact';
  }
  assert.deepEqual(
    points.map((p) => p.step),
    rollupSteps(pts, buckets),
  );
  return 'rollup';
}

describe('metric rollup maintenance', () => {
  it('matches the metric rows after in-order, shuffled and out-of-order batches', (t) => {
    const { store, file } = testStore(t);
    addRun(store, 'r1');
    const pts = randomSeries(1, 3000);
    write(store, 'r1', 'a', pts, 200);
    write(store, 'r1', 'b', pts, 37, 5);
    write(store, 'r1', 'c', [...pts].reverse(), 1000);
    assertRollupExact(rawDb(t, file), 'r1');
  });

  it('stays exact when a re-sent step replaces a stored point, even an extreme, even twice in one batch', (t) => {
    const { store, file } = testStore(t);
    addRun(store, 'r1');
    const pts = Array.from({ length: 64 }, (_, step) => ({ step, value: step % 7, wallMs: step }));
    write(store, 'r1', 'loss', pts, 64);
    const db = rawDb(t, file);
    const replace = (metrics: Pt[]) =>
      store.commitProgress('r1', { metrics: metrics.map((p) => ({ key: 'loss', ...p })), now: 1 });
    replace([{ step: 6, value: 3, wallMs: 99 }]); // bucket 0's greatest (6) goes: step 5 takes over
    replace([{ step: 14, value: 4, wallMs: 99 }]); // bucket 1's least (0) goes: step 8 (1) takes over
    replace([{ step: 20, value: -Infinity, wallMs: 99 }]); // a new least for bucket 2
    replace([
      { step: 21, value: NaN, wallMs: 1 },
      { step: 21, value: 2, wallMs: 2 },
      { step: 70, value: 9, wallMs: 3 },
      { step: 70, value: 1, wallMs: 4 },
    ]);
    assertRollupExact(db, 'r1');
    const [series] = store.readMetrics('r1', { keys: ['loss'] });
    assert.equal(series?.total, 65);
    assert.deepEqual(series?.points.at(-1), { step: 70, value: 1, wallMs: 4 });
  });

  it('stays exact after truncateAfter inside a bucket, at a bucket end and to nothing', (t) => {
    const { store, file } = testStore(t);
    addRun(store, 'r1');
    const pts = randomSeries(2, 2000);
    write(store, 'r1', 'a', pts, 300);
    write(store, 'r1', 'b', pts.slice(0, 1500), 300);
    const db = rawDb(t, file);
    for (const cut of [3001, 2000, ROLLUP_SPAN * 75 - 1, 5, -1]) {
      store.truncateAfter('r1', cut);
      assertRollupExact(db, 'r1');
      const [a] = store.readMetrics('r1', { keys: ['a'], maxPoints: 40 });
      assert.equal(a?.total, inRange(pts, 0, cut).length, `total after truncating to ${cut}`);
    }
    assert.deepEqual(db.prepare("SELECT count(*) AS n FROM metric_rollup WHERE run_id = 'r1'").get(), {
      n: 0,
    });
    // And it grows again from there.
    write(store, 'r1', 'a', pts.slice(0, 500), 100);
    assertRollupExact(db, 'r1');
  });
});

describe('downsampling from the rollup', () => {
  it('keeps the global min and max, a NaN spike and -inf, and the exact total, on an unaligned range', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1');
    const next = lcg(7);
    const pts = Array.from({ length: 50_000 }, (_, i) => ({ step: i + 3, value: next(), wallMs: i }));
    pts[12_345]!.value = -5;
    pts[33_333]!.value = 7;
    pts[40_001]!.value = NaN;
    pts[45_678]!.value = -Infinity;
    write(store, 'r1', 'loss', pts, 5000);
    for (const [from, to, maxPoints] of [
      [undefined, undefined, 1300],
      [5, 49_001, 1000],
      [12_340, 46_000, 333],
      [39_999, 40_003, 2],
    ] as const) {
      const [s] = store.readMetrics('r1', { keys: ['loss'], maxPoints, fromStep: from, toStep: to });
      const expected = inRange(pts, from ?? 0, to ?? Infinity);
      assert.equal(s?.total, expected.length);
      checkRead(s?.points ?? [], expected, maxPoints);
    }
    const [whole] = store.readMetrics('r1', { keys: ['loss'], maxPoints: 1300 });
    const byStep = new Map(whole?.points.map((p) => [p.step, p.value]));
    assert.equal(byStep.get(12_348), -5);
    assert.equal(byStep.get(33_336), 7);
    assert.ok(Number.isNaN(byStep.get(40_004)));
    assert.equal(byStep.get(45_681), -Infinity);
  });

  it('counts `total` exactly for arbitrary ranges, with and without whole buckets', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1');
    const pts = randomSeries(3, 4000, 5);
    write(store, 'r1', 'loss', pts, 250);
    const last = pts.at(-1)!.step;
    const next = lcg(11);
    const ranges: [number, number][] = [
      [0, 0],
      [5, 5],
      [-100, 7],
      [9, 14],
      [8, 15],
      [7, 16],
      [last - 3, last + 100],
      [last + 1, last + 50],
      [100, 50],
      [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ];
    for (let i = 0; i < 40; i++) {
      const a = Math.floor(next() * (last + 20)) - 10;
      ranges.push([a, a + Math.floor(next() * (i < 20 ? 40 : last))]);
    }
    for (const [from, to] of ranges) {
      const [s] = store.readMetrics('r1', { keys: ['loss'], maxPoints: 16, fromStep: from, toStep: to });
      assert.equal(s?.total, inRange(pts, from, to).length, `total of [${from}, ${to}]`);
    }
  });

  it('agrees with the exact path on seeded random series (property test over ranges and sizes)', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1');
    const paths = { rollup: 0, exact: 0 };
    for (const seed of [21, 22, 23]) {
      const key = `k${seed}`;
      const pts = randomSeries(seed, 12_000, seed);
      write(store, 'r1', key, pts, 700, seed);
      const next = lcg(seed * 101);
      const last = pts.at(-1)!.step;
      for (let i = 0; i < 25; i++) {
        const from = i === 0 ? 0 : Math.floor(next() * last * 0.6);
        const to = i === 0 ? last : from + Math.floor(next() * (last - from + 50));
        const maxPoints = [2, 16, 100, 257, 1000][i % 5]!;
        const [s] = store.readMetrics('r1', { keys: [key], maxPoints, fromStep: from, toStep: to });
        const expected = inRange(pts, from, to);
        assert.equal(s?.total, expected.length);
        if (expected.length <= maxPoints) continue;
        const points = s?.points ?? [];
        paths[checkRead(points, expected, maxPoints)]++;
        // Each exact-path slot's extremes have a point at least as extreme within one slot width plus one
        // rollup bucket: the curve drawn from the rollup has the same envelope as the exact one.
        const buckets = Math.floor(maxPoints / 2);
        const reach = Math.ceil((to - from + 1) / buckets) + ROLLUP_SPAN;
        for (const slot of slotsOf(expected, buckets, 'exact')) {
          const near = points.filter(
            (p) => p.step >= slot[0]!.step - reach && p.step <= slot.at(-1)!.step + reach,
          );
          const ranks = slot.map((p) => rank(p.value));
          assert.ok(
            near.some((p) => rank(p.value) <= Math.min(...ranks)),
            `min near step ${slot[0]!.step}`,
          );
          assert.ok(
            near.some((p) => rank(p.value) >= Math.max(...ranks)),
            `max near step ${slot[0]!.step}`,
          );
        }
      }
    }
    assert.ok(paths.rollup > 10 && paths.exact > 5, `both paths taken: ${JSON.stringify(paths)}`);
  });
});
