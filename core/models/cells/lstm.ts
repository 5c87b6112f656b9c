// LSTM with torch.nn.LSTMCell's semantics, weight names and default initialisation, plus an optional forget bias.
import * as tf from '../../engine/tf.ts';
import type { CellSpec } from '../cell.ts';
import { unitsOf } from '../cell.ts';
import type { Rng } from '../../engine/rng.ts';
import { torchDefault } from '../init.ts';

/**
 * [i; f; g; o] = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh   (four row blocks of N, in this order)
 * c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g);   h_t = σ(o) ⊙ tanh(c_t);   h_0 = c_0 = 0; the readout reads h.
 * Hochreiter & Schmidhuber, "Long Short-Term Memory", Neural Computation 9(8) (1997), with the forget gate of
 * Gers, Schmidhuber & Cummins (2000); the reference implementation is PyTorch's `torch.nn.LSTMCell`
 * (pytorch/pytorch, torch/nn/modules/rnn.py; the step is `LSTMCell` in aten/src/ATen/native/RNN.cpp), whose
 * state_dict names and [4N, ·] layouts we keep. No peepholes (the uRNN code's LSTM had one; PyTorch has none).
 * State: [h, c].
 */
export const lstm: CellSpec = {
  name: 'lstm',
  title: 'LSTM',
  summary: 'Long short-term memory: gated additive cell state, the standard long-memory baseline.',
  paper:
    'Hochreiter & Schmidhuber, "Long Short-Term Memory", Neural Computation 9(8) (1997); forget gate: Gers et al. (2000); code pytorch/pytorch torch.nn.LSTMCell',
  config: {
    units: { type: 'integer', default: 128, min: 1, max: 4096, description: 'hidden size N' },
    forgetBias: {
      type: 'number',
      default: 0,
      min: -10,
      max: 10,
      description: 'added to the forget-gate bias at initialisation (1 keeps memory early on; PyTorch: 0)',
    },
  },
  // PyTorch practice for the gated baselines in the seed papers' comparisons (Adam, lr 1e-3).
  trainDefaults: { optimizer: 'adam', lr: 1e-3 },
  weights(inputDim, config) {
    const n = unitsOf(config);
    const forgetBias = config['forgetBias'] as number;
    const hiddenBias = torchDefault([4 * n], n);
    // torch.nn.LSTMCell.reset_parameters: every tensor U(±1/√N). The forget bias (Jozefowicz, Zaremba &
    // Sutskever, ICML 2015) goes into b_hh's f block only, so b_ih + b_hh is shifted once, not twice.
    const biasHh = (rng: Rng): Float32Array => {
      const v = hiddenBias(rng);
      for (let i = n; i < 2 * n; i++) v[i] = v[i]! + forgetBias;
      return v;
    };
    return [
      {
        name: 'weight_ih',
        shape: [4 * n, inputDim],
        doc: '[W_ii; W_if; W_ig; W_io]: input to gates [4N, d]',
        init: torchDefault([4 * n, inputDim], n),
      },
      {
        name: 'weight_hh',
        shape: [4 * n, n],
        doc: '[W_hi; W_hf; W_hg; W_ho]: hidden to gates [4N, N]',
        init: torchDefault([4 * n, n], n),
      },
      {
        name: 'bias_ih',
        shape: [4 * n],
        doc: '[b_ii; b_if; b_ig; b_io]: input-side gate biases',
        init: torchDefault([4 * n], n),
      },
      {
        name: 'bias_hh',
        shape: [4 * n],
        doc: '[b_hi; b_hf; b_hg; b_ho]: hidden-side gate biases (+ forgetBias on b_hf)',
        init: biasHh,
      },
    ];
  },
  initState(batch, _w, config) {
    const n = unitsOf(config);
    return [tf.zeros([batch, n]), tf.zeros([batch, n])];
  },
  step(x, [h, c], w) {
    const gates = tf.add(
      tf.add(tf.matMul(x, w['weight_ih']!, false, true), w['bias_ih']!),
      tf.add(tf.matMul(h!, w['weight_hh']!, false, true), w['bias_hh']!),
    );
    const [i, f, g, o] = tf.split(gates, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const cNext = tf.add<tf.Tensor2D>(tf.mul(tf.sigmoid(f), c!), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    const hNext = tf.mul<tf.Tensor2D>(tf.sigmoid(o), tf.tanh(cNext));
    return [hNext, cNext];
  },
  features: ([h]) => h!,
  featureSize: (config) => unitsOf(config),
};
