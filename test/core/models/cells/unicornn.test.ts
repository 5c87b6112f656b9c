// UnICORNN: golden numbers of the official model (eval and dropout), its psMNIST shapes and init, dropout and boundedness.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../../../core/engine/tf.ts';
import { defaultsOf, resolveConfig } from '../../../../core/api/params.ts';
import type { Config } from '../../../../core/api/params.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import type { StepContext, Weights } from '../../../../core/models/cell.ts';
import { unicornn } from '../../../../core/models/cells/unicornn.ts';
import { countParams, modelSpecs } from '../../../../core/models/model.ts';
import { stepContext, unroll } from '../../../../core/models/unroll.ts';
import { assertAllClose } from '../../../helpers/all-close.ts';
import { describeOnBackends } from '../../../helpers/backends.ts';
import { GOLDEN_TOL, goldenSuite, loadGolden } from './golden.ts';
import type { GoldenFixture } from './golden.ts';

goldenSuite('unicornn');

interface Packed {
  shape: number[];
  data: number[];
}

interface InitStats {
  n: number;
  min: number;
  max: number;
  mean: number;
  std: number;
}

/** The extra sections make_unicornn.py writes beside the common golden layout. */
interface UnicornnFixture extends GoldenFixture {
  dropout: {
    p: number;
    uniforms: Packed[];
    features: Packed;
    lossValue: number;
    grads: { x: Packed; weights: Record<string, Packed> };
  };
  officialModel: {
    args: { ninp: number; nhid: number; nout: number; dt: number; alpha: number; n_layers: number };
    stateDict: [string, number[]][];
    paramCount: number;
    init: Record<string, InitStats>;
  };
}

const fx = loadGolden('unicornn') as UnicornnFixture;

const tensorOf = (p: Packed): tf.Tensor => tf.tensor(Float32Array.from(p.data), p.shape, 'float32');

/** The psMNIST configuration of the official script (psMNIST/psMNIST_task.py defaults). */
function psmnistConfig(units = fx.officialModel.args.nhid): Config {
  const a = fx.officialModel.args;
  return { ...defaultsOf(unicornn.config), units, layers: a.n_layers, dt: a.dt, alpha: a.alpha };
}

/** Initial weights of the cell as tensors, drawn by its own initialisers. */
function initWeights(config: Config, inputDim: number, seed: number): Record<string, tf.Tensor> {
  const rng = Rng.stream(seed, 'unicornn init');
  return Object.fromEntries(
    unicornn.weights(inputDim, config).map((s) => [s.name, tf.tensor(s.init(rng), s.shape, 'float32')]),
  );
}

/** A training StepContext whose uniform draws are the fixture's stored uniforms, in order (normals refused). */
function replayContext(uniforms: readonly Packed[]): StepContext {
  const queue = [...uniforms];
  return {
    training: true,
    normal: () => {
      throw new Error('unicornn draws no normals');
    },
    uniform: (shape, lo, hi) => {
      const u = queue.shift();
      if (!u) throw new Error('unicornn drew more uniforms than one per layer');
      assert.deepEqual([lo, hi], [0, 1]);
      assert.deepEqual(shape, u.shape);
      return tf.tensor2d(Float32Array.from(u.data), shape);
    },
  };
}

