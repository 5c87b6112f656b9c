// Metrics: non-finite round-trips, SQL downsampling over 100k points, atomic progress commits, truncation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricPoint } from '../../../core/api/types.ts';
import { addRun, rawDb, testStore, workbenchError } from './helpers.ts';

/** Deterministic values in [0, 1) (a 32-bit LCG), so the test never depends on Math.random. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('metric values', () => {
  it('round-trips NaN, Infinity and -Infinity (SQLite alone would turn NaN into NULL)', (t) => {
    const { store, file } = testStore(t);
    addRun(store, 'r1');
    const values = [1.5, NaN, Infinity, -Infinity, 0, -2.25, 1e-300, Number.MAX_VALUE, NaN];
    store.commitProgress('r1', {
      metrics: values.map((value, step) => ({ key: 'loss', step, value, wallMs: step * 10 })),
      now: 1,
    });
    const [series] = store.readMetrics('r1');
    assert.equal(series?.key, 'loss');
    assert.equal(series?.total, values.length);
    series?.points.forEach((p, i) => {
      assert.equal(p.step, i);
      assert.ok(Object.is(p.value, values[i]), `step ${i}: ${p.value} vs ${values[i]}`);
      assert.equal(p.wallMs, i * 10);
    });
    const latest = store.getRun('r1').latest['loss'];
    assert.equal(latest?.step, 8);
    assert.ok(Number.isNaN(latest?.value));
    const stored = rawDb(t, file)
      .prepare("SELECT value, nonfinite FROM metrics WHERE run_id = 'r1' AND step IN (1, 2, 3) ORDER BY step")
      .all();
    assert.deepEqual(stored, [
      { value: null, nonfinite: 'nan' },
      { value: null, nonfinite: 'inf' },
      { value: null, nonfinite: '-inf' },
    ]);
  });

  it('reads one series per key, all keys by default, and an empty series for an unknown key', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1');
    store.commitProgress('r1', {
      metrics: [
        { key: 'loss', step: 1, value: 0.9, wallMs: 1 },
        { key: 'eval/acc', step: 1, value: 0.1, wallMs: 1 },
        { key: 'loss', step: 2, value: 0.8, wallMs: 2 },
      ],
      now: 2,
    });
    assert.deepEqual(
      store.readMetrics('r1').map((s) => [s.key, s.total]),
      [
        ['eval/acc', 1],
        ['loss', 2],
      ],
    );
    assert.deepEqual(store.readMetrics('r1', { keys: ['loss'], fromStep: 2 }), [
      { key: 'loss', points: [{ step: 2, value: 0.8, wallMs: 2 }], total: 1 },
    ]);
    assert.deepEqual(store.readMetrics('r1', { keys: ['nope'] }), [{ key: 'nope', points: [], total: 0 }]);
    assert.throws(() => store.readMetrics('r1', { maxPoints: 1 }), workbenchError('invalid_input'));
  });
});

describe('downsampling', () => {
  const N = 100_000;
  const MIN_STEP = 12_345;
  const MAX_STEP = 54_321;
  const NAN_STEP = 77_777;
  const NEG_INF_STEP = 88_888;
  const valueAt: number[] = [];
  const next = lcg(42);
  for (let step = 0; step < N; step++) valueAt.push(next());
  valueAt[MIN_STEP] = -5;
  valueAt[MAX_STEP] = 7;
  valueAt[NAN_STEP] = NaN;
  valueAt[NEG_INF_STEP] = -Infinity;

  /** The steps min/max downsampling must return: per bucket, least and greatest (NaN and ±inf as extremes). */
  function expectedSteps(lo: number, hi: number, buckets: number): number[] {
    const rank = (v: number) => (Number.isNaN(v) ? Infinity : v);
    const best = new Map<number, { min: number; max: number }>();
    for (let step = lo; step <= hi; step++) {
      const b = Math.floor(((step - lo) * buckets) / (hi - lo + 1));
      const cur = best.get(b);
      const v = rank(valueAt[step] ?? NaN);
      if (!cur) best.set(b, { min: step, max: step });
      else {
        if (v < rank(valueAt[cur.min] ?? NaN)) cur.min = step;
        if (v > rank(valueAt[cur.max] ?? NaN)) cur.max = step;
      }
    }
    return [...new Set([...best.values()].flatMap((b) => [b.min, b.max]))].sort((a, b) => a - b);
  }

  function checkPoints(points: MetricPoint[]): void {
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      assert.ok(p);
      if (i > 0) assert.ok(p.step > (points[i - 1]?.step ?? -1), 'steps strictly increase');
      assert.ok(Object.is(p.value, valueAt[p.step]), `value at step ${p.step}`);
      assert.equal(p.wallMs, p.step * 2);
    }
  }

  it('returns at most maxPoints, keeping the global min, max, a NaN spike and -inf, with the right total', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1');
    for (let start = 0; start < N; start += 10_000) {
      const metrics = valueAt
        .slice(start, start + 10_000)
        .map((value, i) => ({ key: 'loss', step: start + i, value, wallMs: (start + i) * 2 }));
      store.commitProgress('r1', { metrics, now: start });
    }
    const [series] = store.readMetrics('r1', { keys: ['loss'], maxPoints: 1250 });
    assert.ok(series);
    assert.equal(series.total, N);
    assert.ok(series.points.length <= 1250, `${series.points.length} points`);
    checkPoints(series.points);
    const byStep = new Map(series.points.map((p) => [p.step, p.value]));
    assert.equal(byStep.get(MIN_STEP), -5);
    assert.equal(byStep.get(MAX_STEP), 7);
    assert.ok(Number.isNaN(byStep.get(NAN_STEP)));
    assert.equal(byStep.get(NEG_INF_STEP), -Infinity);
    assert.deepEqual(
      series.points.map((p) => p.step),
      expectedSteps(0, N - 1, 625),
    );

    const [window] = store.readMetrics('r1', {
      keys: ['loss'],
      maxPoints: 150,
      fromStep: 48_000,
      toStep: 59_999,
    });
    assert.ok(window);
    assert.equal(window.total, 12_000);
    assert.ok(window.points.length <= 150);
    checkPoints(window.points);
    assert.deepEqual(
      window.points.map((p) => p.step),
      expectedSteps(48_000, 59_999, 75),
    );

    // Both reads above are long enough to come from the rollup (rollup.test.ts), and their buckets (160 steps)
    // are made of whole rollup buckets, so they equal the exact buckets; a shorter range is downsampled exactly.
    const [exact] = store.readMetrics('r1', {
      keys: ['loss'],
      maxPoints: 1000,
      fromStep: 70_001,
      toStep: 74_999,
    });
    assert.equal(exact?.total, 4999);
    checkPoints(exact?.points ?? []);
    assert.deepEqual(
      exact?.points.map((p) => p.step),
      expectedSteps(70_001, 74_999, 500),
    );

    const [small] = store.readMetrics('r1', { keys: ['loss'], maxPoints: 1000, fromStep: 100, toStep: 199 });
    assert.equal(small?.total, 100);
    assert.deepEqual(
      small?.points.map((p) => p.step),
      Array.from({ length: 100 }, (_, i) => 100 + i),
      'a range within maxPoints comes back whole',
    );
  });
});

