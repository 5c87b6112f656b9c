// The β-mix of a matrix's symmetric and skew parts: the recurrent matrices of Lipschitz, Noisy and Antisymmetric RNNs.
import * as tf from '../../engine/tf.ts';

/**
 * (1 − β)(M + Mᵀ) + β(M − Mᵀ) − γI for a square M.
 *
 * Its symmetric part is (1 − β)(M + Mᵀ) − γI and its skew part β(M − Mᵀ): β ∈ [0, 1] trades dissipative
 * against oscillatory dynamics, γ shifts the spectrum of the symmetric part left. β = 1 gives the
 * antisymmetric matrix M − Mᵀ − γI of AntisymmetricRNN (Chang et al. 2019), whose symmetric part is −γI.
 * Erichson et al., "Lipschitz Recurrent Neural Networks", ICLR 2021, arXiv:2006.12070, eq. (A, W); code
 * erichson/LipschitzRNN models.py and erichson/NoisyRNN models.py (`beta * (B − Bᵀ) + (1 − beta) * (B + Bᵀ)
 * − gamma * I`, computed in that order here too).
 */
export function betaMix(M: tf.Tensor2D, beta: number, gamma: number): tf.Tensor2D {
  const [n, m] = M.shape;
  if (n !== m) throw new Error(`betaMix: matrix is ${n}×${m}, not square`);
  const Mt = tf.transpose(M);
  const skew = tf.mul(beta, tf.sub(M, Mt));
  const sym = tf.mul(1 - beta, tf.add(M, Mt));
  return tf.sub(tf.add(skew, sym), tf.mul(gamma, tf.eye(n)));
}
