// GRU with torch.nn.GRUCell's semantics (reset gate applied after W_hn), weight names and default initialisation.
import * as tf from '../../engine/tf.ts';
import type { CellSpec } from '../cell.ts';
import { unitsOf } from '../cell.ts';
import { torchDefault } from '../init.ts';

/**
 * r = σ(W_ir x + b_ir + W_hr h + b_hr);   z = σ(W_iz x + b_iz + W_hz h + b_hz)
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn));   h' = (1 − z) ⊙ n + z ⊙ h;   h_0 = 0; the readout reads h.
 * Cho et al., "Learning Phrase Representations using RNN Encoder–Decoder for Statistical Machine Translation",
 * EMNLP 2014, arXiv:1406.1078; the reference implementation is PyTorch's `torch.nn.GRUCell` (pytorch/pytorch,
 * torch/nn/modules/rnn.py; the step is `GRUCell` in aten/src/ATen/native/RNN.cpp). PyTorch (like cuDNN) gates
 * W_hn h + b_hn with r, where Cho et al. gate h before the product (W_hn (r ⊙ h)); we follow PyTorch so its
 * weights load unchanged. Blocks in [3N, ·] tensors are ordered r, z, n. State: [h].
 */
export const gru: CellSpec = {
  name: 'gru',
  title: 'GRU',
  summary: 'Gated recurrent unit: reset and update gates interpolate between the old state and a candidate.',
  paper:
    'Cho et al., "Learning Phrase Representations using RNN Encoder-Decoder", EMNLP 2014, arXiv:1406.1078; code pytorch/pytorch torch.nn.GRUCell',
  config: {
    units: { type: 'integer', default: 128, min: 1, max: 4096, description: 'hidden size N' },
  },
  // PyTorch practice for the gated baselines in the seed papers' comparisons (Adam, lr 1e-3).
  trainDefaults: { optimizer: 'adam', lr: 1e-3 },
  weights(inputDim, config) {
    const n = unitsOf(config);
    // torch.nn.GRUCell.reset_parameters: every tensor U(±1/√N).
    return [
      {
        name: 'weight_ih',
        shape: [3 * n, inputDim],
        doc: '[W_ir; W_iz; W_in]: input to gates [3N, d]',
        init: torchDefault([3 * n, inputDim], n),
      },
      {
        name: 'weight_hh',
        shape: [3 * n, n],
        doc: '[W_hr; W_hz; W_hn]: hidden to gates [3N, N]',
        init: torchDefault([3 * n, n], n),
      },
      {
        name: 'bias_ih',
        shape: [3 * n],
        doc: '[b_ir; b_iz; b_in]: input-side gate biases',
        init: torchDefault([3 * n], n),
      },
      {
        name: 'bias_hh',
        shape: [3 * n],
        doc: '[b_hr; b_hz; b_hn]: hidden-side gate biases',
        init: torchDefault([3 * n], n),
      },
    ];
  },
  initState(batch, _w, config) {
    return [tf.zeros([batch, unitsOf(config)])];
  },
  step(x, [h], w) {
    const gi = tf.add(tf.matMul(x, w['weight_ih']!, false, true), w['bias_ih']!);
    const gh = tf.add(tf.matMul(h!, w['weight_hh']!, false, true), w['bias_hh']!);
    const [ir, iz, inn] = tf.split(gi, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const [hr, hz, hn] = tf.split(gh, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const r = tf.sigmoid(tf.add(ir, hr));
    const z = tf.sigmoid(tf.add(iz, hz));
    const cand = tf.tanh(tf.add(inn, tf.mul(r, hn)));
    // h' = n + z ⊙ (h − n): the same as (1 − z) ⊙ n + z ⊙ h with one op fewer (PyTorch's form too).
    return [tf.add(cand, tf.mul(z, tf.sub(h!, cand)))];
  },
  features: ([h]) => h!,
  featureSize: (config) => unitsOf(config),
};
