// Noisy RNN (Lim, Erichson et al., NeurIPS 2021): the Lipschitz drift with a learnable step and noise injected while training.
import * as tf from '../../engine/tf.ts';
import type { CellSpec } from '../cell.ts';
import { unitsOf } from '../cell.ts';
import { DRIFT_CONFIG, driftWeights, lipschitzDrift, prepareDrift } from './lipschitz.ts';

/**
 * f_k = α·(h_k A) + tanh(h_k W + U x_k + b)   (the Lipschitz drift, lipschitz.ts; row vectors as the code)
 * training:   h_{k+1} = h_k + d ⊙ m_k ⊙ f_k + σ_add ξ_k,   m_k ~ U[1 − σ_mult, 1],  ξ_k ~ N(0, I) (not scaled by √ε)
 * evaluation: h_{k+1} = h_k + d ⊙ f_k;   h_0 = 0; the readout reads h.
 * d ∈ R^N is learned, initialised to ε in every entry; M_A, M_W, U, b as the Lipschitz RNN.
 * Lim, Erichson, Hodgkinson, Mahoney, "Noisy Recurrent Neural Networks", NeurIPS 2021, arXiv:2102.04877; code
 * erichson/NoisyRNN (55ba547) models.py, `NoisyRNN(solver='noisy')` (its `solver='base'`, h + ε f_k, is our
 * `lipschitz` cell). state_dict names: C = M_W, B = M_A, d, E = (U, b), D = readout. The draws come from the
 * step context (our seeded RNG), in the official order per step: ξ_k, then m_k, each only when its σ > 0;
 * with no noise, training and evaluation agree. State: [h].
 */
export const noisyRnn: CellSpec = {
  name: 'noisy-rnn',
  title: 'Noisy RNN',
  summary:
    'Lipschitz-RNN dynamics with a learned per-unit step and additive and multiplicative noise injected into the hidden state during training (an implicit regulariser).',
  paper:
    'Lim, Erichson, Hodgkinson, Mahoney, "Noisy Recurrent Neural Networks", NeurIPS 2021, arXiv:2102.04877; code erichson/NoisyRNN',
  config: {
    ...DRIFT_CONFIG,
    eps: {
      type: 'number',
      default: 0.01,
      min: 0,
      exclusiveMin: true,
      max: 10,
      description: 'ε: initial value of every entry of the learned step vector d',
    },
    addNoise: {
      type: 'number',
      default: 0.02,
      min: 0,
      max: 10,
      description: 'σ_add: std of the additive noise σ_add·ξ, ξ ~ N(0, I) (training only)',
    },
    multNoise: {
      type: 'number',
      default: 0.02,
      min: 0,
      max: 1,
      description: 'σ_mult: the step is scaled by m ~ U[1 − σ_mult, 1] per unit (training only)',
    },
  },
  // tuning_robust.txt, "Noisy RNN with small noise" on pixel MNIST: Adam, lr 0.001, batch 128 (driver default).
  trainDefaults: { optimizer: 'adam', lr: 0.001, batchSize: 128 },
  weights(inputDim, config) {
    const n = unitsOf(config);
    const eps = config['eps'] as number;
    const [C, B, ...E] = driftWeights(inputDim, config);
    // The state_dict's order: the module's own parameters C, B, d, then the submodule E.
    return [
      C!,
      B!,
      {
        name: 'd',
        shape: [n],
        doc: 'd: learned step per unit [N]',
        init: () => new Float32Array(n).fill(eps),
      },
      ...E,
    ];
  },
  prepare: prepareDrift,
  initState(batch, _w, config) {
    return [tf.zeros([batch, unitsOf(config)])];
  },
  step(x, [h], w, config, ctx) {
    const f = lipschitzDrift(x, h!, w, config);
    const step = tf.mul(w['d']!, f);
    if (!ctx.training) return [tf.add<tf.Tensor2D>(h!, step)];
    const sAdd = config['addNoise'] as number;
    const sMult = config['multNoise'] as number;
    const shape: [number, number] = [h!.shape[0], h!.shape[1]];
    // Drawn in the official order (additive, then multiplicative) and only when used, as the official code.
    const xi = sAdd > 0 ? ctx.normal(shape) : null;
    const m = sMult > 0 ? ctx.uniform(shape, 1 - sMult, 1) : null;
    let next = tf.add<tf.Tensor2D>(h!, m ? tf.mul(step, m) : step);
    if (xi) next = tf.add(next, tf.mul(sAdd, xi));
    return [next];
  },
  features: ([h]) => h!,
  featureSize: (config) => unitsOf(config),
};
