// Shared driver of the golden tests: runs a fixture of test/fixtures/golden/ through our cell and compares.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import * as tf from '../../../../core/engine/tf.ts';
import { resolveConfig } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import { unitsOf } from '../../../../core/models/cell.ts';
import { getCell } from '../../../../core/models/registry.ts';
import { stepContext, unroll } from '../../../../core/models/unroll.ts';
import { assertAllClose, REL_FLOOR } from '../../../helpers/all-close.ts';
import type { CloseReport } from '../../../helpers/all-close.ts';

/** A tensor in a fixture: row-major values and their shape. */
interface Packed {
  shape: number[];
  data: number[];
}

/** A golden fixture as test/fixtures/golden/make_golden.py writes it. */
export interface GoldenFixture {
  cell: string;
  source: Record<string, string>;
  torch: string;
  sizes: { T: number; B: number; d: number; N: number; F: number };
  config: Record<string, number>;
  x: Packed;
  C: Packed;
  weights: Record<string, Packed>;
  features: Packed;
  lossValue: number;
  grads: { x: Packed; weights: Record<string, Packed> };
}

/** The fidelity asked of every cell against its official implementation (float32 vs float64). */
export const GOLDEN_TOL = { rtol: 1e-5, atol: 1e-6 };

export function loadGolden(name: string): GoldenFixture {
  const url = new URL(`../../../fixtures/golden/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as GoldenFixture;
}

const tensorOf = (p: Packed): tf.Tensor => tf.tensor(Float32Array.from(p.data), p.shape, 'float32');

/** Our features [T, B, F], loss and gradients (x first, then weights in fixture order) for the fixture's inputs. */
export function runGolden(fx: GoldenFixture): {
  features: Float32Array;
  loss: number;
  gradX: Float32Array;
  gradW: Record<string, Float32Array>;
} {
  const cell = getCell(fx.cell);
  const config = resolveConfig(cell.config, fx.config, fx.cell);
  const names = Object.keys(fx.weights);
  return tf.tidy(() => {
    const x = tensorOf(fx.x) as tf.Tensor3D;
    const C = tensorOf(fx.C);
    const ws = names.map((n) => tensorOf(fx.weights[n]!));
    // Inference mode with no RNG: a deterministic cell never draws; one that did would throw here.
    const featuresOf = (xs: tf.Tensor, wl: tf.Tensor[]): tf.Tensor => {
      const w = Object.fromEntries(names.map((n, i) => [n, wl[i]!]));
      return unroll(cell, w, config, xs as tf.Tensor3D, stepContext(false, null), true).features;
    };
    const lossOf = (xs: tf.Tensor, ...wl: tf.Tensor[]): tf.Tensor => tf.sum(tf.mul(featuresOf(xs, wl), C));
    const features = featuresOf(x, ws).dataSync() as Float32Array;
    const loss = lossOf(x, ...ws).dataSync()[0]!;
    const [gx, ...gw] = tf.grads(lossOf)([x, ...ws]);
    const gradW: Record<string, Float32Array> = {};
    names.forEach((n, i) => (gradW[n] = gw[i]!.dataSync() as Float32Array));
    return { features, loss, gradX: gx!.dataSync() as Float32Array, gradW };
  });
}

/**
 * The golden check on the current backend (goldenSuite runs on cpu only): features and every gradient of fixture
 * `name` within GOLDEN_TOL; the worst element's share of the tolerance goes to `t`'s diagnostics.
 */
export function assertGoldenOnBackend(name: string, t: TestContext): void {
  const fx = loadGolden(name);
  const ours = runGolden(fx);
  let worst = 0;
  const check = (actual: ArrayLike<number>, expected: Packed, label: string) => {
    const r = assertAllClose(actual, expected.data, { ...GOLDEN_TOL, shape: expected.shape, label });
    worst = Math.max(worst, r.worstRatio);
  };
  check(ours.features, fx.features, 'features');
  check(ours.gradX, fx.grads.x, 'dL/dx');
  for (const [w, g] of Object.entries(fx.grads.weights)) check(ours.gradW[w]!, g, `dL/d${w}`);
  t.diagnostic(`worst element: ${(worst * 100).toFixed(1)}% of the tolerance`);
}

const describeReport = (r: CloseReport): string =>
  `max rel err ${r.maxRelError.toExponential(2)} (|e| ≥ ${REL_FLOOR}), max abs err ${r.maxAbsError.toExponential(2)}, ` +
  `${(r.worstRatio * 100).toFixed(1)}% of the tolerance`;

/**
 * The golden suite of one cell: names and layouts equal the official state_dict, features at every step and
 * the gradients of L = Σ feat·C with respect to every weight and to x agree with the official float64 numbers.
 * Returns the per-quantity reports (filled once the tests ran) so a cell's test file can add checks.
 */
export function goldenSuite(name: string): Map<string, CloseReport> {
  const reports = new Map<string, CloseReport>();
  describe(`${name}: golden numbers of the reference implementation named in its fixture's source`, () => {
    const fx = loadGolden(name);
    let ours: ReturnType<typeof runGolden>;
    before(async () => {
      await selectBackend('cpu');
      ours = runGolden(fx);
    });

    it('weight names and shapes are the official ones', () => {
      const cell = getCell(name);
      const config = resolveConfig(cell.config, fx.config, name);
      assert.equal(unitsOf(config), fx.sizes.N);
      assert.equal(cell.featureSize(config), fx.sizes.F);
      const specs = cell.weights(fx.sizes.d, config).map((s) => [s.name, s.shape]);
      const official = Object.entries(fx.weights).map(([n, p]) => [n, p.shape]);
      assert.deepEqual(specs, official);
    });

    it('features at every step', (t) => {
      const r = assertAllClose(ours.features, fx.features.data, {
        ...GOLDEN_TOL,
        shape: fx.features.shape,
        label: `${name} features`,
      });
      reports.set('features', r);
      t.diagnostic(describeReport(r));
      assertAllClose([ours.loss], [fx.lossValue], { ...GOLDEN_TOL, label: `${name} loss` });
    });

    it('gradient with respect to x', (t) => {
      const r = assertAllClose(ours.gradX, fx.grads.x.data, {
        ...GOLDEN_TOL,
        shape: fx.grads.x.shape,
        label: `${name} dL/dx`,
      });
      reports.set('grad x', r);
      t.diagnostic(describeReport(r));
    });

    for (const w of Object.keys(fx.grads.weights)) {
      it(`gradient with respect to ${w}`, (t) => {
        const g = fx.grads.weights[w]!;
        const r = assertAllClose(ours.gradW[w]!, g.data, {
          ...GOLDEN_TOL,
          shape: g.shape,
          label: `${name} dL/d${w}`,
        });
        reports.set(`grad ${w}`, r);
        t.diagnostic(describeReport(r));
      });
    }
  });
  return reports;
}