describe('commitProgress', () => {
  const points = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      key: 'loss',
      step: from + i,
      value: 1 / (from + i + 1),
      wallMs: from + i,
    }));

  it('writes metrics, latest values, step, heartbeat and checkpoint together', (t) => {
    const { store, file } = testStore(t);
    addRun(store, 'r1');
    store.commitProgress('r1', {
      metrics: points(1, 10),
      checkpoint: { step: 10, data: new Uint8Array([9, 9]), now: 77 },
      now: 77,
    });
    const run = store.getRun('r1');
    assert.equal(run.step, 10);
    assert.deepEqual(run.latest['loss'], { step: 10, value: 1 / 11, wallMs: 10 });
    assert.equal(store.readMetrics('r1')[0]?.total, 10);
    assert.deepEqual(
      store.listCheckpoints('r1').map((c) => c.step),
      [10],
    );
    assert.deepEqual(rawDb(t, file).prepare("SELECT heartbeat_at FROM runs WHERE id = 'r1'").get(), {
      heartbeat_at: 77,
    });
  });

  it('rolls everything back when a statement inside fails', (t) => {
    const { store, file } = testStore(t);
    addRun(store, 'r1');
    store.commitProgress('r1', {
      metrics: points(1, 10),
      checkpoint: { step: 10, data: new Uint8Array([1]), now: 10 },
      now: 10,
    });
    const db = rawDb(t, file);
    // Sabotage the last statement of the transaction: the checkpoint insert.
    db.exec(
      "CREATE TRIGGER sabotage BEFORE INSERT ON checkpoints BEGIN SELECT RAISE(ABORT, 'disk says no'); END",
    );
    assert.throws(
      () =>
        store.commitProgress('r1', {
          metrics: points(11, 20),
          checkpoint: { step: 20, data: new Uint8Array([2]), now: 20 },
          now: 20,
        }),
      /disk says no/,
    );
    const run = store.getRun('r1');
    assert.equal(run.step, 10);
    assert.deepEqual(run.latest['loss'], { step: 10, value: 1 / 11, wallMs: 10 });
    assert.equal(store.readMetrics('r1')[0]?.total, 10);
    assert.deepEqual(
      store.listCheckpoints('r1').map((c) => c.step),
      [10],
    );
    assert.deepEqual(db.prepare("SELECT heartbeat_at FROM runs WHERE id = 'r1'").get(), { heartbeat_at: 10 });
    db.exec('DROP TRIGGER sabotage');
    store.commitProgress('r1', { metrics: points(11, 20), now: 20 });
    assert.equal(store.getRun('r1').step, 20);
  });

  it('refuses a malformed point before writing anything', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1');
    const bad = [...points(1, 3), { key: 'loss', step: -1, value: 1, wallMs: 1 }];
    assert.throws(
      () => store.commitProgress('r1', { metrics: bad, now: 1 }),
      workbenchError('invalid_input', /step/),
    );
    assert.deepEqual(store.readMetrics('r1'), []);
  });

  it('never moves latest_metrics backwards when an older point arrives late', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1');
    store.commitProgress('r1', { metrics: points(5, 5), now: 1 });
    store.commitProgress('r1', { metrics: points(3, 3), now: 2 });
    assert.equal(store.getRun('r1').latest['loss']?.step, 5);
    assert.equal(store.getRun('r1').step, 5);
  });
});

