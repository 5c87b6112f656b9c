// Lipschitz RNN (Erichson et al., ICLR 2021): Euler steps of ḣ = Ah + tanh(Wh + Ux + b), A and W β-mixed.
import * as tf from '../../engine/tf.ts';
import type { Config, ConfigSchema } from '../../api/params.ts';
import type { CellSpec, WeightSpec, Weights } from '../cell.ts';
import { unitsOf } from '../cell.ts';
import { normal, torchDefault } from '../init.ts';
import { betaMix } from './beta-mix.ts';

/**
 * The hyper-parameters of the Lipschitz drift, shared by `lipschitz` and `noisy-rnn`. Defaults: the official
 * README / tuning_robust.txt commands for pixel MNIST (N = 128, β = 0.75, γ = 0.001) and driver.py's
 * init_std = 0.1.
 */
export const DRIFT_CONFIG = {
  units: { type: 'integer', default: 128, min: 1, max: 4096, description: 'hidden size N' },
  beta: {
    type: 'number',
    default: 0.75,
    min: 0,
    max: 1,
    description: 'β: weight of the skew part of A and W (1: antisymmetric, 0: symmetric)',
  },
  gammaA: {
    type: 'number',
    default: 0.001,
    min: 0,
    max: 100,
    description: 'γ_A: shift of A’s spectrum to the left (diffusion)',
  },
  gammaW: {
    type: 'number',
    default: 0.001,
    min: 0,
    max: 100,
    description: 'γ_W: shift of W’s spectrum to the left',
  },
  alpha: {
    type: 'number',
    default: 1,
    min: 0,
    max: 10,
    description: 'α: weight of the linear term A h (the official ablation knob; 0 drops it)',
  },
  initStd: {
    type: 'number',
    default: 0.1,
    min: 0,
    max: 100,
    description: 'init_std σ: M_A, M_W drawn N(0, (σ/N)²) (divided by N, not √N, as the official code)',
  },
} as const satisfies ConfigSchema;

/**
 * The weights of the Lipschitz drift, named and ordered as the official state_dict (module parameters C, B
 * first, then the submodule E; the readout D is the model's `readout.*`).
 */
export function driftWeights(inputDim: number, config: Config): WeightSpec[] {
  const n = unitsOf(config);
  const std = (config['initStd'] as number) / n;
  return [
    { name: 'C', shape: [n, n], doc: 'M_W: W = β-mix(M_W) [N, N]', init: normal([n, n], std) },
    { name: 'B', shape: [n, n], doc: 'M_A: A = β-mix(M_A) [N, N]', init: normal([n, n], std) },
    {
      name: 'E.weight',
      shape: [n, inputDim],
      doc: 'U: input to hidden [N, d] (nn.Linear layout)',
      init: torchDefault([n, inputDim], inputDim),
    },
    { name: 'E.bias', shape: [n], doc: 'b: hidden bias [N]', init: torchDefault([n], inputDim) },
  ];
}

/**
 * A and W, built once per sequence as the official code does (at i == 0) — CellSpec.prepare. Rebuilding them at
 * every step would cost O(N²) ops per step and, under a gradient tape, keep T copies of two N×N matrices.
 */
export function prepareDrift(w: Weights, config: Config): Record<string, tf.Tensor> {
  return {
    'derived.A': betaMix(w['B'] as tf.Tensor2D, config['beta'] as number, config['gammaA'] as number),
    'derived.W': betaMix(w['C'] as tf.Tensor2D, config['beta'] as number, config['gammaW'] as number),
  };
}

/**
 * f(h, x) = α·(h A) + tanh(h W + x Uᵀ + b) for a batch of row vectors h [B, N], x [B, d].
 * Row vectors as the official code (`torch.matmul(h, A)`), so h A is Aᵀh in column form; we keep that
 * convention rather than the paper's A h so that the official weights load and compute the same function.
 */
export function lipschitzDrift(x: tf.Tensor2D, h: tf.Tensor2D, w: Weights, config: Config): tf.Tensor2D {
  const z = tf.add(tf.matMul(x, w['E.weight']!, false, true), w['E.bias']!);
  const linear = tf.mul(config['alpha'] as number, tf.matMul(h, w['derived.A']!));
  return tf.add(linear, tf.tanh(tf.add(tf.matMul(h, w['derived.W']!), z)));
}

/**
 * h_{k+1} = h_k + ε·α·(h_k A) + ε·tanh(h_k W + U x_k + b),  h_0 = 0; the readout reads h.
 * A = (1−β)(M_A + M_Aᵀ) + β(M_A − M_Aᵀ) − γ_A I,  W = (1−β)(M_W + M_Wᵀ) + β(M_W − M_Wᵀ) − γ_W I (beta-mix.ts),
 * row-vector convention of the code (h A = Aᵀh). Init: M_A, M_W ~ N(0, (init_std/N)²) entrywise (tools.py
 * `gaussian_init_`), U and b PyTorch nn.Linear default U(±1/√d).
 * Erichson, Azencot, Queiruga, Hodgkinson, Mahoney, "Lipschitz Recurrent Neural Networks", ICLR 2021,
 * arXiv:2006.12070; code erichson/LipschitzRNN (df6552e) models.py, `RnnModels(model='LipschitzRNN')` with the
 * Euler solver; state_dict names: C = M_W, B = M_A, E = (U, b), D = readout. That repo has one γ for A and W;
 * we expose γ_A and γ_W as the NoisyRNN repo does, both defaulting to its 0.001. α is the official ablation
 * factor (default 1). State: [h].
 */
export const lipschitz: CellSpec = {
  name: 'lipschitz',
  title: 'Lipschitz RNN',
  summary:
    'Continuous-time RNN whose linear part mixes a symmetric (dissipative) and a skew (oscillatory) matrix, integrated by Euler steps.',
  paper:
    'Erichson et al., "Lipschitz Recurrent Neural Networks", ICLR 2021, arXiv:2006.12070; code erichson/LipschitzRNN',
  config: {
    ...DRIFT_CONFIG,
    eps: { type: 'number', default: 0.03, min: 0, exclusiveMin: true, max: 10, description: 'Euler step ε' },
  },
  // README command for pixel MNIST (Adam, lr 0.003, batch 128; its ×0.1 decay at epoch 90 depends on the task).
  trainDefaults: { optimizer: 'adam', lr: 0.003, batchSize: 128 },
  weights: driftWeights,
  prepare: prepareDrift,
  initState(batch, _w, config) {
    return [tf.zeros([batch, unitsOf(config)])];
  },
  step(x, [h], w, config) {
    const eps = config['eps'] as number;
    return [tf.add<tf.Tensor2D>(h!, tf.mul(eps, lipschitzDrift(x, h!, w, config)))];
  },
  features: ([h]) => h!,
  featureSize: (config) => unitsOf(config),
};
