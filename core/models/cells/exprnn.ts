// expRNN (Lezcano-Casado & Martínez-Rubio, ICML 2019): orthogonal recurrence W = exp(A), A skew, modReLU.
import * as tf from '../../engine/tf.ts';
import type { Rng } from '../../engine/rng.ts';
import type { CellSpec, WeightSpec } from '../cell.ts';
import { unitsOf } from '../cell.ts';
import { normal, uniform } from '../init.ts';
import { expm, skewFromUpper } from '../linalg.ts';

/**
 * Real modReLU, modReLU(z) = sign(z) · ReLU(|z| + b) (b broadcast over the batch), as lezcano/expRNN
 * orthogonal.py `modrelu.forward` and SpartinStuff/scoRNN scoRNN.py `scoRNNCell.__call__` (both compute it so).
 */
export function modRelu(z: tf.Tensor2D, b: tf.Tensor): tf.Tensor2D {
  return tf.mul(tf.sign(z), tf.relu(tf.add(tf.abs(z), b)));
}

/**
 * The skew-symmetric block-diagonal initial A of lezcano/expRNN initialization.py `create_diag_`:
 * A[2k, 2k+1] = θ_k, A[2k+1, 2k] = −θ_k for k < ⌊N/2⌋, zero elsewhere (the last row and column when N is odd),
 * with the θ_k drawn one after another by `theta`. The whole matrix is stored, as the official parameter is.
 */
export function blockDiagonalSkew(n: number, theta: (rng: Rng) => number): (rng: Rng) => Float32Array {
  return (rng) => {
    const out = new Float32Array(n * n);
    for (let k = 0; 2 * k + 1 < n; k++) {
      const t = theta(rng);
      out[2 * k * n + 2 * k + 1] = t;
      out[(2 * k + 1) * n + 2 * k] = -t;
    }
    return out;
  };
}

/**
 * The free matrix P [N, N] of an orthogonal cell whose W is a function of A = triu(P, 1) − triu(P, 1)ᵀ (expRNN,
 * scoRNN): only its strict upper triangle is read (N(N−1)/2 effective parameters, see cell.ts
 * `effectiveParamCount`); optimizer group 'orthogonal'; initialised by `blockDiagonalSkew` with `theta`.
 * `w` is W in terms of A, for the doc.
 */
export function skewParameter(name: string, n: number, w: string, theta: (rng: Rng) => number): WeightSpec {
  return {
    name,
    shape: [n, n],
    doc: `P: A = triu(P, 1) − triu(P, 1)ᵀ, W = ${w}; only the strict upper triangle is read`,
    group: 'orthogonal',
    init: blockDiagonalSkew(n, theta),
    effectiveParams: (n * (n - 1)) / 2,
  };
}

/** Henaff, Szlam & LeCun (2016) initialisation (initialization.py `henaff_init_`): θ ~ U[−π, π]. */
export const henaffTheta = (rng: Rng): number => rng.range(-Math.PI, Math.PI);

/**
 * Cayley initialisation of Helfrich et al. (2018) (initialization.py `cayley_init_`, scoRNN.py lines 28–30):
 * s ~ U[0, π/2], θ = −√((1 − cos s)/(1 + cos s)) (= −tan(s/2), so θ ∈ (−1, 0]).
 */
export const cayleyTheta = (rng: Rng): number => {
  const s = rng.range(0, Math.PI / 2);
  return -Math.sqrt((1 - Math.cos(s)) / (1 + Math.cos(s)));
};

/** W = exp(triu(P, 1) − triu(P, 1)ᵀ): the recurrent matrix of `recurrent_kernel.A` = P (also for export, tests). */
export function exprnnRecurrent(p: tf.Tensor2D): tf.Tensor2D {
  return expm(skewFromUpper(p));
}

