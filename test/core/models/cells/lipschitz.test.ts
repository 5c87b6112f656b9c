// Lipschitz RNN: golden numbers of erichson/LipschitzRNN, the spectrum of the β-mix, bounded states over T = 1000.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as tf from '../../../../core/engine/tf.ts';
import { defaultsOf } from '../../../../core/api/params.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import { unitsOf } from '../../../../core/models/cell.ts';
import { betaMix } from '../../../../core/models/cells/beta-mix.ts';
import { lipschitz } from '../../../../core/models/cells/lipschitz.ts';
import { countParams, Model, modelSpecs } from '../../../../core/models/model.ts';
import { stepContext, unroll } from '../../../../core/models/unroll.ts';
import { describeOnBackends } from '../../../helpers/backends.ts';
import { goldenSuite } from './golden.ts';

goldenSuite('lipschitz');

/**
 * Eigenvalues (ascending) of a symmetric n×n matrix, row-major, by cyclic Jacobi rotations in float64.
 * Checked where used through two invariants: Σλ = trace and Σλ² = ‖S‖_F².
 */
function symmetricEigenvalues(values: ArrayLike<number>, n: number): number[] {
  const a = Float64Array.from(values);
  const at = (i: number, j: number) => a[i * n + j]!;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += at(p, q) ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = at(p, q);
        if (apq === 0) continue;
        // The rotation J (c, s) that zeroes a_pq in Jᵀ A J (Golub & Van Loan, Algorithm 8.5.1).
        const theta = (at(q, q) - at(p, p)) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const kp = at(k, p);
          const kq = at(k, q);
          a[k * n + p] = c * kp - s * kq;
          a[k * n + q] = s * kp + c * kq;
        }
        for (let k = 0; k < n; k++) {
          const pk = at(p, k);
          const qk = at(q, k);
          a[p * n + k] = c * pk - s * qk;
          a[q * n + k] = s * pk + c * qk;
        }
      }
  }
  return Array.from({ length: n }, (_, i) => at(i, i)).sort((x, y) => x - y);
}

/** (X + Xᵀ)/2 of a row-major n×n matrix, in float64. */
function symmetricPart(x: ArrayLike<number>, n: number): Float64Array {
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] = (x[i * n + j]! + x[j * n + i]!) / 2;
  return s;
}

function eigenvaluesChecked(s: Float64Array, n: number): number[] {
  const lambda = symmetricEigenvalues(s, n);
  let trace = 0;
  let frob = 0;
  for (let i = 0; i < n; i++) trace += s[i * n + i]!;
  for (const v of s) frob += v * v;
  assert.ok(Math.abs(lambda.reduce((a, b) => a + b, 0) - trace) < 1e-9 * (1 + Math.abs(trace)), 'Σλ = trace');
  assert.ok(Math.abs(lambda.reduce((a, b) => a + b * b, 0) - frob) < 1e-9 * (1 + frob), 'Σλ² = ‖S‖²');
  return lambda;
}

const n = 7;
const M_VALUES = Rng.stream(21, 'lipschitz beta-mix').normalArray(n * n);
const mixOf = (beta: number, gamma: number): Float32Array =>
  tf.tidy(() => betaMix(tf.tensor2d(M_VALUES, [n, n]), beta, gamma).dataSync() as Float32Array);

