// linalg.ts against float64 oracles (official expRNN expm, a float64 Gauss–Jordan here) and finite differences.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as tf from '../../../core/engine/tf.ts';
import { Rng } from '../../../core/engine/rng.ts';
import {
  cayley,
  expm,
  expmValue,
  inv,
  invIdentityPlusSkewValue,
  oneNorm,
  skewFromUpper,
} from '../../../core/models/linalg.ts';
import { assertAllClose } from '../../helpers/all-close.ts';
import { describeOnBackends } from '../../helpers/backends.ts';
import { orthogonalityError } from './cells/shared-orthogonal.ts';

/** A matrix in a fixture: row-major values and their shape. */
interface Packed {
  shape: number[];
  data: number[];
}

/** test/fixtures/golden/expm.json, written by make_exprnn.py from lezcano/expRNN's expm32 and its backward. */
interface ExpmFixture {
  source: Record<string, unknown>;
  cases: { label: string; A: Packed; G: Packed; expm: Packed; grad: Packed; oneNorm: number }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/golden/expm.json', import.meta.url), 'utf8'),
) as ExpmFixture;

const maxAbs = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * Tolerance for a float32 matrix function against float64: rtol 1e-5 and atol 1e-6 times the result's largest
 * entry. Why scaled: the rounding error of a product or an elimination step is relative to the magnitudes
 * that enter it, so a small entry of a large result carries the large entries' absolute error.
 */
const scaled = (expected: ArrayLike<number>) => ({ rtol: 1e-5, atol: 1e-6 * Math.max(1, maxAbs(expected)) });

/** Row-major float64 product of n × n matrices. */
function matmul64(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      for (let j = 0; j < n; j++) out[i * n + j] = out[i * n + j]! + aik * b[k * n + j]!;
    }
  return out;
}

const transpose64 = (a: ArrayLike<number>, n: number): Float64Array =>
  Float64Array.from({ length: n * n }, (_, k) => a[(k % n) * n + Math.floor(k / n)]!);

/** Float64 oracle: M⁻¹ by Gauss–Jordan with partial pivoting (the textbook algorithm, in doubles). */
function inv64(m: ArrayLike<number>, n: number): Float64Array {
  const a = Array.from({ length: n }, (_, i) => [
    ...Array.from({ length: n }, (_, j) => m[i * n + j]!),
    ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  ]);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i]![k]!) > Math.abs(a[p]![k]!)) p = i;
    [a[k], a[p]] = [a[p]!, a[k]!];
    const row = a[k]!.map((v) => v / a[k]![k]!);
    a[k] = row;
    for (let i = 0; i < n; i++)
      if (i !== k) {
        const f = a[i]![k]!;
        a[i] = a[i]!.map((v, j) => v - f * row[j]!);
      }
  }
  return Float64Array.from(a.flatMap((r) => r.slice(n)));
}

/** A random skew-symmetric n × n matrix with entries N(0, scale²) above the diagonal. */
function randomSkew(n: number, scale: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const v = scale * rng.normal();
      out[i * n + j] = v;
      out[j * n + i] = -v;
    }
  return out;
}

/**
 * Directional central difference of f(A) = Σ G ⊙ F(A) against ⟨∂f/∂A, E⟩ for random directions E: the
 * forward runs in float32, the sums in float64. Returns the worst |fd − ad| / tolerance, the tolerance being
 * 2e-3·|ad| + 1e-4·‖G‖·‖E‖-scale (as the conformance suite's per-coordinate check, with h = 1e-2).
 */
