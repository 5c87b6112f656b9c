// Golden test of the urnn cell (fixture: test/fixtures/golden/urnn.json), plus unitarity, Π and parameter count.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import * as tf from '../../../../core/engine/tf.ts';
import { defaultsOf } from '../../../../core/api/params.ts';
import type { Config } from '../../../../core/api/params.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import { urnn, urnnPermutation, urnnRecurrent } from '../../../../core/models/cells/urnn.ts';
import { countParams, Model, modelSpecs } from '../../../../core/models/model.ts';
import { describeOnBackends } from '../../../helpers/backends.ts';
import { assertGoldenOnBackend, goldenSuite, loadGolden } from './golden.ts';
import { COPYING_SHAPE, trainOnCopying } from './shared-orthogonal.ts';

goldenSuite('urnn');

/** The fixture's extra record: numpy.random.RandomState(seed).permutation(n) for several seeds and sizes. */
interface PermutationFixture {
  permutation: number[];
  config: { permSeed: number };
  numpyPermutations: { seed: number; n: number; perm: number[] }[];
}

const configOf = (units: number): Config => ({ ...defaultsOf(urnn.config), units });

/**
 * max over entries of |W*W − I| for the complex n × n matrix W of the recurrent operator, read off by applying
 * it to the identity basis (rows 0..n−1: e_k, rows n..2n−1: i·e_k), computed in float64 here; also
 * returns how far W is from complex-linear (W(i e_k) = i W(e_k)), which unitarity of the complex W presumes.
 */
function unitarityError(
  weights: Record<string, tf.Tensor>,
  config: Config,
): { unitary: number; linear: number } {
  const n = config['units'] as number;
  const m = 2 * n;
  // Basis rows: e_k (re = I, im = 0) for k < n, then i·e_k (re = 0, im = I); `rows` is [W(row) re | im] per row.
  const rows = tf.tidy(() => {
    const eye = tf.eye(n);
    const zero = tf.zeros<tf.Rank.R2>([n, n]);
    const [re, im] = urnnRecurrent(tf.concat([eye, zero]), tf.concat([zero, eye]), weights, config);
    return tf.concat([re, im], 1).dataSync();
  });
  // Column k of W (k < n) is W e_k = rows[k][:n] + i rows[k][n:].
  const re = (j: number, k: number) => rows[k * m + j]!;
  const im = (j: number, k: number) => rows[k * m + n + j]!;
  let unitary = 0;
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) {
      // (W*W)_ab = Σ_j conj(W_ja) W_jb
      let sr = 0;
      let si = 0;
      for (let j = 0; j < n; j++) {
        sr += re(j, a) * re(j, b) + im(j, a) * im(j, b);
        si += re(j, a) * im(j, b) - im(j, a) * re(j, b);
      }
      unitary = Math.max(unitary, Math.abs(sr - (a === b ? 1 : 0)), Math.abs(si));
    }
  let linear = 0;
  for (let k = 0; k < n; k++)
    for (let j = 0; j < n; j++) {
      // W(i e_k) = i W(e_k): real part −Im, imaginary part Re.
      linear = Math.max(
        linear,
        Math.abs(rows[(n + k) * m + j]! + im(j, k)),
        Math.abs(rows[(n + k) * m + n + j]! - re(j, k)),
      );
    }
  return { unitary, linear };
}

/** The operator of `weights` is unitary and complex-linear to 1e-5 (both errors go to `t`'s diagnostics). */
function assertUnitary(weights: Record<string, tf.Tensor>, config: Config, t: TestContext): void {
  const { unitary, linear } = unitarityError(weights, config);
  t.diagnostic(
    `max|W*W − I| = ${unitary.toExponential(2)}, complex-linearity error ${linear.toExponential(2)}`,
  );
  assert.ok(unitary < 1e-5, `max|W*W − I| = ${unitary}`);
  assert.ok(linear < 1e-5, `complex-linearity error ${linear}`);
}

