// Noisy RNN: golden numbers of erichson/NoisyRNN (evaluation, and training with its noise draws replayed) and the noise.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '../../../../core/engine/tf.ts';
import { defaultsOf, resolveConfig } from '../../../../core/api/params.ts';
import type { Config } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import type { StepContext, Weights } from '../../../../core/models/cell.ts';
import { noisyRnn } from '../../../../core/models/cells/noisy-rnn.ts';
import { Model } from '../../../../core/models/model.ts';
import { prepared, stepContext, unroll } from '../../../../core/models/unroll.ts';
import { assertAllClose } from '../../../helpers/all-close.ts';
import { describeOnBackends } from '../../../helpers/backends.ts';
import type { GoldenFixture } from './golden.ts';
import { GOLDEN_TOL, goldenSuite, loadGolden } from './golden.ts';

goldenSuite('noisy-rnn');

interface Packed {
  shape: number[];
  data: number[];
}

/** noisy-rnn.json adds the official training-mode run, with the noise draws it made (make_noisy_rnn.py). */
interface NoisyFixture extends GoldenFixture {
  train: {
    noise: { normal: Packed; uniform: Packed };
    features: Packed;
    lossValue: number;
    grads: { x: Packed; weights: Record<string, Packed> };
  };
}

/**
 * A training StepContext that hands out the fixture's draws in order: step k's ξ_k from `normal`, u_k from
 * `uniform` (as U[0, 1) values, mapped to [lo, hi) as our RNG's uniform does: lo + (hi − lo)·u).
 */
function replayContext(normal: Packed, uniform: Packed): StepContext & { used: () => [number, number] } {
  const [, B, N] = normal.shape as [number, number, number];
  let kn = 0;
  let ku = 0;
  const slice = (p: Packed, k: number) => p.data.slice(k * B * N, (k + 1) * B * N);
  return {
    training: true,
    normal: (shape) => {
      assert.deepEqual(shape, [B, N]);
      return tf.tensor2d(slice(normal, kn++), shape);
    },
    uniform: (shape, lo, hi) => {
      assert.deepEqual(shape, [B, N]);
      return tf.tensor2d(
        slice(uniform, ku++).map((u) => lo + (hi - lo) * u),
        shape,
      );
    },
    used: () => [kn, ku],
  };
}

