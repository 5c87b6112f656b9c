// vector-field cell: golden fixtures, the orthogonal (expRNN) special case, the general case, training.
import assert from 'node:assert/strict';
import * as tf from '../../../../core/engine/tf.ts';
import { defaultsOf } from '../../../../core/api/params.ts';
import type { Config } from '../../../../core/api/params.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import type { CellSpec, Weights } from '../../../../core/models/cell.ts';
import { exprnn } from '../../../../core/models/cells/exprnn.ts';
import {
  potentialPairs,
  SOFTPLUS_INV_ONE,
  vectorField,
  vectorFieldOperator,
  vectorFieldRecurrent,
} from '../../../../core/models/cells/vector-field.ts';
import { Model } from '../../../../core/models/model.ts';
import type { WeightValues } from '../../../../core/models/model.ts';
import { stepContext, unroll } from '../../../../core/models/unroll.ts';
import { addingBatch } from '../../../../core/tasks/tasks/adding.ts';
import { Stepper } from '../../../../core/training/loop.ts';
import { trainDefaultsFor } from '../../../../core/training/spec.ts';
import { assertAllClose } from '../../../helpers/all-close.ts';
import { describeOnBackends } from '../../../helpers/backends.ts';
import { GOLDEN_TOL, goldenSuite, loadGolden, runGolden } from './golden.ts';

// The general-field fixture (vector-field.json) through the shared golden driver, on cpu.
goldenSuite('vector-field');

const configOf = (over: Config): Config => ({ ...defaultsOf(vectorField.config), ...over });

/** Row-major n × n product AᵀB in float64 (inputs row-major). */
function transposeTimes(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[k * n + i]! * b[k * n + j]!;
      out[i * n + j] = s;
    }
  return out;
}

/** max |Wᵀ M W − M| / max μ in float64 (M = diag(μ); μ = 1: orthogonality error). */
function metricOrthogonalityError(w: ArrayLike<number>, mu: ArrayLike<number>, n: number): number {
  const mw = Float64Array.from(w, (v, idx) => v * mu[Math.floor(idx / n)]!);
  const wmw = transposeTimes(w, mw, n);
  let worst = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(wmw[i * n + j]! - (i === j ? mu[i]! : 0)));
  return worst / Math.max(...Array.from(mu));
}

/** The tensors of `values`, for calls outside a Model. */
const tensorsOf = (values: Record<string, WeightValues>): Weights =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, tf.tensor(v.values, v.shape, 'float32')]));

/**
 * Δt·D of the divergence-free field with M = I, in float64 straight from the formulas (independent of the cell's
 * tensor code): V_j = c_j + Σ_{(a,b)} (±G ψ), D_V = Σ_j diag(V_j) G_j, D = ½(D_V − D_Vᵀ). Row-major [n, n].
 */
function divergenceFreeGenerator(values: Record<string, WeightValues>, n: number, k: number, dt: number) {
  const G = values['gradient.G']!.values;
  const c = values['field.harmonic']!.values;
  const psi = values['potential.psi']!.values;
  const g = (j: number, i: number, l: number) => G[(j * n + i) * n + l]!;
  const V = Array.from({ length: k }, (_, j) => new Float64Array(n).fill(c[j]!));
  potentialPairs(k).forEach(([a, b], q) => {
    for (let i = 0; i < n; i++)
      for (let l = 0; l < n; l++) {
        V[b]![i]! += g(a, i, l) * psi[q * n + l]!;
        V[a]![i]! -= g(b, i, l) * psi[q * n + l]!;
      }
  });
  const raw = new Float64Array(n * n);
  for (let j = 0; j < k; j++)
    for (let i = 0; i < n; i++) for (let l = 0; l < n; l++) raw[i * n + l]! += V[j]![i]! * g(j, i, l);
  return Float64Array.from(raw, (_, idx) => {
    const i = Math.floor(idx / n);
    const l = idx % n;
    return (dt * (raw[i * n + l]! - raw[l * n + i]!)) / 2;
  });
}

/** The cell's initial weights (and the readout's) for `config`, drawn from stream `seed`. */
function initialWeights(config: Config, seed: number): Record<string, WeightValues> {
  const model = new Model(
    vectorField,
    config,
    { inputDim: 1, outputDim: 1, every: false },
    Rng.stream(seed, 'init'),
  );
  const values = model.getWeights();
  model.dispose();
  return values;
}