describe('unicornn: the official psMNIST model', () => {
  it(`state_dict names and shapes, and ${fx.officialModel.paramCount} parameters (computed from the official module)`, () => {
    const a = fx.officialModel.args;
    const specs = modelSpecs(unicornn, psmnistConfig(), {
      inputDim: a.ninp,
      outputDim: a.nout,
      every: false,
    });
    // The official classifier is our model's readout; everything else carries the official name.
    const ours = specs.map((s) => `${s.name.replace(/^readout\./, 'classifier.')} [${s.shape.join(', ')}]`);
    const official = fx.officialModel.stateDict.map(([n, shape]) => `${n} [${shape.join(', ')}]`);
    assert.deepEqual(ours.sort(), official.sort());
    // Cell weights in the official state_dict order (the classifier sits between DIs and RNNs there).
    assert.deepEqual(
      unicornn.weights(a.ninp, psmnistConfig()).map((s) => s.name),
      fx.officialModel.stateDict.map(([n]) => n).filter((n) => !n.startsWith('classifier.')),
    );
    assert.equal(countParams(specs), fx.officialModel.paramCount);
  });

  it('initial values have the ranges and spreads of the official initial values', () => {
    const a = fx.officialModel.args;
    const rng = Rng.stream(21, 'unicornn init');
    for (const spec of unicornn.weights(a.ninp, psmnistConfig())) {
      const official = fx.officialModel.init[spec.name]!;
      const v = spec.init(rng);
      assert.equal(v.length, official.n, spec.name);
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      let sq = 0;
      for (const e of v) {
        min = Math.min(min, e);
        max = Math.max(max, e);
        sum += e;
        sq += e * e;
      }
      const mean = sum / v.length;
      const std = Math.sqrt(Math.max(0, sq / v.length - mean * mean));
      if (official.std === 0) {
        assert.ok(min === official.min && max === official.max, `${spec.name}: constant ${official.min}`);
        continue;
      }
      // Both are samples of a uniform law; 5 standard errors of the difference of two sample statistics (a uniform
      // sample's std has relative standard error √(0.8 / 4n)), and extremes within 3% of the range of each other.
      const range = official.max - official.min;
      const seStd = official.std * Math.sqrt(0.8 / (4 * v.length)) * Math.SQRT2;
      const seMean = (official.std / Math.sqrt(v.length)) * Math.SQRT2;
      assert.ok(
        Math.abs(std - official.std) <= 5 * seStd,
        `${spec.name}: std ${std} vs official ${official.std}`,
      );
      assert.ok(
        Math.abs(mean - official.mean) <= 5 * seMean,
        `${spec.name}: mean ${mean} vs ${official.mean}`,
      );
      assert.ok(Math.abs(min - official.min) <= 0.03 * range, `${spec.name}: min ${min} vs ${official.min}`);
      assert.ok(Math.abs(max - official.max) <= 0.03 * range, `${spec.name}: max ${max} vs ${official.max}`);
    }
  });
});

