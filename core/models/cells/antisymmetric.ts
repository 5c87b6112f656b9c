// AntisymmetricRNN (Chang et al., ICLR 2019): Euler steps of an ODE whose Jacobian is antisymmetric minus γI.
import * as tf from '../../engine/tf.ts';
import type { ConfigSchema } from '../../api/params.ts';
import type { CellSpec, WeightSpec } from '../cell.ts';
import { unitsOf } from '../cell.ts';
import { normal, zeros } from '../init.ts';
import { betaMix } from './beta-mix.ts';

const CONFIG = {
  units: { type: 'integer', default: 128, min: 1, max: 4096, description: 'hidden size N' },
  eps: { type: 'number', default: 0.01, min: 0, exclusiveMin: true, max: 10, description: 'Euler step ε' },
  gamma: {
    type: 'number',
    default: 1e-4,
    min: 0,
    max: 100,
    description: 'diffusion γ: K = W_h − W_hᵀ − γI has eigenvalues with real part −γ',
  },
  sigmaW: {
    type: 'number',
    default: 1,
    min: 0,
    max: 64,
    description: 'σ_w: W_h drawn N(0, σ_w²/N) (the paper searched {0, 1, 2, 4, 8, 16})',
  },
} as const satisfies ConfigSchema;

/**
 * The AntisymmetricRNN cell, plain (eq. 8) or gated (eq. 11), in the paper's column-vector convention:
 *   K   = W_h − W_hᵀ − γI                                   (betaMix(W_h, β = 1, γ): one construction, beta-mix.ts)
 *   plain: h_t = h_{t−1} + ε tanh(K h_{t−1} + V_h x_t + b_h)
 *   gated: z_t = σ(K h_{t−1} + V_z x_t + b_z);  h_t = h_{t−1} + ε z_t ⊙ tanh(K h_{t−1} + V_h x_t + b_h)
 * h_0 = 0; the readout reads h. Init (paper, Appendix C): V_h, V_z ~ N(0, 1/d), W_h ~ N(0, σ_w²/N), biases 0.
 * Chang, Chen, Haber, Chi, "AntisymmetricRNN: A Dynamical System View on Recurrent Neural Networks", ICLR 2019,
 * arXiv:1902.09689. No official code exists: the golden reference is our float64 PyTorch transcription of the
 * equations (test/fixtures/golden/make_antisymmetric.py), cross-checked against the re-implementations in
 * erichson/LipschitzRNN (`asymRNN`; `LipschitzRNN_gated` with β = 1, α = 0), which use row vectors (C = W_hᵀ).
 * Defaults ε = 0.01, γ = 1e-4 and the training defaults (Adam, lr 0.002, batch 128) are that group's pixel-MNIST
 * reproduction (erichson/NoisyRNN tuning_robust.txt); the paper's chosen per-task values were not recoverable
 * (its grids: ε ∈ {0.01, 0.1, 1}, σ_w ∈ {0, 1, 2, 4, 8, 16}). Only W_h's skew part matters, so the paper counts
 * N(N−1)/2 recurrent parameters (`effectiveParams`); W_h is stored whole, as its equations write it.
 * State: [h].
 */
export function antisymmetricCell(gated: boolean): CellSpec {
  return {
    name: gated ? 'antisymmetric-gated' : 'antisymmetric',
    title: gated ? 'AntisymmetricRNN (gated)' : 'AntisymmetricRNN',
    summary: gated
      ? 'AntisymmetricRNN whose update is scaled by an input gate sharing the antisymmetric recurrent matrix.'
      : 'Euler discretisation of a stable ODE with an antisymmetric recurrent matrix: neither explodes nor vanishes.',
    paper:
      'Chang, Chen, Haber, Chi, "AntisymmetricRNN: A Dynamical System View on Recurrent Neural Networks", ICLR 2019, arXiv:1902.09689; no official code (paper equations)',
    config: CONFIG,
    trainDefaults: { optimizer: 'adam', lr: 0.002, batchSize: 128 },
    weights(inputDim, config) {
      const n = unitsOf(config);
      const sigmaW = config['sigmaW'] as number;
      const specs: WeightSpec[] = [
        {
          name: 'W_h',
          shape: [n, n],
          doc: 'W_h: K = W_h − W_hᵀ − γI [N, N]; only its skew part is read',
          init: normal([n, n], sigmaW / Math.sqrt(n)),
          // The paper counts N(N−1)/2 recurrent parameters (its 10k for N = 128 on pixel MNIST).
          effectiveParams: (n * (n - 1)) / 2,
        },
        {
          name: 'V_h',
          shape: [n, inputDim],
          doc: 'V_h: input to hidden [N, d]',
          init: normal([n, inputDim], 1 / Math.sqrt(inputDim)),
        },
        { name: 'b_h', shape: [n], doc: 'b_h: hidden bias [N]', init: zeros([n]) },
      ];
      if (gated)
        specs.push(
          {
            name: 'V_z',
            shape: [n, inputDim],
            doc: 'V_z: input to gate [N, d]',
            init: normal([n, inputDim], 1 / Math.sqrt(inputDim)),
          },
          { name: 'b_z', shape: [n], doc: 'b_z: gate bias [N]', init: zeros([n]) },
        );
      return specs;
    },
    // K = W − Wᵀ − γI is built once per sequence (CellSpec.prepare): rebuilding it every step would cost O(N²)
    // ops per step and keep T copies under the gradient tape.
    prepare: (w, config) => ({ 'derived.K': betaMix(w['W_h'] as tf.Tensor2D, 1, config['gamma'] as number) }),
    initState(batch, _w, config) {
      return [tf.zeros([batch, unitsOf(config)])];
    },
    step(x, [h], w, config) {
      const eps = config['eps'] as number;
      // K h for every row h of the batch: h Kᵀ.
      const Kh = tf.matMul(h!, w['derived.K']!, false, true);
      let update = tf.tanh(tf.add(tf.add(Kh, tf.matMul(x, w['V_h']!, false, true)), w['b_h']!));
      if (gated) {
        const gate = tf.sigmoid(tf.add(tf.add(Kh, tf.matMul(x, w['V_z']!, false, true)), w['b_z']!));
        update = tf.mul(gate, update);
      }
      return [tf.add<tf.Tensor2D>(h!, tf.mul(eps, update))];
    },
    features: ([h]) => h!,
    featureSize: (config) => unitsOf(config),
  };
}

export const antisymmetric: CellSpec = antisymmetricCell(false);