describe('truncateAfter', () => {
  it('drops later metrics and checkpoints and rebuilds latest values and step', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1');
    for (const ckpt of [30, 60, 90]) {
      const from = ckpt - 29;
      const metrics = Array.from({ length: 30 }, (_, i) => [
        { key: 'loss', step: from + i, value: from + i, wallMs: from + i },
        { key: 'acc', step: from + i, value: -(from + i), wallMs: from + i },
      ]).flat();
      store.commitProgress('r1', {
        metrics,
        checkpoint: { step: ckpt, data: new Uint8Array([ckpt]), now: ckpt },
        now: ckpt,
      });
    }
    store.commitProgress('r1', { metrics: [{ key: 'late', step: 95, value: 1, wallMs: 95 }], now: 95 });
    assert.equal(store.getRun('r1').step, 95);

    store.truncateAfter('r1', 60);
    const run = store.getRun('r1');
    assert.equal(run.step, 60);
    assert.deepEqual(run.latest, {
      acc: { step: 60, value: -60, wallMs: 60 },
      loss: { step: 60, value: 60, wallMs: 60 },
    });
    assert.deepEqual(
      store.readMetrics('r1').map((s) => [s.key, s.total, s.points.at(-1)?.step]),
      [
        ['acc', 60, 60],
        ['loss', 60, 60],
      ],
    );
    assert.deepEqual(
      store.listCheckpoints('r1').map((c) => c.step),
      [30, 60],
    );
    assert.equal(store.latestCheckpoint('r1')?.step, 60);

    // No checkpoint to resume from: the run restarts from scratch.
    store.truncateAfter('r1', -1);
    assert.equal(store.getRun('r1').step, 0);
    assert.deepEqual(store.getRun('r1').latest, {});
    assert.deepEqual(store.readMetrics('r1'), []);
  });
});
