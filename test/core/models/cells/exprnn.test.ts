// Golden test of the exprnn cell (fixture: test/fixtures/golden/exprnn.json), plus orthogonality, init and counts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../../../core/engine/tf.ts';
import { defaultsOf } from '../../../../core/api/params.ts';
import type { Config } from '../../../../core/api/params.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import { effectiveParamCount } from '../../../../core/models/cell.ts';
import { exprnn, exprnnRecurrent } from '../../../../core/models/cells/exprnn.ts';
import { countParams, Model, modelSpecs } from '../../../../core/models/model.ts';
import { prepared, stepContext, unroll } from '../../../../core/models/unroll.ts';
import { describeOnBackends } from '../../../helpers/backends.ts';
import { assertGoldenOnBackend, goldenSuite } from './golden.ts';
import { orthogonalityError, trainOnCopying } from './shared-orthogonal.ts';

goldenSuite('exprnn');

const configOf = (units: number, init = 'cayley'): Config => ({ ...defaultsOf(exprnn.config), units, init });

describeOnBackends('exprnn', (test) => {
  // goldenSuite runs on cpu only; expm's products and the custom gradient run on each backend's kernels.
  test('golden features and gradients', (t) => assertGoldenOnBackend('exprnn', t));

  test('W stays orthogonal to 1e-5 after optimizer steps that move A far (copying task, N = 24)', (t) => {
    const n = 24;
    // The official optimizers (RMSprop, lr_orth = lr/10) with a large lr, so that a few steps move A far:
    // orthogonality must hold by construction, not because the weights barely changed.
    const run = { seed: 41, lr: 0.5, steps: 4, T: 6, batch: 8, layout: 'exprnn' } as const;
    const { model, moved: movedBy } = trainOnCopying(exprnn, configOf(n, 'henaff'), run);
    const moved = movedBy['recurrent_kernel.A']!;
    assert.ok(moved > 0.1, `A moved only ${moved}`);
    const w = tf.tidy(() => exprnnRecurrent(model.variables['recurrent_kernel.A'] as tf.Tensor2D).dataSync());
    const err = orthogonalityError(w, n);
    t.diagnostic(`A moved by up to ${moved.toFixed(3)}; max |WᵀW − I| = ${err.toExponential(2)}`);
    assert.ok(err < 1e-5, `max |WᵀW − I| = ${err}`);
    model.dispose();
  });

  test('W follows the weights: no stale W after an update, through unroll or a bare step', () => {
    const n = 6;
    const config = configOf(n);
    const shape = { inputDim: 2, outputDim: 3, every: false };
    const model = new Model(exprnn, config, shape, Rng.stream(42, 'init'));
    const xs = Rng.stream(42, 'x').normalArray(5 * 4 * 2);
    const features = (m: Model) =>
      tf.tidy(() => {
        const x = tf.tensor3d(xs, [5, 4, 2]);
        return unroll(exprnn, m.variables, config, x, stepContext(false, null), false).features.dataSync();
      });
    const before = features(model);
    const p = model.variables['recurrent_kernel.A']!;
    // An optimizer-like in-place update of P (assign keeps the variable object, changes its data).
    const update = () =>
      tf.tidy(() => p.assign(tf.add(p, tf.mul(0.3, tf.randomNormal(p.shape, 0, 1, 'float32', 7)))));
    update();
    const after = features(model);
    assert.notDeepEqual(after, before);
    // The same numbers as a fresh model holding the updated weights: nothing of the old W survived.
    const fresh = new Model(exprnn, config, shape, model.getWeights());
    assert.deepEqual(after, features(fresh));
    // A bare step with the prepared weights (CellSpec.prepare) computes the formula with the new values.
    const [ours, ref] = tf.tidy(() => {
      const x = tf.tensor2d(xs.slice(0, 8), [4, 2]);
      const h = tf.tensor2d(Rng.stream(42, 'h').normalArray(4 * n), [4, n]);
      const w = prepared(exprnn, model.variables, config);
      const next = exprnn.step(x, [h], w, config, stepContext(false, null))[0]!;
      const pre = tf.add(
        tf.matMul(x, model.variables['input_kernel.weight']!, false, true),
        tf.matMul(h, exprnnRecurrent(p as tf.Tensor2D)),
      );
      const expected = tf.mul(tf.sign(pre), tf.relu(tf.add(tf.abs(pre), model.variables['nonlinearity.b']!)));
      return [next.dataSync(), expected.dataSync()];
    });
    assert.deepEqual(ours, ref);
    model.dispose();
    fresh.dispose();
  });
});

