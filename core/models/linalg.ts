// Matrix functions TF.js lacks (exponential, inverse, Cayley transform), built from matMul and elementwise ops.
import * as tf from '../engine/tf.ts';

/**
 * ‖A‖₁ = max_j Σ_i |a_ij| (largest absolute column sum), read back to the host: the scaling step of `expm` and
 * the normalisation of its adjoint choose a count of squarings from it.
 */
export function oneNorm(a: tf.Tensor2D): number {
  return tf.tidy(() => tf.max(tf.sum(tf.abs(a), 0)).dataSync()[0]!);
}

/** Degree m of the Taylor polynomial T_m(X) = Σ_{k≤m} X^k / k! that `expm` evaluates. */
const TAYLOR_DEGREE = 12;
/** `expm` scales A by 2^−s until ‖A/2^s‖₁ ≤ θ. */
const TAYLOR_THETA = 1;
/**
 * 1/k! for k = 0..12. Why m = 12 with θ = 1: the truncation error is ≤ Σ_{k>12} θ^k/k! ≈ 1.7e-10, far below
 * float32's unit roundoff 2^−24 ≈ 6e-8 (θ could be ≈ 1.5 for that alone; the margin covers the non-normal
 * block matrices of the adjoint), and Paterson–Stockmeyer evaluates degree 12 with 5 matrix products.
 */
const INV_FACTORIAL = Array.from({ length: TAYLOR_DEGREE + 1 }, (_, k) => {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return 1 / f;
});

function assertSquare(a: tf.Tensor, what: string): number {
  const [n, m] = a.shape;
  if (a.rank !== 2 || n !== m || n === undefined)
    throw new Error(`${what}: expected a square matrix, got [${a.shape.join(', ')}]`);
  return n;
}

/**
 * T_12(X) = Σ_{k=0}^{12} X^k/k! by Paterson–Stockmeyer with blocks of 4 (Paterson & Stockmeyer, SIAM J.
 * Comput. 2(1), 1973; Higham, "Functions of Matrices", SIAM 2008, ch. 4): B_j = Σ_{i<4} c_{4j+i} X^i, T = B₀ + X⁴(B₁ + X⁴(B₂ + c₁₂X⁴)); 3 products for X², X³, X⁴
 * and 2 for the Horner steps.
 */
function taylor12(x: tf.Tensor2D): tf.Tensor2D {
  const n = x.shape[0];
  const c = INV_FACTORIAL;
  const eye = tf.eye(n);
  const x2 = tf.matMul(x, x);
  const x3 = tf.matMul(x2, x);
  const x4 = tf.matMul(x2, x2);
  const block = (j: number): tf.Tensor2D =>
    tf.addN([
      tf.mul<tf.Tensor2D>(eye, c[4 * j]!),
      tf.mul<tf.Tensor2D>(x, c[4 * j + 1]!),
      tf.mul<tf.Tensor2D>(x2, c[4 * j + 2]!),
      tf.mul<tf.Tensor2D>(x3, c[4 * j + 3]!),
    ]);
  let h: tf.Tensor2D = tf.add(block(2), tf.mul(x4, c[12]!));
  h = tf.add(block(1), tf.matMul(x4, h));
  return tf.add(block(0), tf.matMul(x4, h));
}

/**
 * exp(A) by scaling and squaring (Higham, "The scaling and squaring method for the matrix exponential
 * revisited", SIAM J. Matrix Anal. Appl. 26(4), 2005; here with a Taylor rather than a Padé approximant, so no
 * linear solve is needed): s = max(0, ⌈log₂(‖A‖₁/θ)⌉), exp(A) ≈ T₁₂(A/2^s)^(2^s). No gradient (see `expm`).
 * A non-finite A gives a matrix of NaN (training then reports divergence instead of hanging in the squarings).
 */
export function expmValue(a: tf.Tensor2D): tf.Tensor2D {
  const n = assertSquare(a, 'expm');
  const norm = oneNorm(a);
  if (!Number.isFinite(norm)) return tf.fill([n, n], NaN);
  const s = norm > TAYLOR_THETA ? Math.ceil(Math.log2(norm / TAYLOR_THETA)) : 0;
  return tf.tidy(() => {
    let y = taylor12(s > 0 ? tf.mul(a, 2 ** -s) : a);
    for (let i = 0; i < s; i++) y = tf.matMul(y, y);
    return y;
  });
}

/**
 * The Fréchet derivative of the exponential at A in direction E, L(A, E) = Σ_k 1/k! Σ_{j<k} A^j E A^{k−1−j},
 * read off the block identity exp([[A, E], [0, A]]) = [[exp(A), L(A, E)], [0, exp(A)]] (Mathias, SIAM J. Matrix
 * Anal. Appl. 17(3), 1996; Higham, "Functions of Matrices", SIAM 2008, ch. 3). L is linear in E, so E is scaled to ‖E‖₁ = 1 first and the
 * result scaled back: a large E would otherwise raise ‖[[A, E], [0, A]]‖₁ and with it the number of squarings
 * (and their rounding) without changing L(A, E)/‖E‖₁.
 */