function directionalCheck(
  F: (a: tf.Tensor2D) => tf.Tensor2D,
  a: Float32Array,
  g: Float32Array,
  n: number,
  rng: Rng,
  label: string,
): number {
  const h = 1e-2;
  const grad = tf.tidy(() => {
    const G = tf.tensor2d(g, [n, n]);
    return tf
      .grad((x: tf.Tensor) => tf.sum(tf.mul(F(x as tf.Tensor2D), G)))(tf.tensor2d(a, [n, n]))
      .dataSync();
  });
  const f = (x: Float32Array): number => {
    const out = tf.tidy(() => F(tf.tensor2d(x, [n, n])).dataSync());
    let s = 0;
    for (let i = 0; i < out.length; i++) s += out[i]! * g[i]!;
    return s;
  };
  let worst = 0;
  for (let trial = 0; trial < 3; trial++) {
    const e = rng.normalArray(n * n);
    const plus = a.map((v, i) => v + h * e[i]!);
    const minus = a.map((v, i) => v - h * e[i]!);
    // Divide by the step actually taken per coordinate: use ⟨grad, plus − minus⟩ against f(plus) − f(minus).
    let ad = 0;
    for (let i = 0; i < a.length; i++) ad += grad[i]! * (plus[i]! - minus[i]!);
    const fd = f(plus) - f(minus);
    const tol = 2e-3 * Math.abs(ad) + 1e-4 * 2 * h * Math.max(1, maxAbs(grad)) * Math.sqrt(n * n);
    const err = Math.abs(fd - ad);
    worst = Math.max(worst, err / tol);
    assert.ok(
      err <= tol,
      `${label}, direction ${trial}: autodiff ${ad}, finite difference ${fd}, |diff| ${err} > ${tol}`,
    );
  }
  return worst;
}

describe('linalg: the fixture', () => {
  it('comes from the pinned official commit and covers scaling, general matrices and edge cases', () => {
    assert.equal(fixture.source['commit'], '830ec836521d0c295436dcafc3f0b3deea36c83c');
    assert.ok(
      fixture.cases.some((c) => c.oneNorm > 8),
      'a case that needs several squarings',
    );
    assert.ok(fixture.cases.some((c) => c.A.shape[0] === 1));
    assert.ok(fixture.cases.some((c) => c.oneNorm === 0));
  });
});

