// coRNN (Rusch & Mishra, ICLR 2021): coupled oscillators, explicit-damping update of the official code.
import * as tf from '../../engine/tf.ts';
import type { CellSpec } from '../cell.ts';
import { unitsOf } from '../cell.ts';
import { torchDefault } from '../init.ts';

/**
 * z_n = z_{n-1} + Δt (tanh(W y_{n-1} + 𝒲 z_{n-1} + V u_n + b) − γ y_{n-1} − ε z_{n-1});  y_n = y_{n-1} + Δt z_n.
 * As tk-rusch/coRNN (afd8174) `coRNNCell` in psMNIST/network.py (identical in sMNIST/, adding/ model.py): one
 * nn.Linear(d + 2N → N) on cat(u, z, y), so `i2h.weight` is [N, d + 2N] with columns [V | 𝒲 | W]; y_0 = z_0 = 0;
 * the readout reads y (models-and-tasks.md §5.2). Explicit damping −ε z_{n−1} as the code, not the paper's
 * implicit form: the published numbers come from the code (models-and-tasks.md §8.1).
 * State: [y, z].
 */
export const cornn: CellSpec = {
  name: 'cornn',
  title: 'coRNN',
  summary: 'Coupled oscillatory RNN: a network of damped, driven nonlinear oscillators (second-order ODE).',
  paper:
    'Rusch & Mishra, "Coupled Oscillatory Recurrent Neural Network (coRNN)", ICLR 2021, arXiv:2010.00951; code tk-rusch/coRNN',
  config: {
    units: {
      type: 'integer',
      default: 128,
      min: 1,
      max: 4096,
      description: 'number of oscillators N (hidden size)',
    },
    dt: { type: 'number', default: 0.06, min: 0, exclusiveMin: true, max: 10, description: 'time step Δt' },
    gamma: { type: 'number', default: 66, min: 0, max: 1e4, description: 'stiffness γ (restoring force)' },
    epsilon: { type: 'number', default: 15, min: 0, max: 1e4, description: 'damping ε' },
  },
  trainDefaults: { optimizer: 'adam', lr: 0.02, batchSize: 50 },
  weights(inputDim, config) {
    const n = unitsOf(config);
    const fanIn = inputDim + 2 * n;
    return [
      {
        name: 'i2h.weight',
        shape: [n, fanIn],
        doc: '[V | 𝒲 | W]: input, z and y to the oscillators',
        init: torchDefault([n, fanIn], fanIn),
      },
      { name: 'i2h.bias', shape: [n], doc: 'bias b', init: torchDefault([n], fanIn) },
    ];
  },
  initState(batch, _w, config) {
    const n = unitsOf(config);
    return [tf.zeros([batch, n]), tf.zeros([batch, n])];
  },
  step(x, [y, z], w, config) {
    const dt = config['dt'] as number;
    const gamma = config['gamma'] as number;
    const eps = config['epsilon'] as number;
    const pre = tf.add(tf.matMul(tf.concat([x, z!, y!], 1), w['i2h.weight']!, false, true), w['i2h.bias']!);
    const drive = tf.sub(tf.sub(tf.tanh(pre), tf.mul(gamma, y!)), tf.mul(eps, z!));
    const zNext = tf.add<tf.Tensor2D>(z!, tf.mul(dt, drive));
    const yNext = tf.add<tf.Tensor2D>(y!, tf.mul(dt, zNext));
    return [yNext, zNext];
  },
  features: ([y]) => y!,
  featureSize: (config) => unitsOf(config),
};
