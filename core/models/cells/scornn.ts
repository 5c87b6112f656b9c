// scoRNN (Helfrich, Willmott & Ye, ICML 2018): orthogonal recurrence by the scaled Cayley transform, modReLU.
import * as tf from '../../engine/tf.ts';
import type { Config } from '../../api/params.ts';
import type { CellSpec } from '../cell.ts';
import { unitsOf } from '../cell.ts';
import { uniform, zeros } from '../init.ts';
import { cayley, skewFromUpper } from '../linalg.ts';
// Shared with expRNN on purpose: both official codes compute the same real modReLU, both parametrise W by the
// strict upper triangle of one skew A, and expRNN's `cayley_init_` is scoRNN's initialisation of A.
import { cayleyTheta, modRelu, skewParameter } from './exprnn.ts';

/** ρ as used: the configured count of −1 entries, at most N (a form may keep ρ while N shrinks). */
export function negOnesOf(config: Config): number {
  return Math.min(config['negOnes'] as number, unitsOf(config));
}

/** D = diag(+1 ×(N−ρ), −1 ×ρ) as a row [1, N] (scoRNN_mnist.py: np.diag(concat(ones(N−ρ), −ones(ρ)))). */
function scalingRow(n: number, rho: number): tf.Tensor2D {
  const d = new Float32Array(n).fill(1);
  d.fill(-1, n - rho);
  return tf.tensor2d(d, [1, n]);
}

/** W = (I + A)⁻¹(I − A) D with A = triu(P, 1) − triu(P, 1)ᵀ: the recurrent matrix of weight `A` = P. */
export function scornnRecurrent(p: tf.Tensor2D, config: Config): tf.Tensor2D {
  // D scales the columns, so it is a broadcast product with the row of D's diagonal.
  return tf.mul(cayley(skewFromUpper(p)), scalingRow(unitsOf(config), negOnesOf(config)));
}

/**
 * A = triu(P, 1) − triu(P, 1)ᵀ;  W = (I + A)⁻¹(I − A) D;  h_t = modReLU(x_t U + h_{t−1} W);  h_0 = 0; readout on h.
 * modReLU(z) = sign(z) · ReLU(|z| + b); D = diag(+1 ×(N−ρ), −1 ×ρ) fixed. As SpartinStuff/scoRNN (d390c9b)
 * scoRNN.py `scoRNNCell` (TensorFlow 1; row vectors: `matmul(inputs, U) + matmul(state, W)`) with W made by
 * `makeW` of scoRNN_mnist.py (identical in scoRNN_copying.py, scoRNN_adding.py). Weights (the official TF
 * variables `A`, `b` and `rnn/scoRNNCell/U`, in their creation order; the official `W` variable is not a
 * parameter here but recomputed from A, as the official training loop does after every update):
 * - `A` [N, N]: the free matrix P; only its strict upper triangle is read (N(N−1)/2 effective parameters,
 *   see cell.ts `effectiveParamCount`); optimizer group 'orthogonal' (the scripts' A_lr = lr/10). Initialised
 *   as the official A: 2×2 blocks θ = −√((1 − cos s)/(1 + cos s)), s ~ U[0, π/2] (scoRNN.py lines 28–38).
 * - `b` [N]: modReLU bias, initialised to 0.
 * - `U` [d, N]: input to hidden, U[−0.01, 0.01].
 * Gradient: the official loop takes G = ∂L/∂W from TF and updates A with its own formula
 * ∂L/∂A = Vᵀ − V, V = (I + A)⁻ᵀ G (D + Wᵀ) (scoRNN_mnist.py `Cayley_Transform_Deriv`). Here autodiff runs
 * through the skew parametrisation and the Cayley transform (linalg.ts `cayley`: (I + A)⁻¹ by Newton–Schulz
 * products, with the exact gradient of the inverse) and gives the gradient of the same objective: since
 * dW = −(I + A)⁻¹ dA (W + D), ∂L/∂P_ij for i < j is exactly (Vᵀ − V)_ij, and an elementwise optimiser
 * (RMSprop, Adam) then moves A as the official update does (A_ji = −A_ij stays so). The golden test checks
 * this against the official formula. W is built once per sequence (CellSpec.prepare). State: [h].
 */
export const scornn: CellSpec = {
  name: 'scornn',
  title: 'scoRNN',
  summary:
    'Scaled Cayley orthogonal RNN: W = (I + A)⁻¹(I − A)D with A skew-symmetric and D a fixed ±1 diagonal, with modReLU.',
  paper:
    'Helfrich, Willmott & Ye, "Orthogonal Recurrent Neural Networks with Scaled Cayley Transform", ICML 2018, arXiv:1707.09520; code SpartinStuff/scoRNN (scoRNN.py, scoRNN_mnist.py)',
  config: {
    units: {
      type: 'integer',
      default: 170,
      min: 1,
      max: 4096,
      description: 'hidden size N (MNIST script: 170)',
    },
    negOnes: {
      type: 'integer',
      default: 17,
      min: 0,
      max: 4096,
      description:
        'ρ: number of −1 entries of the scaling D (the last ρ of the diagonal; at most N, larger values count as N). Scripts: MNIST 17 of 170, copying 95 of 190, adding 85 of 170',
    },
  },
  // scoRNN_mnist.py: RMSProp lr 1e-3 for U, b and the readout, A_lr 1e-4 for A; batch 50. alpha and epsilon are
  // TF1's RMSProp defaults (decay 0.9, ε 1e-10); TF1 also starts its mean square at 1 and puts ε inside the
  // square root, which our PyTorch-style RMSprop does not (early steps are larger here).
  trainDefaults: {
    optimizer: 'rmsprop',
    lr: 1e-3,
    orthLrScale: 0.1,
    batchSize: 50,
    alpha: 0.9,
    epsilon: 1e-10,
  },
  weights(inputDim, config) {
    const n = unitsOf(config);
    return [
      skewParameter('A', n, '(I + A)⁻¹(I − A)D', cayleyTheta),
      { name: 'b', shape: [n], doc: 'modReLU bias b', init: zeros([n]) },
      {
        name: 'U',
        shape: [inputDim, n],
        doc: 'U: input to hidden [d, N] (row-vector layout: x U)',
        init: uniform([inputDim, n], -0.01, 0.01),
      },
    ];
  },
  prepare: (w, config) => ({ 'derived.W': scornnRecurrent(w['A'] as tf.Tensor2D, config) }),
  initState(batch, _w, config) {
    return [tf.zeros([batch, unitsOf(config)])];
  },
  step(x, [h], w) {
    const pre = tf.add<tf.Tensor2D>(tf.matMul(x, w['U']!), tf.matMul(h!, w['derived.W']!));
    return [modRelu(pre, w['b']!)];
  },
  features: ([h]) => h!,
  featureSize: (config) => unitsOf(config),
};