describeOnBackends('linalg', (test) => {
  test('expm equals the official expm32 (float64) on every fixture case', (t) => {
    for (const c of fixture.cases) {
      const ours = tf.tidy(() => expm(tf.tensor2d(c.A.data, c.A.shape as [number, number])).dataSync());
      const r = assertAllClose(ours, c.expm.data, {
        ...scaled(c.expm.data),
        shape: c.expm.shape,
        label: c.label,
      });
      t.diagnostic(`${c.label}: max abs err ${r.maxAbsError.toExponential(2)}`);
    }
  });

  test('the gradient of ⟨G, expm(A)⟩ equals the official backward (differential(expm32, Aᵀ, G))', (t) => {
    for (const c of fixture.cases) {
      const n = c.A.shape[0]!;
      const ours = tf.tidy(() => {
        const G = tf.tensor2d(c.G.data, [n, n]);
        const f = (a: tf.Tensor) => tf.sum(tf.mul(expm(a as tf.Tensor2D), G));
        return tf
          .grad(f)(tf.tensor2d(c.A.data, [n, n]))
          .dataSync();
      });
      const r = assertAllClose(ours, c.grad.data, {
        ...scaled(c.grad.data),
        shape: c.grad.shape,
        label: `grad ${c.label}`,
      });
      t.diagnostic(
        `${c.label}: max abs err ${r.maxAbsError.toExponential(2)} (max |grad| ${maxAbs(c.grad.data).toFixed(2)})`,
      );
    }
  });

  test('the gradient of expm agrees with central finite differences', (t) => {
    const rng = Rng.stream(31, 'expm fd');
    let worst = 0;
    for (const c of fixture.cases) {
      const n = c.A.shape[0]!;
      const a = Float32Array.from(c.A.data);
      worst = Math.max(worst, directionalCheck(expm, a, Float32Array.from(c.G.data), n, rng, c.label));
    }
    t.diagnostic(`worst: ${(worst * 100).toFixed(1)}% of the tolerance`);
  });

  test('expm of a large skew matrix is orthogonal to 1e-5 (64 × 64, ‖A‖₁ ≈ 60: six squarings)', (t) => {
    const n = 64;
    const a = randomSkew(n, 1, Rng.stream(32, 'skew'));
    const w = tf.tidy(() => {
      const A = tf.tensor2d(a, [n, n]);
      assert.ok(oneNorm(A) > 32, `‖A‖₁ = ${oneNorm(A)}`);
      return expm(A).dataSync();
    });
    const err = orthogonalityError(w, n);
    t.diagnostic(`max |WᵀW − I| = ${err.toExponential(2)}`);
    assert.ok(err < 1e-5, `max |WᵀW − I| = ${err}`);
  });

  test('expm of a non-finite matrix is NaN (divergence is reported, not hung on)', () => {
    const out = tf.tidy(() => expmValue(tf.tensor2d([1, NaN, 0, 1], [2, 2])).dataSync());
    assert.ok(out.every(Number.isNaN));
  });

  test('inv equals a float64 Gauss–Jordan, also where pivoting is needed (zero diagonal)', () => {
    const rng = Rng.stream(33, 'inv');
    const n = 7;
    const general = rng.normalArray(n * n);
    // Zero diagonal: elimination without row exchanges would divide by zero at the first step.
    const pivoting = Float32Array.from([0, 2, 1, 0, 1, 0, 3, 1, 4, 1, 0, 2, 0, 1, 1, 0]);
    for (const [m, k, label] of [
      [general, n, 'random 7 × 7'],
      [pivoting, 4, 'zero diagonal 4 × 4'],
    ] as const) {
      const ours = tf.tidy(() => inv(tf.tensor2d(m, [k, k])).dataSync());
      const expected = inv64(m, k);
      assertAllClose(ours, expected, { ...scaled(expected), shape: [k, k], label });
    }
  });

  test('the gradient of inv is −Xᵀ G Xᵀ (float64) and agrees with finite differences', (t) => {
    const rng = Rng.stream(34, 'inv grad');
    const n = 6;
    // Diagonally shifted so that M is well conditioned: the check is of the gradient, not of conditioning.
    const m = rng.normalArray(n * n).map((v, i) => (i % (n + 1) === 0 ? v + 3 : v));
    const g = rng.normalArray(n * n);
    const ours = tf.tidy(() => {
      const G = tf.tensor2d(g, [n, n]);
      return tf
        .grad((x: tf.Tensor) => tf.sum(tf.mul(inv(x as tf.Tensor2D), G)))(tf.tensor2d(m, [n, n]))
        .dataSync();
    });
    const x = inv64(m, n);
    const xt = transpose64(x, n);
    const expected = matmul64(matmul64(xt, g, n), xt, n).map((v) => -v);
    assertAllClose(ours, expected, { ...scaled(expected), shape: [n, n], label: 'd⟨G, M⁻¹⟩/dM' });
    const worst = directionalCheck(inv, m, g, n, rng, 'inv');
    t.diagnostic(`finite differences: worst ${(worst * 100).toFixed(1)}% of the tolerance`);
  });

  test('(I + A)⁻¹ by Newton–Schulz equals a float64 inverse, also for a large ‖A‖ (48 × 48, ‖A‖₁ ≈ 100)', (t) => {
    const n = 48;
    for (const scale of [0.05, 3]) {
      const a = randomSkew(n, scale, Rng.stream(38, `schulz ${scale}`));
      const ours = tf.tidy(() => invIdentityPlusSkewValue(tf.tensor2d(a, [n, n]))!.dataSync());
      const expected = inv64(
        a.map((v, i) => v + (i % (n + 1) === 0 ? 1 : 0)),
        n,
      );
      const r = assertAllClose(ours, expected, {
        ...scaled(expected),
        shape: [n, n],
        label: `scale ${scale}`,
      });
      t.diagnostic(`scale ${scale}: max abs err ${r.maxAbsError.toExponential(2)}`);
    }
    // Not skew: the a-priori step count would not hold, so it declines (cayley then uses Gauss–Jordan).
    const notSkew = tf.tensor2d([0, 1, 0.5, 0], [2, 2]);
    assert.equal(invIdentityPlusSkewValue(notSkew), null);
    notSkew.dispose();
  });

  test('cayley is (I + A)⁻¹(I − A) (float64), orthogonal to 1e-5 for skew A, and also right for non-skew A', (t) => {
    const n = 9;
    const skewA = randomSkew(n, 1.5, Rng.stream(35, 'cayley'));
    const general = Rng.stream(35, 'cayley general')
      .normalArray(n * n)
      .map((v, i) => (i % (n + 1) === 0 ? v + 4 : v));
    for (const [a, label] of [
      [skewA, 'skew (Newton–Schulz)'],
      [general, 'general (Gauss–Jordan)'],
    ] as const) {
      const ours = tf.tidy(() => cayley(tf.tensor2d(a, [n, n])).dataSync());
      const iPlus = a.map((v, i) => v + (i % (n + 1) === 0 ? 1 : 0));
      const iMinus = a.map((v, i) => -v + (i % (n + 1) === 0 ? 1 : 0));
      const expected = matmul64(inv64(iPlus, n), iMinus, n);
      assertAllClose(ours, expected, { ...scaled(expected), shape: [n, n], label });
      if (a === skewA) {
        const err = orthogonalityError(ours, n);
        t.diagnostic(`max |WᵀW − I| = ${err.toExponential(2)}`);
        assert.ok(err < 1e-5, `max |WᵀW − I| = ${err}`);
      }
    }
  });

  test('the gradient of cayley is 2·(−Xᵀ G Xᵀ), X = (I + A)⁻¹ (float64), and agrees with finite differences', (t) => {
    const n = 6;
    const rng = Rng.stream(39, 'cayley grad');
    const a = randomSkew(n, 1, rng);
    const g = rng.normalArray(n * n);
    const ours = tf.tidy(() => {
      const G = tf.tensor2d(g, [n, n]);
      return tf
        .grad((x: tf.Tensor) => tf.sum(tf.mul(cayley(x as tf.Tensor2D), G)))(tf.tensor2d(a, [n, n]))
        .dataSync();
    });
    const xt = transpose64(
      inv64(
        a.map((v, i) => v + (i % (n + 1) === 0 ? 1 : 0)),
        n,
      ),
      n,
    );
    const expected = matmul64(matmul64(xt, g, n), xt, n).map((v) => -2 * v);
    assertAllClose(ours, expected, { ...scaled(expected), shape: [n, n], label: 'd⟨G, cayley(A)⟩/dA' });
    // Directions are skew, so that A ± hE stays skew and the Newton–Schulz path is the one differenced.
    const skewOnly = (f: (x: tf.Tensor2D) => tf.Tensor2D) => (x: tf.Tensor2D) => f(skewFromUpper(x));
    const worst = directionalCheck(skewOnly(cayley), a, g, n, rng, 'cayley');
    t.diagnostic(`finite differences: worst ${(worst * 100).toFixed(1)}% of the tolerance`);
  });

  test('skewFromUpper reads the strict upper triangle only, and passes gradient to it only', () => {
    const n = 4;
    const p = Rng.stream(36, 'P').normalArray(n * n);
    const g = Rng.stream(36, 'G').normalArray(n * n);
    const [a, dp] = tf.tidy(() => {
      const G = tf.tensor2d(g, [n, n]);
      const P = tf.tensor2d(p, [n, n]);
      const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(skewFromUpper(x as tf.Tensor2D), G)))(P);
      return [skewFromUpper(P).dataSync(), grad.dataSync()];
    });
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const k = i * n + j;
        const upper = j > i;
        // === rather than assert.equal: a masked-out entry may be −0, which is as zero as 0.
        const ak = upper ? p[k]! : i === j ? 0 : -p[j * n + i]!;
        const dk = upper ? Math.fround(g[k]! - g[j * n + i]!) : 0;
        assert.ok(a[k] === ak, `A[${i}, ${j}] = ${a[k]}, expected ${ak}`);
        assert.ok(dp[k] === dk, `dP[${i}, ${j}] = ${dp[k]}, expected ${dk}`);
      }
  });

  test('expm, inv and cayley leak no tensors through a tidy forward and gradient', () => {
    const n = 5;
    const a = randomSkew(n, 2, Rng.stream(37, 'leak'));
    const run = () =>
      tf.tidy(() => {
        const A = tf.tensor2d(a, [n, n]);
        const f = (x: tf.Tensor) =>
          tf.sum(tf.add(tf.add(expm(x as tf.Tensor2D), cayley(x as tf.Tensor2D)), inv(tf.add(x, tf.eye(n)))));
        const { value, grad } = tf.valueAndGrad(f)(A);
        value.dataSync();
        grad.dataSync();
      });
    run(); // warm-up: a backend may keep tensors it makes on its first use of an op
    const before = tf.memory().numTensors;
    run();
    assert.equal(tf.memory().numTensors, before);
  });
});