export function expmFrechet(a: tf.Tensor2D, e: tf.Tensor2D): tf.Tensor2D {
  const n = assertSquare(a, 'expmFrechet');
  const scale = oneNorm(e);
  if (scale === 0) return tf.zerosLike(e);
  if (!Number.isFinite(scale)) return tf.fill([n, n], NaN);
  return tf.tidy(() => {
    const top = tf.concat<tf.Tensor2D>([a, tf.div<tf.Tensor2D>(e, scale)], 1);
    const bottom = tf.concat<tf.Tensor2D>([tf.zeros([n, n]), a], 1);
    const big = expmValue(tf.concat<tf.Tensor2D>([top, bottom], 0));
    return tf.mul(tf.slice(big, [0, n], [n, n]), scale);
  });
}

/**
 * W = exp(A) with its exact gradient: for a loss L with G = ∂L/∂W, ∂L/∂A = L(Aᵀ, G) = [exp([[Aᵀ, G], [0, Aᵀ]])]₁₂,
 * the adjoint of the Fréchet derivative (L(A, ·)* = L(Aᵀ, ·) under ⟨X, Y⟩ = tr XᵀY). This is the backward of
 * lezcano/expRNN (830ec83) trivializations.py `expm_class` (`differential(expm32, A.t(), G)`, expm32.py).
 */
export const expm: (a: tf.Tensor2D) => tf.Tensor2D = (() => {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [a, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([a]);
    return {
      value: expmValue(a),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        expmFrechet(tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D),
      ],
    };
  });
  return (a: tf.Tensor2D) => {
    assertSquare(a, 'expm');
    return op(a);
  };
})();

/**
 * One Gauss–Jordan step on the augmented [M | I] (n × 2n) at column k with partial pivoting (Golub & Van
 * Loan, "Matrix Computations", 4th ed., §3.4): the row p ≥ k with the largest |m_pk| is swapped into row k
 * (a gather, so the pivot choice stays on the device: no read-back per step), row k is divided by the
 * pivot, and column k is cleared in every other row. The last two are one rank-1 update
 * M ← M − (m_k − e_k) r_kᵀ with r_k = M[k, :]/m_kk, since that leaves row k equal to r_k.
 */
function gaussJordanStep(aug: tf.Tensor2D, k: number, rows: tf.Tensor1D): tf.Tensor2D {
  const n = aug.shape[0];
  const width = aug.shape[1];
  const column = tf.reshape(tf.slice(aug, [0, k], [n, 1]), [n]);
  const candidates = tf.where(tf.greaterEqual(rows, k), tf.abs(column), tf.fill([n], -1));
  const p = tf.argMax(candidates); // int32 scalar
  const atK = tf.equal(rows, k);
  const atP = tf.equal(rows, p);
  const order = tf.where(atK, tf.broadcastTo(p, [n]), tf.where(atP, tf.fill([n], k, 'int32'), rows));
  const swapped = tf.gather(aug, order);
  const pivotRow = tf.div(tf.slice(swapped, [k, 0], [1, width]), tf.slice(swapped, [k, k], [1, 1]));
  const unit = new Float32Array(n);
  unit[k] = 1;
  const factors = tf.sub(tf.slice(swapped, [0, k], [n, 1]), tf.tensor2d(unit, [n, 1]));
  return tf.sub(swapped, tf.matMul(factors, pivotRow));
}

/** M⁻¹ by Gauss–Jordan elimination with partial pivoting on [M | I]; no gradient (see `inv`). */
export function invValue(m: tf.Tensor2D): tf.Tensor2D {
  const n = assertSquare(m, 'inv');
  const rows = tf.range(0, n, 1, 'int32');
  let aug = tf.tidy(() => tf.concat([m, tf.eye(n)], 1));
  // One tidy per step: the n steps would otherwise hold n augmented matrices until the end.
  for (let k = 0; k < n; k++) {
    const next = tf.tidy(() => gaussJordanStep(aug, k, rows));
    aug.dispose();
    aug = next;
  }
  const out = tf.slice(aug, [0, n], [n, n]);
  aug.dispose();
  rows.dispose();
  return out;
}

/** The backward of X = M⁻¹: ∂L/∂M = −Xᵀ (∂L/∂X) Xᵀ, from the saved X. */
function invGrad(dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] {
  const x = saved[0] as tf.Tensor2D;
  return [tf.neg(tf.matMul(tf.matMul(x, dy as tf.Tensor2D, true, false), x, false, true))];
}

/**
 * X = M⁻¹ with its exact gradient: dX = −X dM X, so ∂L/∂M = −Xᵀ (∂L/∂X) Xᵀ (Giles, "An extended collection of
 * matrix derivative results for forward and reverse mode AD", 2008, §2.2.3). The backward needs only products,
 * no second solve. The forward is `invValue` (Gauss–Jordan).
 */
