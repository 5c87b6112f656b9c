// Elman tanh RNN with torch.nn.RNNCell's semantics, weight names and default initialisation.
import * as tf from '../../engine/tf.ts';
import type { CellSpec } from '../cell.ts';
import { unitsOf } from '../cell.ts';
import { torchDefault } from '../init.ts';

/**
 * h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), h_0 = 0; the readout reads h.
 * Elman, "Finding Structure in Time", Cognitive Science 14 (1990); the reference implementation is PyTorch's
 * `torch.nn.RNNCell(nonlinearity='tanh')` (pytorch/pytorch, torch/nn/modules/rnn.py; the step is `rnn_tanh_cell`
 * in aten/src/ATen/native/RNN.cpp). Names and layouts are its state_dict's, so weights move between the two
 * unchanged; two biases (b_ih, b_hh) are redundant but kept for that reason. State: [h].
 */
export const rnnTanh: CellSpec = {
  name: 'rnn-tanh',
  title: 'tanh RNN',
  summary: 'Vanilla (Elman) recurrent network with a tanh nonlinearity: the baseline that forgets fastest.',
  paper:
    'Elman, "Finding Structure in Time", Cognitive Science 14 (1990); code pytorch/pytorch torch.nn.RNNCell',
  config: {
    units: { type: 'integer', default: 128, min: 1, max: 4096, description: 'hidden size N' },
  },
  // PyTorch practice for the gated baselines in the seed papers' comparisons (Adam, lr 1e-3).
  trainDefaults: { optimizer: 'adam', lr: 1e-3 },
  weights(inputDim, config) {
    const n = unitsOf(config);
    // torch.nn.RNNCell.reset_parameters: every tensor U(±1/√N), N = hidden size (not the fan-in).
    return [
      {
        name: 'weight_ih',
        shape: [n, inputDim],
        doc: 'W_ih: input to hidden [N, d]',
        init: torchDefault([n, inputDim], n),
      },
      {
        name: 'weight_hh',
        shape: [n, n],
        doc: 'W_hh: hidden to hidden [N, N]',
        init: torchDefault([n, n], n),
      },
      { name: 'bias_ih', shape: [n], doc: 'b_ih: input-side bias', init: torchDefault([n], n) },
      { name: 'bias_hh', shape: [n], doc: 'b_hh: hidden-side bias', init: torchDefault([n], n) },
    ];
  },
  initState(batch, _w, config) {
    return [tf.zeros([batch, unitsOf(config)])];
  },
  step(x, [h], w) {
    const fromInput = tf.add(tf.matMul(x, w['weight_ih']!, false, true), w['bias_ih']!);
    const fromHidden = tf.add(tf.matMul(h!, w['weight_hh']!, false, true), w['bias_hh']!);
    return [tf.tanh(tf.add(fromInput, fromHidden)) as tf.Tensor2D];
  },
  features: ([h]) => h!,
  featureSize: (config) => unitsOf(config),
};