describeOnBackends('unicornn', (test) => {
  test('training with dropout: features and gradients of the official forward given the same masks', () => {
    const d = fx.dropout;
    const config = resolveConfig(unicornn.config, { ...fx.config, dropout: d.p }, 'unicornn');
    const names = Object.keys(fx.weights);
    const ours = tf.tidy(() => {
      const x = tensorOf(fx.x);
      const C = tensorOf(fx.C);
      const ws = names.map((n) => tensorOf(fx.weights[n]!));
      const featuresOf = (xs: tf.Tensor, wl: tf.Tensor[]): tf.Tensor => {
        const w = Object.fromEntries(names.map((n, i) => [n, wl[i]!]));
        return unroll(unicornn, w, config, xs as tf.Tensor3D, replayContext(d.uniforms), true).features;
      };
      const lossOf = (xs: tf.Tensor, ...wl: tf.Tensor[]): tf.Tensor => tf.sum(tf.mul(featuresOf(xs, wl), C));
      const [gx, ...gw] = tf.grads(lossOf)([x, ...ws]);
      return {
        features: featuresOf(x, ws).dataSync(),
        loss: lossOf(x, ...ws).dataSync()[0]!,
        gradX: gx!.dataSync(),
        gradW: gw.map((g) => g.dataSync()),
      };
    });
    const tol = { ...GOLDEN_TOL };
    assertAllClose(ours.features, d.features.data, {
      ...tol,
      shape: d.features.shape,
      label: 'dropout features',
    });
    assertAllClose([ours.loss], [d.lossValue], { ...tol, label: 'dropout loss' });
    assertAllClose(ours.gradX, d.grads.x.data, {
      ...tol,
      shape: d.grads.x.shape,
      label: 'dropout dL/dx',
    });
    names.forEach((n, i) => {
      const g = d.grads.weights[n]!;
      assertAllClose(ours.gradW[i]!, g.data, { ...tol, shape: g.shape, label: `dropout dL/d${n}` });
    });
  });

  test('dropout masks: drawn once per sequence, constant over time, {0, 1/(1−p)}, absent at evaluation', () => {
    const [T, B, D, N, L, p] = [12, 32, 3, 16, 2, 0.25];
    const config: Config = { ...defaultsOf(unicornn.config), units: N, layers: L, dropout: p };
    const scale = Math.fround(1 / (1 - p));
    const xValues = Rng.stream(31, 'unicornn dropout inputs').normalArray(T * B * D);
    tf.tidy(() => {
      const w: Weights = initWeights(config, D, 32);
      const xs = tf.tensor3d(xValues, [T, B, D]);
      /** Steps by hand so the state at every step can be inspected. */
      const trace = (ctx: StepContext, cfg: Config) => {
        let state = unicornn.initState(B, w, cfg);
        const steps = tf.unstack(xs, 0) as tf.Tensor2D[];
        return steps.map((x) => {
          state = unicornn.step(x, state, w, cfg, ctx);
          return {
            length: state.length,
            masks: state.slice(2 * L).map((m) => m.dataSync()),
            yLast: state[2 * (L - 1)]!.dataSync(),
            features: unicornn.features(state, cfg).dataSync(),
          };
        });
      };

      const train = trace(stepContext(true, Rng.stream(33, 'dropout')), config);
      const first = train[0]!.masks;
      assert.equal(first.length, L, 'one mask per layer');
      for (const [t, s] of train.entries()) {
        assert.equal(s.length, 3 * L, `step ${t}: state [y, z] per layer + masks`);
        s.masks.forEach((m, l) => assert.deepEqual(m, first[l], `layer ${l} mask changed at step ${t}`));
        // The readout sees the last layer's y times its mask, elementwise.
        const m = first[L - 1]!;
        for (let k = 0; k < m.length; k++)
          assert.equal(s.features[k], Math.fround(s.yLast[k]! * m[k]!), `step ${t}, feature ${k}`);
      }
      let kept = 0;
      for (const m of first)
        for (const v of m) {
          assert.ok(v === 0 || v === scale, `mask entry ${v} is neither 0 nor 1/(1−p) = ${scale}`);
          if (v !== 0) kept++;
        }
      // Bernoulli(1 − p) over L·B·N entries: within 5 standard deviations of 1 − p.
      const total = L * B * N;
      const sd = Math.sqrt((p * (1 - p)) / total);
      assert.ok(
        Math.abs(kept / total - (1 - p)) <= 5 * sd,
        `kept fraction ${kept / total}, expected ${1 - p}`,
      );
      assert.notDeepEqual(first[0], first[1], 'layers draw independent masks');

      // Same RNG stream: same masks; the draw is seeded, not global.
      const again = trace(stepContext(true, Rng.stream(33, 'dropout')), config);
      assert.deepEqual(again[T - 1]!.masks, first);

      // Evaluation draws nothing (a null RNG would throw), carries no masks, and reads y unmasked; so does
      // training with p = 0; and with p > 0 the training features do differ.
      const evalRun = trace(stepContext(false, null), config);
      const noDrop = trace(stepContext(true, null), { ...config, dropout: 0 });
      for (const [t, s] of evalRun.entries()) {
        assert.equal(s.length, 2 * L, `eval step ${t}: no masks in the state`);
        assert.deepEqual(s.features, s.yLast);
        assert.deepEqual(noDrop[t]!.features, s.features, `step ${t}: p = 0 training vs evaluation`);
      }
      assert.notDeepEqual(train[T - 1]!.features, evalRun[T - 1]!.features);
    });
  });

  test('bounded states over T = 2000 steps: the discrete energy bound, and no growth under a constant drive', (t) => {
    // Official psMNIST hyper-parameters and initialisation, 3 layers; 32 units keep the test fast.
    const [T, B, N] = [2000, 4, 32];
    const config = psmnistConfig(N);
    const L = config['layers'] as number;
    const alpha = config['alpha'] as number;
    const dt = config['dt'] as number;
    const w = initWeights(config, 1, 41);
    // Per-unit steps s = Δt·sigmoid(c), in float64 from the float32 weights.
    const s = Array.from({ length: L }, (_, l) =>
      Array.from(w[`RNNs.${l}.c_`]!.dataSync(), (c) => dt / (1 + Math.exp(-c))),
    );
    const sMax = Math.max(...s.flat());
    // Q(y, z) = α y² + z² − s α y z is invariant under the unforced symplectic-Euler step; it is a norm² iff s²α < 4.
    assert.ok(
      sMax * sMax * alpha < 4,
      `s²α = ${sMax * sMax * alpha}: the oscillators are not in their stable range`,
    );

    // One batch of 2·B sequences: rows 0..B−1 get i.i.d. N(0, 1) inputs, rows B..2B−1 a constant N(0, 1) level.
    const random = Rng.stream(42, 'unicornn long inputs').normalArray(T * B);
    const level = Rng.stream(43, 'unicornn constant inputs').normalArray(B);
    const inputs = new Float32Array(T * 2 * B);
    for (let n = 0; n < T; n++)
      for (let b = 0; b < B; b++) {
        inputs[n * 2 * B + b] = random[n * B + b]!;
        inputs[n * 2 * B + B + b] = level[b]!;
      }

    // y and z of every layer at every step, as [layer][(step·2B + row)·N + unit]. Each step's intermediates are
    // freed as it goes (reading back step by step is cheaper here than keeping 2000 states and stacking them).
    const ys = Array.from({ length: L }, () => new Float32Array(T * 2 * B * N));
    const zs = Array.from({ length: L }, () => new Float32Array(T * 2 * B * N));
    const ctx = stepContext(false, null);
    let state = unicornn.initState(2 * B, w, config);
    for (let n = 0; n < T; n++) {
      const prev = state;
      const x = tf.tensor2d(inputs.subarray(n * 2 * B, (n + 1) * 2 * B), [2 * B, 1]);
      state = tf.tidy(() => unicornn.step(x, prev, w, config, ctx));
      for (const v of [x, ...prev]) v.dispose();
      for (let l = 0; l < L; l++) {
        ys[l]!.set(state[2 * l]!.dataSync(), n * 2 * B * N);
        zs[l]!.set(state[2 * l + 1]!.dataSync(), n * 2 * B * N);
      }
    }
    for (const v of state) v.dispose();
    /** max |a| over the first `steps` steps and the rows [r0, r0 + B). */
    const maxAbs = (a: Float32Array, steps: number, r0: number) => {
      let m = 0;
      for (let n = 0; n < steps; n++)
        for (let k = (n * 2 * B + r0) * N; k < (n * 2 * B + r0 + B) * N; k++)
          m = Math.max(m, Math.abs(a[k]!));
      return m;
    };

    for (const [label, r0] of [
      ['random', 0],
      ['constant', B],
    ] as const) {
      // Rigorous, for any input and every layer: the step is v_n = M v_{n−1} + g_n (s, 1) with M the unforced
      // map (det 1, Q-invariant), g_n = −s·tanh(·), |g_n| ≤ s and Q(s, 1) = 1, so by the triangle inequality in
      // the Q-norm √Q(y_n, z_n) ≤ √Q(y_{n−1}, z_{n−1}) + s, i.e. √Q(y_n, z_n) ≤ n·s from y_0 = z_0 = 0.
      let worst = 0;
      for (let l = 0; l < L; l++)
        for (let n = 0; n < T; n++)
          for (let b = r0; b < r0 + B; b++)
            for (let i = 0; i < N; i++) {
              const k = (n * 2 * B + b) * N + i;
              const [y, z, si] = [ys[l]![k]!, zs[l]![k]!, s[l]![i]!];
              const q = Math.sqrt(alpha * y * y + z * z - si * alpha * y * z);
              worst = Math.max(worst, q / ((n + 1) * si));
            }
      assert.ok(worst <= 1 + 1e-4, `${label} inputs: √Q / (n·s) reached ${worst} > 1`);
      const growth = Array.from({ length: L }, (_, l) =>
        [ys[l]!, zs[l]!].map((a) => maxAbs(a, T, r0) / maxAbs(a, 500, r0)),
      );
      t.diagnostic(
        `${label} inputs: max √Q/(n·s) ${worst.toFixed(3)}; max|y|, max|z| over 2000 steps / over 500, per layer: ` +
          growth.map(([gy, gz], l) => `L${l} ${gy!.toFixed(2)}, ${gz!.toFixed(2)}`).join('; '),
      );
      if (label === 'random') {
        // Undamped oscillators driven by i.i.d. inputs diffuse (amplitude ~ √T, ratio ≈ 2 for 4× the steps);
        // 4× (the linear growth of the bound, reached only by resonant inputs) would mean something else.
        const [gy0, gz0] = growth[0]!;
        assert.ok(gy0! < 4 && gz0! < 4, `first layer grew ${gy0}× / ${gz0}× from T = 500 to 2000`);
        continue;
      }
      // Constant drive: the first layer is a conservative oscillator with energy
      // H = ½z² + ½αy² + (1/w)(log cosh(w y + x) − log cosh x), H(0) = 0 and |log cosh'| ≤ 1, so
      // α y²/2 − |y| ≤ 0 and z²/2 ≤ |y| − α y²/2: |y| ≤ 2/α, |z| ≤ 1/√α in continuous time. Symplectic Euler
      // keeps a nearby invariant; its linear part stretches the ellipse by 1/√(1 − s²α/4), the allowance used here.
      const stretch = 1 / Math.sqrt(1 - (sMax * sMax * alpha) / 4);
      const [y500, y2000] = [maxAbs(ys[0]!, 500, r0), maxAbs(ys[0]!, T, r0)];
      const [z500, z2000] = [maxAbs(zs[0]!, 500, r0), maxAbs(zs[0]!, T, r0)];
      assert.ok(
        y2000 <= (2 / alpha) * stretch,
        `constant drive: max|y| ${y2000} > 2/α·${stretch.toFixed(3)}`,
      );
      assert.ok(
        z2000 <= stretch / Math.sqrt(alpha),
        `constant drive: max|z| ${z2000} > 1/√α·${stretch.toFixed(3)}`,
      );
      assert.ok(
        y2000 <= y500 * 1.01 && z2000 <= z500 * 1.01,
        'constant drive: the first layer grew after T = 500',
      );
    }
    for (const v of Object.values(w)) v.dispose();
  });
});
