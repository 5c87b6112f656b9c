// Golden test of the scornn cell (fixture: test/fixtures/golden/scornn.json), plus orthogonality, D, init, counts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../../../core/engine/tf.ts';
import { defaultsOf } from '../../../../core/api/params.ts';
import type { Config } from '../../../../core/api/params.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import { effectiveParamCount } from '../../../../core/models/cell.ts';
import { negOnesOf, scornn, scornnRecurrent } from '../../../../core/models/cells/scornn.ts';
import { countParams, modelSpecs } from '../../../../core/models/model.ts';
import { assertAllClose } from '../../../helpers/all-close.ts';
import { describeOnBackends } from '../../../helpers/backends.ts';
import { assertGoldenOnBackend, GOLDEN_TOL, goldenSuite, loadGolden } from './golden.ts';
import { orthogonalityError, trainOnCopying } from './shared-orthogonal.ts';

goldenSuite('scornn');

/** The fixture's extra records: the official W (makeW) and the official gradient of A (Cayley_Transform_Deriv). */
interface OfficialExtras {
  officialW: { shape: number[]; data: number[] };
  officialGradA: { shape: number[]; data: number[] };
  config: { units: number; negOnes: number };
}

const configOf = (units: number, negOnes: number): Config => ({
  ...defaultsOf(scornn.config),
  units,
  negOnes,
});

describe('scornn: the fixture’s gradient of A is the official Cayley_Transform_Deriv', () => {
  it('grads.weights.A = triu(DFA, 1), and DFA is skew (the official A_ij and A_ji are our one P_ij)', () => {
    const fx = loadGolden('scornn');
    const extras = fx as unknown as OfficialExtras;
    const n = fx.sizes.N;
    const dfa = extras.officialGradA.data;
    const ours = fx.grads.weights['A']!.data;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        // === rather than assert.equal: the diagonal is 0 and −0, both zero.
        assert.ok(dfa[i * n + j] === -dfa[j * n + i]!, `DFA[${i}, ${j}] = −DFA[${j}, ${i}]`);
        assert.equal(ours[i * n + j], j > i ? dfa[i * n + j] : 0, `grad A[${i}, ${j}]`);
      }
  });
});

describeOnBackends('scornn', (test) => {
  // goldenSuite runs on cpu only; the Newton–Schulz products and custom gradient run on each backend's kernels.
  test('golden features and gradients', (t) => assertGoldenOnBackend('scornn', t));

  test('W equals the official makeW (float64 lstsq) for the fixture’s A and D', () => {
    const fx = loadGolden('scornn');
    const extras = fx as unknown as OfficialExtras;
    const n = fx.sizes.N;
    const config = configOf(n, extras.config.negOnes);
    const w = tf.tidy(() => scornnRecurrent(tf.tensor2d(fx.weights['A']!.data, [n, n]), config).dataSync());
    assertAllClose(w, extras.officialW.data, { ...GOLDEN_TOL, shape: [n, n], label: 'W' });
  });

  test('W stays orthogonal to 1e-5 after optimizer steps that move A far (copying task, N = 24, ρ = 12)', (t) => {
    const n = 24;
    const config = configOf(n, 12);
    // The official optimizers (RMSprop, A_lr = lr/10) with a large lr, so that a few steps move A far.
    const run = { seed: 51, lr: 0.5, steps: 4, T: 6, batch: 8, layout: 'urnn' } as const;
    const { model, moved: movedBy } = trainOnCopying(scornn, config, run);
    const moved = movedBy['A']!;
    assert.ok(moved > 0.1, `A moved only ${moved}`);
    const w = tf.tidy(() => scornnRecurrent(model.variables['A'] as tf.Tensor2D, config).dataSync());
    const err = orthogonalityError(w, n);
    t.diagnostic(`A moved by up to ${moved.toFixed(3)}; max |WᵀW − I| = ${err.toExponential(2)}`);
    assert.ok(err < 1e-5, `max |WᵀW − I| = ${err}`);
    model.dispose();
  });

  test('with A = 0, W = D: the last ρ diagonal entries are −1, and ρ above N counts as N', () => {
    const n = 5;
    for (const [rho, used] of [
      [0, 0],
      [2, 2],
      [5, 5],
      [17, 5],
    ] as const) {
      const config = configOf(n, rho);
      assert.equal(negOnesOf(config), used);
      const w = tf.tidy(() => scornnRecurrent(tf.zeros<tf.Rank.R2>([n, n]), config).dataSync());
      const expected = Array.from({ length: n * n }, (_, k) =>
        k % (n + 1) === 0 ? (Math.floor(k / n) >= n - used ? -1 : 1) : 0,
      );
      // + 0 turns the −0 of 0 · (−1) into 0 for deepEqual.
      assert.deepEqual(
        Array.from(w, (v) => v + 0),
        expected,
        `ρ = ${rho}`,
      );
    }
  });
});

describe('scornn: initialisation follows scoRNN.py', () => {
  it('A: 2×2 blocks with θ = −√((1 − cos s)/(1 + cos s)) ∈ (−1, 0]; b = 0; U ~ U[−0.01, 0.01]', () => {
    const n = 171;
    const d = 3;
    const rng = Rng.stream(52, 'init');
    const w = Object.fromEntries(scornn.weights(d, configOf(n, 17)).map((s) => [s.name, s.init(rng)]));
    const a = w['A']!;
    let nonzero = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const v = a[i * n + j]!;
        if (v === 0) continue;
        nonzero++;
        const k = Math.min(i, j);
        assert.ok(k % 2 === 0 && Math.abs(i - j) === 1, `A[${i}, ${j}] = ${v} outside the 2×2 blocks`);
        assert.equal(v, -a[j * n + i]!);
        if (i < j) assert.ok(v > -1 && v <= 0, `θ = ${v}`);
      }
    assert.equal(nonzero, 2 * Math.floor(n / 2));
    assert.ok(w['b']!.every((v) => v === 0));
    const u = w['U']!;
    assert.ok(u.every((v) => Math.abs(v) <= 0.01) && Math.max(...u.map(Math.abs)) > 0.009);
  });
});

describe('scornn: parameter counts and training defaults', () => {
  it('MNIST n = 170: 16,415 effective parameters (A as n(n−1)/2), 30,950 stored', () => {
    const specs = modelSpecs(scornn, configOf(170, 17), { inputDim: 1, outputDim: 10, every: false });
    assert.equal(effectiveParamCount(specs), 16_415);
    assert.equal(countParams(specs), 30_950);
  });

  it('A is the orthogonal group (A_lr = lr/10); defaults are scoRNN_mnist.py’s', () => {
    const groups = scornn.weights(1, configOf(4, 1)).map((s) => [s.name, s.group ?? 'default']);
    assert.deepEqual(groups, [
      ['A', 'orthogonal'],
      ['b', 'default'],
      ['U', 'default'],
    ]);
    assert.equal(scornn.trainDefaults?.['lr'], 1e-3);
    assert.equal(scornn.trainDefaults?.['orthLrScale'], 0.1);
    assert.equal(scornn.trainDefaults?.['batchSize'], 50);
    assert.equal(scornn.config['units']?.default, 170);
    assert.equal(scornn.config['negOnes']?.default, 17);
  });
});