describe('noisy-rnn: golden numbers of the official training mode (noise draws replayed)', () => {
  const fx = loadGolden('noisy-rnn') as NoisyFixture;
  const config = resolveConfig(noisyRnn.config, fx.config, 'noisy-rnn');
  const names = Object.keys(fx.weights);
  const tensorOf = (p: Packed) => tf.tensor(Float32Array.from(p.data), p.shape, 'float32');
  let ours: {
    features: Float32Array;
    loss: number;
    gradX: Float32Array;
    gradW: Float32Array[];
    draws: number[];
  };
  before(async () => {
    await selectBackend('cpu');
    ours = tf.tidy(() => {
      const draws: number[] = [];
      const lossOf = (xs: tf.Tensor, ...wl: tf.Tensor[]): tf.Tensor => {
        const w: Weights = Object.fromEntries(names.map((n, i) => [n, wl[i]!]));
        // A fresh replay per evaluation: each forward pass draws ξ_1..ξ_T and u_1..u_T again.
        const ctx = replayContext(fx.train.noise.normal, fx.train.noise.uniform);
        const features = unroll(noisyRnn, w, config, xs as tf.Tensor3D, ctx, true).features;
        draws.push(...ctx.used());
        return tf.sum(tf.mul(features, tensorOf(fx.C)));
      };
      const x = tensorOf(fx.x);
      const ws = names.map((n) => tensorOf(fx.weights[n]!));
      const w: Weights = Object.fromEntries(names.map((n, i) => [n, ws[i]!]));
      const ctx = replayContext(fx.train.noise.normal, fx.train.noise.uniform);
      const features = unroll(
        noisyRnn,
        w,
        config,
        x as tf.Tensor3D,
        ctx,
        true,
      ).features.dataSync() as Float32Array;
      const loss = lossOf(x, ...ws).dataSync()[0]!;
      const [gx, ...gw] = tf.grads(lossOf)([x, ...ws]);
      return {
        features,
        loss,
        gradX: gx!.dataSync() as Float32Array,
        gradW: gw.map((g) => g.dataSync() as Float32Array),
        draws,
      };
    });
  });

  it('one ξ and one u per step, in that order', () => {
    const T = fx.sizes.T;
    assert.deepEqual(ours.draws, [T, T, T, T]);
  });

  it('features at every step and the loss', (t) => {
    const r = assertAllClose(ours.features, fx.train.features.data, {
      ...GOLDEN_TOL,
      shape: fx.train.features.shape,
    });
    t.diagnostic(`worst: ${(r.worstRatio * 100).toFixed(1)}% of the tolerance`);
    assertAllClose([ours.loss], [fx.train.lossValue], GOLDEN_TOL);
  });

  it('gradients with respect to x and every weight', (t) => {
    const worst = [
      assertAllClose(ours.gradX, fx.train.grads.x.data, { ...GOLDEN_TOL, label: 'dL/dx' }),
      ...names.map((n, i) =>
        assertAllClose(ours.gradW[i]!, fx.train.grads.weights[n]!.data, { ...GOLDEN_TOL, label: `dL/d${n}` }),
      ),
    ].reduce((m, r) => Math.max(m, r.worstRatio), 0);
    t.diagnostic(`worst: ${(worst * 100).toFixed(1)}% of the tolerance`);
  });
});

const T = 6;
const B = 3;
const D = 2;
const X_VALUES = Rng.stream(31, 'noisy-rnn inputs').normalArray(T * B * D);
const shape = { inputDim: D, outputDim: 2, every: true };
const configWith = (overrides: Config): Config => ({
  ...defaultsOf(noisyRnn.config),
  units: 5,
  ...overrides,
});

/** Model outputs [T, B, 2] for the fixed inputs, in training mode with `rng` or in evaluation mode. */
function outputs(model: Model, training: boolean, rng: Rng | null): Float32Array {
  return tf.tidy(
    () => model.forward(tf.tensor3d(X_VALUES, [T, B, D]), training, rng).dataSync() as Float32Array,
  );
}