describe('urnn: the fixed permutation Π', () => {
  const fx = loadGolden('urnn') as unknown as PermutationFixture;

  it('reproduces numpy.random.RandomState(seed).permutation(n) exactly (seed 1234: the official Π)', () => {
    assert.ok(fx.numpyPermutations.some((p) => p.seed === 1234 && p.n === 128));
    for (const { seed, n, perm } of fx.numpyPermutations)
      assert.deepEqual(Array.from(urnnPermutation(n, seed)), perm, `seed ${seed}, n ${n}`);
  });

  it('the golden fixture used the permutation of its config', () => {
    assert.deepEqual(Array.from(urnnPermutation(fx.permutation.length, fx.config.permSeed)), fx.permutation);
  });

  it('refuses a seed numpy would refuse', () => {
    assert.throws(() => urnnPermutation(4, -1), RangeError);
    assert.throws(() => urnnPermutation(4, 2 ** 32), RangeError);
  });
});

describeOnBackends('urnn', (test) => {
  // goldenSuite checks on cpu only; wasm has kernels of its own (its sin/cos err ~2e-7, ten times cpu's), so
  // the golden numbers are checked on every backend here.
  test('golden features and gradients', (t) => assertGoldenOnBackend('urnn', t));

  test('the recurrent operator is unitary at initialisation (n = 128, the copying model), to 1e-5', (t) => {
    const config = configOf(128);
    const model = new Model(urnn, config, COPYING_SHAPE, Rng.stream(21, 'init'));
    assertUnitary(model.variables, config, t);
    model.dispose();
  });

  test('it stays unitary after optimizer steps on the copying task that move theta and reflection, to 1e-5', (t) => {
    const config = configOf(16);
    // The official optimizer (RMSProp, decay 0.9) with a large learning rate, so that a few steps move the
    // unitary parameters far: unitarity must hold by construction, not because the weights barely changed.
    const run = { seed: 22, lr: 0.05, steps: 3, T: 1, batch: 4, layout: 'urnn' } as const;
    const { model, moved: movedBy } = trainOnCopying(urnn, config, run);
    for (const name of ['theta', 'reflection']) {
      const moved = movedBy[name]!;
      assert.ok(moved > 0.05, `${name} moved only ${moved}`);
    }
    assertUnitary(model.variables, config, t);
    model.dispose();
  });
});

describe('urnn: parameter count', () => {
  const params = (units: number, inputDim: number, outputDim: number) =>
    countParams(modelSpecs(urnn, configOf(units), { inputDim, outputDim, every: true }));

  it('the n = 128 copying model (one-hot 10 in, 9 classes out) has 6,153 parameters (models-and-tasks.md §4.5)', () => {
    // V 10·256 + b 128 + reflection 2·256 + theta 3·128 + h_0 256 + U 256·9 + out_bias 9: Π is not a parameter.
    assert.equal(params(128, 10, 9), 6_153);
  });

  it('the n = 512 adding model has 8,193 (the authors’ draft says “≈ 9k”, Addendum A.1)', () => {
    // n(2·n_in + 10) + (2n + 1)·n_out with n_in = 2, n_out = 1: counted from the official code's tensors.
    assert.equal(params(512, 2, 1), 8_193);
  });

  it('theta and reflection are the orthogonal group; trainDefaults keep the official single learning rate', () => {
    const groups = urnn.weights(3, configOf(4)).map((s) => [s.name, s.group ?? 'default']);
    assert.deepEqual(groups, [
      ['V', 'default'],
      ['hidden_bias', 'default'],
      ['reflection', 'orthogonal'],
      ['theta', 'orthogonal'],
      ['h_0', 'default'],
    ]);
    assert.equal(urnn.trainDefaults?.['orthLrScale'], 1);
  });
});

describe('urnn: initialisation follows the official distributions', () => {
  it('draws every weight inside its official range', () => {
    const n = 64;
    const d = 10;
    const rng = Rng.stream(23, 'init');
    const bound: Record<string, number> = {
      V: Math.sqrt(6 / (d + 2 * n)),
      hidden_bias: 0.01,
      reflection: Math.sqrt(6 / (2 + 2 * n)),
      theta: Math.PI,
      h_0: Math.sqrt(3 / (2 * n)),
    };
    for (const spec of urnn.weights(d, configOf(n))) {
      const values = spec.init(rng);
      const k = bound[spec.name]!;
      const max = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      assert.ok(max <= Math.fround(k), `${spec.name}: |value| ${max} > ${k}`);
      // The draws fill their range: a wrong (e.g. much smaller) bound would show here.
      assert.ok(max > 0.8 * k, `${spec.name}: max |value| ${max} ≪ ${k}`);
    }
  });
});
