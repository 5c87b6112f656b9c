// Golden test of the scornn cell (fixture: test/fixtures/golden/scornn.json), plus orthogonality, D, init, counts.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import * as tf from '../../../../core/engine/tf.ts';
import { defaultsOf } from '../../../../core/api/params.ts';
import type { Config } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import { effectiveParamCount } from '../../../../core/models/cell.ts';
import { negOnesOf, scornn, scornnRecurrent } from '../../../../core/models/cells/scornn.ts';
import { countParams, Model, modelSpecs } from '../../../../core/models/model.ts';
import { copyingBatch } from '../../../../core/tasks/tasks/copying.ts';
import { Stepper } from '../../../../core/training/loop.ts';
import { trainDefaultsFor } from '../../../../core/training/spec.ts';
import { assertAllClose } from '../../../helpers/all-close.ts';
import { GOLDEN_TOL, goldenSuite, loadGolden, runGolden } from './golden.ts';

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
/** The scoRNN copying model (uRNN layout): one-hot 10 in, 9 classes out at every step. */
const COPYING_SHAPE = { inputDim: 10, outputDim: 9, every: true };

/** max |WᵀW − I| in float64 for an n × n row-major W. */
function orthogonalityError(w: ArrayLike<number>, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += w[k * n + i]! * w[k * n + j]!;
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  return worst;
}

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

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`scornn on the ${backend} backend`, () => {
    let unavailable: string | null = null;
    before(async () => {
      try {
        await selectBackend(backend);
      } catch (err) {
        unavailable = `${backend} cannot start here: ${err instanceof Error ? err.message : String(err)}`;
      }
    });
    /** Runs `body` unless this backend could not start (then the test is skipped, saying why). */
    const onBackend = (body: (t: TestContext) => void) => (t: TestContext) => {
      if (unavailable !== null) {
        t.skip(unavailable);
        return;
      }
      assert.equal(tf.getBackend(), backend);
      body(t);
    };

    // goldenSuite runs on cpu only; the Newton–Schulz products and custom gradient run on each backend's kernels.
    it(
      'golden features and gradients',
      onBackend((t) => {
        const fx = loadGolden('scornn');
        const ours = runGolden(fx);
        let worst = 0;
        const check = (
          actual: ArrayLike<number>,
          expected: { shape: number[]; data: number[] },
          label: string,
        ) => {
          const r = assertAllClose(actual, expected.data, { ...GOLDEN_TOL, shape: expected.shape, label });
          worst = Math.max(worst, r.worstRatio);
        };
        check(ours.features, fx.features, 'features');
        check(ours.gradX, fx.grads.x, 'dL/dx');
        for (const [name, g] of Object.entries(fx.grads.weights)) check(ours.gradW[name]!, g, `dL/d${name}`);
        t.diagnostic(`worst element: ${(worst * 100).toFixed(1)}% of the tolerance`);
      }),
    );

    it(
      'W equals the official makeW (float64 lstsq) for the fixture’s A and D',
      onBackend(() => {
        const fx = loadGolden('scornn');
        const extras = fx as unknown as OfficialExtras;
        const n = fx.sizes.N;
        const config = configOf(n, extras.config.negOnes);
        const w = tf.tidy(() =>
          scornnRecurrent(tf.tensor2d(fx.weights['A']!.data, [n, n]), config).dataSync(),
        );
        assertAllClose(w, extras.officialW.data, { ...GOLDEN_TOL, shape: [n, n], label: 'W' });
      }),
    );

    it(
      'W stays orthogonal to 1e-5 after optimizer steps that move A far (copying task, N = 24, ρ = 12)',
      onBackend((t) => {
        const n = 24;
        const config = configOf(n, 12);
        const model = new Model(scornn, config, COPYING_SHAPE, Rng.stream(51, 'init'));
        // The official optimizers (RMSprop, A_lr = lr/10) with a large lr, so that a few steps move A far.
        const tc = { ...trainDefaultsFor('scornn'), lr: 0.5 } as Config;
        const stepper = new Stepper(model, tc);
        const start = model.getWeights()['A']!.values;
        const dataRng = Rng.stream(51, 'data');
        const noiseRng = Rng.stream(51, 'noise');
        for (let s = 0; s < 4; s++) {
          const { loss } = stepper.step(
            'ce',
            copyingBatch(6, 8, 'urnn', dataRng),
            noiseRng,
            tc['lr'] as number,
          );
          assert.ok(Number.isFinite(loss), `step ${s}: loss ${loss}`);
        }
        const end = model.getWeights()['A']!.values;
        const moved = start.reduce((m, v, i) => Math.max(m, Math.abs(v - end[i]!)), 0);
        assert.ok(moved > 0.1, `A moved only ${moved}`);
        const w = tf.tidy(() => scornnRecurrent(model.variables['A'] as tf.Tensor2D, config).dataSync());
        const err = orthogonalityError(w, n);
        t.diagnostic(`A moved by up to ${moved.toFixed(3)}; max |WᵀW − I| = ${err.toExponential(2)}`);
        assert.ok(err < 1e-5, `max |WᵀW − I| = ${err}`);
        stepper.dispose();
        model.dispose();
      }),
    );

    it(
      'with A = 0, W = D: the last ρ diagonal entries are −1, and ρ above N counts as N',
      onBackend(() => {
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
      }),
    );
  });
}

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