describe('exprnn: initialisation follows lezcano/expRNN initialization.py and orthogonal.py', () => {
  const initOf = (n: number, d: number, init: string) => {
    const rng = Rng.stream(43, 'init');
    return Object.fromEntries(exprnn.weights(d, configOf(n, init)).map((s) => [s.name, s.init(rng)]));
  };

  for (const [init, lo, hi] of [
    ['cayley', -1, 0],
    ['henaff', -Math.PI, Math.PI],
  ] as const)
    it(`${init}: A is 2×2 rotation blocks with θ in [${lo.toFixed(2)}, ${hi.toFixed(2)}], zero elsewhere`, () => {
      for (const n of [7, 8]) {
        const a = initOf(n, 1, init)['recurrent_kernel.A']!;
        const thetas: number[] = [];
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            const v = a[i * n + j]!;
            const block =
              Math.floor(i / 2) === Math.floor(j / 2) && i !== j && Math.max(i, j) < 2 * Math.floor(n / 2);
            if (!block) assert.equal(v, 0, `A[${i}, ${j}] (n = ${n})`);
            else if (i < j) thetas.push(v);
            else assert.equal(v, -a[j * n + i]!, `A[${i}, ${j}] = −A[${j}, ${i}]`);
          }
        assert.equal(thetas.length, Math.floor(n / 2));
        for (const t of thetas) assert.ok(t >= Math.fround(lo) && t <= hi && t !== 0, `θ = ${t}`);
      }
      // The draws fill their range (a wrong range would show): 85 values of θ.
      const big = initOf(171, 1, init)['recurrent_kernel.A']!;
      const all = Array.from({ length: 85 }, (_, k) => big[2 * k * 171 + 2 * k + 1]!);
      assert.ok(Math.min(...all) < lo + 0.2 * (hi - lo) && Math.max(...all) > hi - 0.2 * (hi - lo));
    });

  it('T ~ N(0, 2/d) (kaiming_normal_, relu gain) and b ~ U[−0.01, 0.01]', () => {
    const d = 4;
    const w = initOf(400, d, 'cayley');
    const t = w['input_kernel.weight']!;
    const variance = t.reduce((s, v) => s + v * v, 0) / t.length;
    // 1,600 draws: the sample variance is within ±15% of 2/d with overwhelming probability.
    assert.ok(Math.abs(variance / (2 / d) - 1) < 0.15, `var(T) = ${variance}, expected ${2 / d}`);
    const b = w['nonlinearity.b']!;
    assert.ok(b.every((v) => Math.abs(v) <= 0.01) && Math.max(...b.map(Math.abs)) > 0.009);
  });
});

describe('exprnn: parameter counts and training defaults', () => {
  /** Effective (papers') and stored parameter counts of the MNIST model: input 1, 10 classes at the end. */
  const counts = (units: number) => {
    const specs = modelSpecs(exprnn, configOf(units), { inputDim: 1, outputDim: 10, every: false });
    return { effective: effectiveParamCount(specs), stored: countParams(specs) };
  };

  it('MNIST N = 170 / 360 / 512: 16,415 / 68,950 / 136,970 effective parameters (models-and-tasks.md §6.3)', () => {
    // N(N−1)/2 for A + N for T + N for b + (N + 1)·10 for the readout.
    assert.equal(counts(170).effective, 16_415);
    assert.equal(counts(360).effective, 68_950);
    assert.equal(counts(512).effective, 136_970);
  });

  it('countParams counts the stored N×N matrix: 30,950 for N = 170 (what checkpoints and exports hold)', () => {
    assert.equal(counts(170).stored, 30_950);
  });

  it('A is the orthogonal group (lr_orth = lr/10); defaults are 2_mnist.py’s', () => {
    const groups = exprnn.weights(1, configOf(4)).map((s) => [s.name, s.group ?? 'default']);
    assert.deepEqual(groups, [
      ['recurrent_kernel.A', 'orthogonal'],
      ['input_kernel.weight', 'default'],
      ['nonlinearity.b', 'default'],
    ]);
    assert.deepEqual(exprnn.trainDefaults, {
      optimizer: 'rmsprop',
      lr: 7e-4,
      orthLrScale: 0.1,
      batchSize: 128,
    });
    assert.equal(exprnn.config['units']?.default, 170);
    assert.equal(exprnn.config['init']?.default, 'cayley');
  });
});