describeOnBackends('lipschitz: β-mix', (test) => {
  test('β = 1, γ small: A is skew up to −γI, and every eigenvalue of its symmetric part is −γ', () => {
    const gamma = 1e-3;
    const A = mixOf(1, gamma);
    let skewNorm = 0;
    let symNorm = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        skewNorm += ((A[i * n + j]! - A[j * n + i]!) / 2) ** 2;
        symNorm += ((A[i * n + j]! + A[j * n + i]!) / 2) ** 2;
      }
    // ‖sym A‖_F = γ√n here, against ‖skew A‖_F ~ √2·n for M ~ N(0, 1): nearly skew.
    assert.ok(Math.sqrt(symNorm / skewNorm) < 1e-3, `‖sym A‖/‖skew A‖ = ${Math.sqrt(symNorm / skewNorm)}`);
    for (const lambda of eigenvaluesChecked(symmetricPart(A, n), n))
      assert.ok(Math.abs(lambda + gamma) < 1e-6, `eigenvalue ${lambda} of sym A, expected −γ = ${-gamma}`);
  });

  test('β = 0.75 (default): sym A = (1 − β)(M + Mᵀ) − γI spectrally, skew A = β(M − Mᵀ)', () => {
    const beta = 0.75;
    const gamma = 0.05;
    const A = mixOf(beta, gamma);
    const ours = eigenvaluesChecked(symmetricPart(A, n), n);
    // Reference in float64 from M: eig((1 − β)(M + Mᵀ)) − γ = 2(1 − β)·eig(sym M) − γ.
    const reference = eigenvaluesChecked(symmetricPart(M_VALUES, n), n).map(
      (l) => 2 * (1 - beta) * l - gamma,
    );
    ours.forEach((l, i) => assert.ok(Math.abs(l - reference[i]!) < 1e-5, `λ${i}: ${l} vs ${reference[i]}`));
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const skew = (A[i * n + j]! - A[j * n + i]!) / 2;
        const expected = beta * (M_VALUES[i * n + j]! - M_VALUES[j * n + i]!);
        assert.ok(Math.abs(skew - expected) < 1e-5, `skew A[${i},${j}] = ${skew}, expected ${expected}`);
      }
  });
});

describeOnBackends('lipschitz: official defaults', (test) => {
  test('the hidden-state norm stays bounded over T = 1000 inputs', (t) => {
    const config = defaultsOf(lipschitz.config);
    const eps = config['eps'] as number;
    const units = unitsOf(config);
    const T = 1000;
    const B = 4;
    const model = new Model(
      lipschitz,
      config,
      { inputDim: 1, outputDim: 1, every: false },
      Rng.stream(1, 'init'),
    );
    const xs = Rng.stream(1, 'lipschitz long inputs').normalArray(T * B);
    const norms = tf.tidy(() => {
      const { features } = unroll(
        lipschitz,
        model.variables,
        config,
        tf.tensor3d(xs, [T, B, 1]),
        stepContext(false, null),
        true,
      );
      return tf.max(tf.norm(features, 'euclidean', 2), 1).dataSync();
    });
    model.dispose();
    assert.ok(norms.every(Number.isFinite), 'a hidden state is not finite');
    // Each step adds at most ε‖tanh(·)‖ ≤ ε√N through the drive; with ‖I + εA‖ ≈ 1 (A ~ 1e-3 at init) the norm
    // can grow at most linearly: ‖h_t‖ ≤ ε√N·t. An exploding recurrence would break this within a few hundred
    // steps, and the second half would grow by far more than the factor 2 of linear growth.
    for (let k = 0; k < T; k++)
      assert.ok(norms[k]! <= eps * Math.sqrt(units) * (k + 1), `‖h_${k + 1}‖ = ${norms[k]} > ε√N·t`);
    const half = norms[T / 2 - 1]!;
    const last = norms[T - 1]!;
    assert.ok(last <= 2.5 * half, `‖h_1000‖ / ‖h_500‖ = ${last / half}: faster than linear growth`);
    t.diagnostic(
      `‖h_t‖ at t = 10, 100, 500, 1000: ${[9, 99, 499, 999].map((k) => norms[k]!.toFixed(2)).join(', ')}`,
    );
  });
});

it('lipschitz, N = 128 on pixel MNIST: ≈ 34k parameters, as the paper reports', () => {
  const config = { ...defaultsOf(lipschitz.config), units: 128 };
  const count = countParams(modelSpecs(lipschitz, config, { inputDim: 1, outputDim: 10, every: false }));
  // 2N² (M_A, M_W) + N·d + N (U, b) + 10(N + 1) (readout) = 34,314 (models-and-tasks.md §6.2: "34k params").
  assert.equal(count, 34_314);
});