describeOnBackends('noisy-rnn: noise injection', (test) => {
  test('σ_add = σ_mult = 0: training equals evaluation, and no random number is drawn', () => {
    const model = new Model(
      noisyRnn,
      configWith({ addNoise: 0, multNoise: 0 }),
      shape,
      Rng.stream(3, 'init'),
    );
    const rng = Rng.stream(4, 'noise');
    const before = rng.state();
    assert.deepEqual(outputs(model, true, rng), outputs(model, false, null));
    assert.deepEqual(rng.state(), before);
    model.dispose();
  });

  test('with noise: training differs from evaluation, is reproducible for a seed, and changes with it', () => {
    const model = new Model(
      noisyRnn,
      configWith({ addNoise: 0.05, multNoise: 0.3 }),
      shape,
      Rng.stream(3, 'init'),
    );
    const evaluation = outputs(model, false, null);
    const a = outputs(model, true, Rng.stream(4, 'noise'));
    const b = outputs(model, true, Rng.stream(4, 'noise'));
    const c = outputs(model, true, Rng.stream(5, 'noise'));
    assert.notDeepEqual(a, evaluation);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    // Evaluation mode ignores the noise settings: the same weights with σ = 0 give the same outputs.
    const quiet = new Model(
      noisyRnn,
      configWith({ addNoise: 0, multNoise: 0 }),
      shape,
      Rng.stream(3, 'init'),
    );
    assert.deepEqual(outputs(quiet, false, null), evaluation);
    model.dispose();
    quiet.dispose();
  });

  /**
   * One step from h_0 = 0 with many rows (B·N = 16,000 samples): training − evaluation isolates what the noise
   * does. Bounds are generous (≥ 5 standard errors of each estimate); the seed is fixed, so the test is exact.
   */
  const rows = 2000;
  const units = 8;
  function oneStep(config: Config, training: boolean, rng: Rng | null): Float32Array {
    const model = new Model(
      noisyRnn,
      config,
      { inputDim: D, outputDim: 1, every: false },
      Rng.stream(6, 'init'),
    );
    const xs = Rng.stream(7, 'noisy-rnn step inputs').normalArray(rows * D);
    const out = tf.tidy(() => {
      const x = tf.tensor2d(xs, [rows, D]);
      const w = prepared(noisyRnn, model.variables, config);
      const state = noisyRnn.initState(rows, w, config);
      return noisyRnn.step(x, state, w, config, stepContext(training, rng))[0]!.dataSync();
    });
    model.dispose();
    return out as Float32Array;
  }
  const meanVar = (v: number[]) => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return [mean, v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)] as const;
  };

  test('additive noise: σ_add·ξ with sample mean ≈ 0 and variance ≈ σ_add²', (t) => {
    const sigma = 0.1;
    const config = configWith({ units, addNoise: sigma, multNoise: 0 });
    const train = oneStep(config, true, Rng.stream(8, 'noise'));
    const evaluation = oneStep(config, false, null);
    const injected = Array.from(train, (v, i) => v - evaluation[i]!);
    const [mean, variance] = meanVar(injected);
    const n = injected.length;
    assert.ok(Math.abs(mean) < (5 * sigma) / Math.sqrt(n), `mean ${mean}`);
    // sd of the sample variance of a normal: σ²·√(2/(n − 1)) ≈ 1.1% of σ² here; allow 10%.
    assert.ok(Math.abs(variance / sigma ** 2 - 1) < 0.1, `variance ${variance} vs σ² = ${sigma ** 2}`);
    t.diagnostic(
      `n = ${n}: mean ${mean.toExponential(2)}, variance / σ² = ${(variance / sigma ** 2).toFixed(4)}`,
    );
  });

  test('multiplicative noise: the step is scaled by m ~ U[1 − σ_mult, 1] (range, mean, variance)', (t) => {
    const sigma = 0.5;
    const config = configWith({ units, addNoise: 0, multNoise: sigma, eps: 0.5 });
    const train = oneStep(config, true, Rng.stream(9, 'noise'));
    const evaluation = oneStep(config, false, null);
    // From h_0 = 0, training gives d ⊙ m ⊙ f and evaluation d ⊙ f: their ratio is m (where d ⊙ f is not tiny).
    const m = Array.from(train, (v, i) => v / evaluation[i]!).filter(
      (_, i) => Math.abs(evaluation[i]!) > 1e-3,
    );
    assert.ok(m.length > 10000, `only ${m.length} usable samples`);
    assert.ok(
      m.every((v) => v >= 1 - sigma - 1e-5 && v <= 1 + 1e-5),
      'm outside [1 − σ, 1]',
    );
    const [mean, variance] = meanVar(m);
    // U[1 − σ, 1]: mean 1 − σ/2, variance σ²/12 (sd of the mean σ/√(12 n) ≈ 1.2e-3 here).
    assert.ok(Math.abs(mean - (1 - sigma / 2)) < 0.01, `mean ${mean} vs ${1 - sigma / 2}`);
    assert.ok(Math.abs(variance / (sigma ** 2 / 12) - 1) < 0.1, `variance ${variance} vs ${sigma ** 2 / 12}`);
    t.diagnostic(
      `n = ${m.length}: mean ${mean.toFixed(5)}, variance / (σ²/12) = ${(variance / (sigma ** 2 / 12)).toFixed(4)}`,
    );
  });
});