/**
 * A = triu(P, 1) − triu(P, 1)ᵀ;  W = exp(A);  h_t = modReLU(x_t Tᵀ + h_{t−1} W);  h_0 = 0; the readout reads h.
 * modReLU(z) = sign(z) · ReLU(|z| + b). As lezcano/expRNN (830ec83) orthogonal.py `OrthogonalRNN` in its static
 * mode (= expRNN; the scripts' default `--mode dtriv` rebases W every K steps and is not this cell):
 * `Orthogonal.forward` is `input.matmul(B)`, so W multiplies the row vector h from the right (the column-vector
 * matrix is Wᵀ = exp(−A)); B = base·exp(A) with base = I. Names and shapes are its state_dict's (`rnn.` prefix
 * dropped):
 * - `recurrent_kernel.A` [N, N]: the free matrix P; only its strict upper triangle is read (N(N−1)/2
 *   effective parameters, see cell.ts `effectiveParamCount`); optimizer group 'orthogonal' (lr_orth = lr/10).
 * - `input_kernel.weight` [N, d]: T, nn.Linear without bias, kaiming_normal_(nonlinearity='relu'): N(0, 2/d).
 * - `nonlinearity.b` [N]: modReLU bias, U[−0.01, 0.01].
 * exp is linalg.ts `expm` (scaling and squaring, Taylor 12) with the exact gradient the official
 * `expm_class` uses, ∂L/∂A = [exp([[Aᵀ, G], [0, Aᵀ]])]₁₂. A initialises block-diagonal (`blockDiagonalSkew`)
 * with θ from `init`: 'cayley' (the MNIST script's default, our default) or 'henaff' (copying and TIMIT).
 * W is built once per sequence (CellSpec.prepare). State: [h].
 */
export const exprnn: CellSpec = {
  name: 'exprnn',
  title: 'expRNN',
  summary:
    'Exponential RNN: an orthogonal recurrent matrix W = exp(A) of a skew-symmetric A, trained without constraints, with modReLU.',
  paper:
    'Lezcano-Casado & Martínez-Rubio, "Cheap Orthogonal Constraints in Neural Networks: A Simple Parametrization of the Orthogonal and Unitary Group", ICML 2019, arXiv:1901.08428; code lezcano/expRNN (orthogonal.py, trivializations.py, expm32.py, initialization.py)',
  config: {
    units: {
      type: 'integer',
      default: 170,
      min: 1,
      max: 4096,
      description: 'hidden size N (MNIST script: 170)',
    },
    init: {
      type: 'enum',
      default: 'cayley',
      choices: ['cayley', 'henaff'],
      description:
        'initial A: 2×2 rotation blocks with θ = −tan(s/2), s ~ U[0, π/2] (cayley: MNIST script) or θ ~ U[−π, π] (henaff: copying, TIMIT)',
    },
  },
  // 2_mnist.py defaults: RMSprop (PyTorch) lr 7e-4 for T, b and the readout, lr_orth 7e-5 for A; batch 128.
  trainDefaults: { optimizer: 'rmsprop', lr: 7e-4, orthLrScale: 0.1, batchSize: 128 },
  weights(inputDim, config) {
    const n = unitsOf(config);
    const theta = config['init'] === 'henaff' ? henaffTheta : cayleyTheta;
    return [
      skewParameter('recurrent_kernel.A', n, 'exp(A)', theta),
      {
        name: 'input_kernel.weight',
        shape: [n, inputDim],
        doc: 'T: input to hidden [N, d] (no bias)',
        init: normal([n, inputDim], Math.sqrt(2 / inputDim)),
      },
      { name: 'nonlinearity.b', shape: [n], doc: 'modReLU bias b', init: uniform([n], -0.01, 0.01) },
    ];
  },
  prepare: (w) => ({ 'derived.W': exprnnRecurrent(w['recurrent_kernel.A'] as tf.Tensor2D) }),
  initState(batch, _w, config) {
    return [tf.zeros([batch, unitsOf(config)])];
  },
  step(x, [h], w) {
    const fromInput = tf.matMul(x, w['input_kernel.weight']!, false, true);
    const pre = tf.add<tf.Tensor2D>(fromInput, tf.matMul(h!, w['derived.W']!));
    return [modRelu(pre, w['nonlinearity.b']!)];
  },
  features: ([h]) => h!,
  featureSize: (config) => unitsOf(config),
};