export const inv: (m: tf.Tensor2D) => tf.Tensor2D = (() => {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [m, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const x = invValue(m);
    save([x]);
    return { value: x, gradFunc: invGrad };
  });
  return (m: tf.Tensor2D) => {
    assertSquare(m, 'inv');
    return op(m);
  };
})();

/** Newton–Schulz stops once its residual bound is below this (under float32's unit roundoff 2^−24). */
const SCHULZ_TARGET = 2 ** -26;

/**
 * (I + A)⁻¹ for skew-symmetric A by the Newton–Schulz iteration X_{k+1} = X_k (2I − M X_k), M = I + A
 * (Schulz, ZAMM 13, 1933; the scaled start X₀ = α Mᵀ, α = 2/(σ_min² + σ_max²), is Pan & Schreiber's,
 * SIAM J. Sci. Stat. Comput. 12(5), 1991): products only, so far fewer (and larger)
 * operations than Gauss–Jordan's n sequential steps. Its residual R_k = I − X_k M squares at every step,
 * R_{k+1} = R_k². Why the step count is known in advance: M is normal with singular values √(1 + λ²) in
 * [1, √c], c = 1 + ‖A‖₁² (‖A‖₂² ≤ ‖A‖₁‖A‖_∞ = ‖A‖₁² for skew A), so X₀ = α Mᵀ with α = 2/(1 + c) gives
 * ‖R₀‖₂ ≤ (c − 1)/(c + 1), and k = ⌈log₂(ln ε / ln‖R₀‖₂)⌉ steps reach ε = 2^−26; one more lets float32
 * rounding settle. Returns null when A is not exactly skew-symmetric (the bound does not hold then).
 */
export function invIdentityPlusSkewValue(a: tf.Tensor2D): tf.Tensor2D | null {
  const n = assertSquare(a, 'invIdentityPlusSkew');
  // One read-back for both numbers the host needs.
  const [norm, asymmetry] = tf.tidy(() =>
    tf.stack([tf.max(tf.sum(tf.abs(a), 0)), tf.max(tf.abs(tf.add(a, tf.transpose(a))))]).dataSync(),
  );
  if (!Number.isFinite(norm!) || !Number.isFinite(asymmetry!)) return tf.fill([n, n], NaN);
  if (asymmetry! > 0) return null;
  const c = 1 + norm! * norm!;
  const r0 = (c - 1) / (c + 1);
  const steps = r0 === 0 ? 0 : Math.ceil(Math.log2(Math.log(SCHULZ_TARGET) / Math.log(r0))) + 1;
  return tf.tidy(() => {
    const eye = tf.eye(n);
    const m = tf.add(eye, a);
    const twoEye = tf.mul(eye, 2);
    let x: tf.Tensor2D = tf.mul(tf.sub(eye, a), 2 / (1 + c)); // α Mᵀ, with Mᵀ = I − A
    for (let k = 0; k < steps; k++) x = tf.matMul(x, tf.sub(twoEye, tf.matMul(m, x)));
    return x;
  });
}

/**
 * The Cayley transform (I + A)⁻¹(I − A), evaluated as 2(I + A)⁻¹ − I (the same matrix, since
 * I − A = 2I − (I + A)), which saves a product. Orthogonal for skew-symmetric A, where I + A is always
 * invertible (its symmetric part is I); (I + A)⁻¹ is then `invIdentityPlusSkewValue` (Newton–Schulz), for
 * any other A `invValue` (Gauss–Jordan). Gradient: that of the inverse (see `inv`), ∂L/∂A = −Xᵀ G Xᵀ with
 * X = (I + A)⁻¹ and G = ∂L/∂X.
 */
export const cayley: (a: tf.Tensor2D) => tf.Tensor2D = (() => {
  const inverse = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [a, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const x = invIdentityPlusSkewValue(a) ?? tf.tidy(() => invValue(tf.add(tf.eye(a.shape[0]), a)));
    save([x]);
    return { value: x, gradFunc: invGrad };
  });
  return (a: tf.Tensor2D) => {
    const n = assertSquare(a, 'cayley');
    const eye = tf.eye(n);
    return tf.sub(tf.mul(inverse(a), 2), eye);
  };
})();

/**
 * A = triu(P, 1) − triu(P, 1)ᵀ: the skew-symmetric matrix whose strict upper triangle is P's (the lower
 * triangle and diagonal of P are not read), as lezcano/expRNN orthogonal.py `Orthogonal.retraction`.
 */
export function skewFromUpper(p: tf.Tensor2D): tf.Tensor2D {
  const n = assertSquare(p, 'skewFromUpper');
  const mask = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) mask[i * n + j] = 1;
  const upper = tf.mul(p, tf.tensor2d(mask, [n, n]));
  return tf.sub(upper, tf.transpose(upper));
}