/** Features at every step [T, B, n] of `cell` with `w` over xs. */
function featuresOf(cell: CellSpec, w: Weights, config: Config, xs: Float32Array, shape: number[]) {
  return tf.tidy(() => {
    const x = tf.tensor3d(xs, shape as [number, number, number]);
    return unroll(cell, w, config, x, stepContext(false, null), true).features.dataSync() as Float32Array;
  });
}

describeOnBackends('vector-field', (test) => {
  // Both fixtures (general and divergence-free) on each backend: goldenSuite covers the first on cpu only.
  for (const name of ['vector-field', 'vector-field-div-free'])
    test(`golden features and gradients (${name}.json, float64 transcription of the construction)`, (t) => {
      const fx = loadGolden(name);
      const ours = runGolden(fx);
      const worst = { features: 0, gradients: 0 };
      const check = (
        actual: ArrayLike<number>,
        expected: { shape: number[]; data: number[] },
        label: string,
        kind: 'features' | 'gradients',
      ) => {
        const r = assertAllClose(actual, expected.data, { ...GOLDEN_TOL, shape: expected.shape, label });
        worst[kind] = Math.max(worst[kind], r.worstRatio);
        t.diagnostic(
          `${label}: max abs err ${r.maxAbsError.toExponential(2)}, max rel err ${r.maxRelError.toExponential(2)}`,
        );
      };
      check(ours.features, fx.features, 'features', 'features');
      check(ours.gradX, fx.grads.x, 'dL/dx', 'gradients');
      for (const [w, g] of Object.entries(fx.grads.weights))
        check(ours.gradW[w]!, g, `dL/d${w}`, 'gradients');
      t.diagnostic(
        `worst element: features ${(worst.features * 100).toFixed(1)}%, gradients ${(worst.gradients * 100).toFixed(1)}% of the tolerance`,
      );
    });

  test('divergence-free, M = I: W = exp(Δt D) is orthogonal to 1e-5 and the cell is the expRNN recurrence with A = Δt Dᵀ', (t) => {
    const n = 12;
    const k = 3;
    const dt = 2;
    const config = configOf({ units: n, directions: k, dt, divergenceFree: true, metric: 'identity' });
    const shape = { inputDim: 2, outputDim: 1, every: false };
    const model = new Model(vectorField, config, shape, Rng.stream(51, 'init'));
    assert.deepEqual(
      model.specs.map((s) => s.name),
      [
        'gradient.G',
        'potential.psi',
        'field.harmonic',
        'input_kernel.weight',
        'nonlinearity.b',
        'readout.weight',
        'readout.bias',
      ],
    );
    const values = model.getWeights();
    const w = tf.tidy(() => vectorFieldRecurrent(model.variables, config).dataSync());
    const ones = new Float64Array(n).fill(1);
    const err = metricOrthogonalityError(w, ones, n);
    t.diagnostic(`max |WᵀW − I| = ${err.toExponential(2)}`);
    assert.ok(err < 1e-5, `max |WᵀW − I| = ${err}`);
    // D itself is skew bit for bit (M = I: no product with μ is formed).
    const d = tf.tidy(() => vectorFieldOperator(model.variables, config).operator.dataSync());
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) assert.ok(d[i * n + j] === -d[j * n + i]!, `D[${i}, ${j}]`);

    // expRNN steps h ↦ modReLU(h exp(A) + x Tᵀ) on rows; ours is h ↦ modReLU(h exp(Δt D)ᵀ + x Uᵀ), so
    // A = Δt Dᵀ, computed here in float64 from the weights, not by the cell.
    const generator = divergenceFreeGenerator(values, n, k, dt);
    const a = Float32Array.from(generator, (_, idx) => generator[(idx % n) * n + Math.floor(idx / n)]!);
    const expW: Weights = tensorsOf({
      'recurrent_kernel.A': { shape: [n, n], values: a },
      'input_kernel.weight': values['input_kernel.weight']!,
      'nonlinearity.b': values['nonlinearity.b']!,
    });
    const xShape = [9, 4, 2];
    const xs = Rng.stream(51, 'x').normalArray(9 * 4 * 2);
    const ours = featuresOf(vectorField, model.variables, config, xs, xShape);
    const theirs = featuresOf(exprnn, expW, { units: n, init: 'cayley' }, xs, xShape);
    // Two float32 pipelines (D in float32 tensor ops here, A rounded from float64 there), each a few ulp of the
    // feature scale off the exact value at every step (modReLU does not squash: features reach ~18 here).
    const scale = Math.max(...ours.map(Math.abs));
    const r = assertAllClose(ours, theirs, {
      rtol: 1e-5,
      atol: 1e-6 * scale,
      label: 'vector-field vs expRNN',
    });
    t.diagnostic(
      `features vs expRNN: max abs err ${r.maxAbsError.toExponential(2)} (max |feature| ${scale.toFixed(2)}), ${(r.worstRatio * 100).toFixed(1)}% of the tolerance`,
    );
    assert.ok(scale > 0.5, 'features too small to compare');
    for (const v of Object.values(expW)) v.dispose();

    // Orthogonal by construction, not by the initial weights: still so after RMSprop steps (lr 0.01 on every
    // group, ~14× the default's 7e-4) that move G by ~0.3, as far as its initial entries (std 1/√12 ≈ 0.29).
    const LR = 0.01;
    const tc = { ...trainDefaultsFor('vector-field'), lr: LR, orthLrScale: 1 } as Config;
    const stepper = new Stepper(model, tc);
    const dataRng = Rng.stream(51, 'data');
    for (let s = 0; s < 3; s++) stepper.step('mse', addingBatch(8, 16, 4, dataRng), dataRng, LR);
    const after = model.getWeights()['gradient.G']!.values;
    const moved = after.reduce((m, v, i) => Math.max(m, Math.abs(v - values['gradient.G']!.values[i]!)), 0);
    const w2 = tf.tidy(() => vectorFieldRecurrent(model.variables, config).dataSync());
    const err2 = metricOrthogonalityError(w2, ones, n);
    t.diagnostic(
      `after 3 steps (G moved by up to ${moved.toFixed(3)}): max |WᵀW − I| = ${err2.toExponential(2)}`,
    );
    assert.ok(moved > 0.02 && err2 < 1e-5, `moved ${moved}, error ${err2}`);
    stepper.dispose();
    model.dispose();
  });

  test('divergence-free, learned M ≠ I: M D is skew and W is M-orthogonal (Wᵀ M W = M) to 1e-5', (t) => {
    const n = 10;
    const config = configOf({ units: n, directions: 2, dt: 1.5, divergenceFree: true });
    const values = initialWeights(config, 52);
    values['metric.m'] = {
      shape: [n],
      values: Rng.stream(52, 'm').normalArray(n, SOFTPLUS_INV_ONE, 0.8),
    };
    const w = tensorsOf(values);
    const [mu, d, wm] = tf.tidy(() => {
      const op = vectorFieldOperator(w, config);
      return [op.metric.dataSync(), op.operator.dataSync(), vectorFieldRecurrent(w, config).dataSync()];
    });
    assert.ok(Math.max(...mu) / Math.min(...mu) > 2, 'M is not far from a multiple of I');
    let skew = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        skew = Math.max(skew, Math.abs(mu[i]! * d[i * n + j]! + mu[j]! * d[j * n + i]!));
    const err = metricOrthogonalityError(wm, mu, n);
    t.diagnostic(
      `max |MD + (MD)ᵀ| = ${skew.toExponential(2)}, max |WᵀMW − M| / max μ = ${err.toExponential(2)}`,
    );
    assert.ok(skew < 1e-6 && err < 1e-5, `skew ${skew}, M-orthogonality ${err}`);
    // M-orthogonal, not orthogonal: the model spans more than SO(n) even without divergence.
    assert.ok(metricOrthogonalityError(wm, new Float64Array(n).fill(1), n) > 1e-2);
    for (const v of Object.values(w)) v.dispose();
  });

  test('general field: W is not orthogonal (singular values spread); integration by parts D + M⁻¹DᵀM = −div V holds', (t) => {
    const n = 12;
    const config = configOf({ units: n, directions: 2, dt: 1 });
    const values = initialWeights(config, 53);
    // At initialisation φ = 0: the same operator as the divergence-free model, bit for bit.
    const divFree = configOf({ units: n, directions: 2, dt: 1, divergenceFree: true });
    const w0 = tensorsOf(values);
    const [d0, dFree] = tf.tidy(() => [
      vectorFieldOperator(w0, config).operator.dataSync(),
      vectorFieldOperator(w0, divFree).operator.dataSync(),
    ]);
    assert.deepEqual(d0, dFree);
    for (const v of Object.values(w0)) v.dispose();

    values['potential.phi'] = { shape: [n], values: Rng.stream(53, 'phi').normalArray(n, 0, 0.5) };
    values['metric.m'] = {
      shape: [n],
      values: Rng.stream(53, 'm').normalArray(n, SOFTPLUS_INV_ONE, 0.5),
    };
    const w = tensorsOf(values);
    const [mu, d, div, wm] = tf.tidy(() => {
      const op = vectorFieldOperator(w, config);
      return [
        op.metric.dataSync(),
        op.operator.dataSync(),
        op.divergence.dataSync(),
        vectorFieldRecurrent(w, config).dataSync(),
      ];
    });
    let ibp = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const adj = (d[j * n + i]! * mu[j]!) / mu[i]!;
        ibp = Math.max(ibp, Math.abs(d[i * n + j]! + adj + (i === j ? div[i]! : 0)));
      }
    assert.ok(ibp < 1e-5, `integration by parts off by ${ibp}`);
    // σ_max ≥ max_j ‖W e_j‖ and σ_min ≤ min_j ‖W e_j‖: two column norms bound the spread from inside.
    const columnNorms = Array.from({ length: n }, (_, j) =>
      Math.sqrt(Array.from({ length: n }, (_, i) => wm[i * n + j]! ** 2).reduce((a, b) => a + b, 0)),
    );
    const [lo, hi] = [Math.min(...columnNorms), Math.max(...columnNorms)];
    t.diagnostic(
      `|D + M⁻¹DᵀM + div V| ≤ ${ibp.toExponential(2)}; column norms of W in [${lo.toFixed(3)}, ${hi.toFixed(3)}] ⇒ σ_min ≤ ${lo.toFixed(3)}, σ_max ≥ ${hi.toFixed(3)}`,
    );
    assert.ok(hi > 1.1 && lo < 0.9, `column norms in [${lo}, ${hi}]`);
    assert.ok(metricOrthogonalityError(wm, mu, n) > 1e-2, 'W is M-orthogonal');
    for (const v of Object.values(w)) v.dispose();
  });

  test('k = 1: no co-exact potentials; divergence-free D = c·½(G − Gᵀ), the constant field along one direction', () => {
    const n = 6;
    const config = configOf({ units: n, directions: 1, divergenceFree: true, metric: 'identity' });
    assert.deepEqual(
      vectorField.weights(2, config).map((s) => [s.name, s.shape]),
      [
        ['gradient.G', [1, n, n]],
        ['field.harmonic', [1]],
        ['input_kernel.weight', [n, 2]],
        ['nonlinearity.b', [n]],
      ],
    );
    const values = initialWeights(config, 55);
    const g = values['gradient.G']!.values;
    const c = values['field.harmonic']!.values[0]!;
    const w = tensorsOf(values);
    const d = tf.tidy(() => vectorFieldOperator(w, config).operator.dataSync());
    const expected = Array.from(d, (_, idx) => {
      const [i, j] = [Math.floor(idx / n), idx % n];
      return (c * g[i * n + j]! - c * g[j * n + i]!) / 2;
    });
    assertAllClose(d, expected, { rtol: 1e-6, atol: 1e-7, label: 'D for k = 1' });
    for (const v of Object.values(w)) v.dispose();
  });

  test('trains: RMSprop steps with the cell’s training defaults lower the adding-problem loss', (t) => {
    const config = configOf({ units: 16 });
    const model = new Model(
      vectorField,
      config,
      { inputDim: 2, outputDim: 1, every: false },
      Rng.stream(54, 'init'),
    );
    const tc = trainDefaultsFor('vector-field') as Config;
    const stepper = new Stepper(model, tc);
    const batch = addingBatch(10, 32, 5, Rng.stream(54, 'data'));
    const noise = Rng.stream(54, 'noise');
    const losses: number[] = [];
    for (let s = 0; s < 30; s++) losses.push(stepper.step('mse', batch, noise, tc['lr'] as number).loss);
    assert.ok(losses.every(Number.isFinite));
    assert.ok(losses.at(-1)! < 0.7 * losses[0]!, `loss ${losses[0]} → ${losses.at(-1)}`);
    // The operator trained too: φ left 0, so the field gained divergence and W is no longer M-orthogonal for the
    // (also trained) metric M: the steps left the group the divergence-free model is confined to.
    const phi = model.getWeights()['potential.phi']!.values;
    const [mu, w] = tf.tidy(() => [
      vectorFieldOperator(model.variables, config).metric.dataSync(),
      vectorFieldRecurrent(model.variables, config).dataSync(),
    ]);
    const err = metricOrthogonalityError(w, mu, 16);
    t.diagnostic(
      `loss ${losses[0]!.toFixed(4)} → ${losses.at(-1)!.toFixed(4)}; max |φ| ${Math.max(...phi.map(Math.abs)).toExponential(2)}, max |WᵀMW − M| / max μ ${err.toExponential(2)}`,
    );
    assert.ok(phi.some((v) => v !== 0) && err > 1e-4, `φ stayed 0 or W is M-orthogonal (${err})`);
    stepper.dispose();
    model.dispose();
  });
});
