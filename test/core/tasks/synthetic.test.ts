// Adding and copying: the exact constructions of models-and-tasks.md §7.1–7.2, seeded, with their baselines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultsOf } from '../../../core/api/params.ts';
import { Rng } from '../../../core/engine/rng.ts';
import { getTask } from '../../../core/tasks/registry.ts';
import { addingBatch } from '../../../core/tasks/tasks/adding.ts';
import { copyingBatch } from '../../../core/tasks/tasks/copying.ts';

describe('adding problem', () => {
  it('has two markers, one in each half, and the target is the sum of the marked values', () => {
    const T = 11;
    const B = 40;
    const b = addingBatch(T, B, Math.floor(T / 2), Rng.stream(1, 'data'));
    assert.deepEqual(b.xShape, [T, B, 2]);
    for (let j = 0; j < B; j++) {
      const marked = [];
      for (let t = 0; t < T; t++) if (b.x[(t * B + j) * 2 + 1] === 1) marked.push(t);
      assert.equal(marked.length, 2);
      assert.ok(marked[0]! < 5 && marked[1]! >= 5, `markers ${marked.join(',')}`);
      const sum = marked.reduce((s, t) => s + b.x[(t * B + j) * 2]!, 0);
      assert.ok(Math.abs(b.y[j]! - sum) < 1e-6);
    }
  });

  it('splits at ⌊(T−1)/2⌋ in the scoRNN layout', () => {
    const task = getTask('adding');
    const data = task.data({ ...defaultsOf(task.config), seqLen: 10, layout: 'scornn', evalSize: 200 }, 3);
    const [b] = data.evalBatches(200);
    for (let j = 0; j < 200; j++) {
      const marked = [];
      for (let t = 0; t < 10; t++) if (b!.x[(t * 200 + j) * 2 + 1] === 1) marked.push(t);
      assert.ok(marked[0]! < 4 && marked[1]! >= 4);
    }
  });

  it('has baseline 1/6, reached by predicting 1', () => {
    const task = getTask('adding');
    assert.equal(task.baseline(defaultsOf(task.config)), 1 / 6);
    const b = addingBatch(50, 20000, 25, Rng.stream(5, 'data'));
    const mse = Array.from(b.y).reduce((s, y) => s + (y - 1) ** 2, 0) / b.y.length;
    assert.ok(Math.abs(mse - 1 / 6) < 0.005, `mse of predicting 1: ${mse}`);
  });
});

describe('copying memory', () => {
  const symbolsAt = (x: Float32Array, L: number, B: number, j: number) =>
    Array.from({ length: L }, (_, t) => x.subarray((t * B + j) * 10, (t * B + j + 1) * 10).indexOf(1));

  it('uRNN layout: [s, 0×(T−1), 9, 0×10] → [0×(T+10), s]', () => {
    const T = 6;
    const b = copyingBatch(T, 3, 'urnn', Rng.stream(1, 'd'));
    const x = symbolsAt(b.x, T + 20, 3, 1);
    const s = x.slice(0, 10);
    assert.ok(s.every((v) => v >= 1 && v <= 8));
    assert.deepEqual(x.slice(10), [...Array<number>(T - 1).fill(0), 9, ...Array<number>(10).fill(0)]);
    const y = Array.from({ length: T + 20 }, (_, t) => b.y[t * 3 + 1]);
    assert.deepEqual(y, [...Array<number>(T + 10).fill(0), ...s]);
  });

  it('expRNN layout: [s, 0×T, 9, 0×9], recall starts at the marker', () => {
    const T = 6;
    const b = copyingBatch(T, 2, 'exprnn', Rng.stream(1, 'd'));
    const x = symbolsAt(b.x, T + 20, 2, 0);
    assert.equal(x.indexOf(9), 10 + T);
    const y = Array.from({ length: T + 20 }, (_, t) => b.y[t * 2]);
    assert.equal(
      y.findIndex((v) => v !== 0),
      10 + T,
    );
  });

  it('has the memoryless baseline 10 ln 8 / (T + 20)', () => {
    const task = getTask('copying');
    assert.ok(Math.abs(task.baseline({ ...defaultsOf(task.config), seqLen: 100 }) - 0.17329) < 1e-5);
    assert.ok(Math.abs(task.baseline({ ...defaultsOf(task.config), seqLen: 1000 }) - 0.02039) < 1e-5);
  });
});

describe('synthetic data streams', () => {
  it('draws the same batches from the same RNG state; the held-out set ignores training draws', () => {
    const task = getTask('adding');
    const config = { ...defaultsOf(task.config), seqLen: 8, evalSize: 30 };
    const d1 = task.data(config, 9);
    const d2 = task.data(config, 9);
    assert.deepEqual(d1.trainBatch(4, Rng.stream(9, 'data')).x, d2.trainBatch(4, Rng.stream(9, 'data')).x);
    d1.trainBatch(16, Rng.stream(1, 'other'));
    assert.deepEqual(
      d1.evalBatches(7).map((b) => b.x),
      d2.evalBatches(7).map((b) => b.x),
    );
    assert.equal(
      d1.evalBatches(7).reduce((n, b) => n + b.xShape[1], 0),
      30,
    );
  });

  it('samples training batches from a set drawn once when data=fixed', () => {
    const task = getTask('copying');
    const config = { ...defaultsOf(task.config), seqLen: 5, data: 'fixed', trainSize: 3, evalSize: 2 };
    const data = task.data(config, 4);
    const rng = Rng.stream(4, 'data');
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const b = data.trainBatch(1, rng);
      seen.add(Array.from(b.y).join(','));
    }
    assert.ok(seen.size <= 3 && seen.size >= 2, `distinct examples ${seen.size}`);
  });
});
