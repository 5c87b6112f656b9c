// Elman cells h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) in torch.nn.RNNCell's layout: shared by rnn-tanh and irnn.
import * as tf from '../../engine/tf.ts';
import type { Config } from '../../api/params.ts';
import type { Rng } from '../../engine/rng.ts';
import type { CellSpec } from '../cell.ts';
import { unitsOf } from '../cell.ts';

/** Initialisers of the four RNNCell tensors for input size d and hidden size N. */
export interface ElmanInit {
  weight_ih: (rng: Rng) => Float32Array;
  weight_hh: (rng: Rng) => Float32Array;
  bias_ih: (rng: Rng) => Float32Array;
  bias_hh: (rng: Rng) => Float32Array;
}

/** What differs between Elman cells: identity, nonlinearity, initialisation and training defaults. */
export interface ElmanOptions {
  name: string;
  title: string;
  summary: string;
  paper: string;
  nonlinearity: 'tanh' | 'relu';
  trainDefaults: Config;
  init: (inputDim: number, n: number) => ElmanInit;
}

/**
 * h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), h_0 = 0, φ = tanh or ReLU; the readout reads h.
 * torch.nn.RNNCell(nonlinearity=φ) (pytorch/pytorch torch/nn/modules/rnn.py; aten RNN.cpp `rnn_tanh_cell` /
 * `rnn_relu_cell`): names and layouts are its state_dict's so weights move between the two unchanged; its two
 * biases are redundant but kept for that reason. Config: `units` only. State: [h].
 */
export function elmanCell(o: ElmanOptions): CellSpec {
  const phi = o.nonlinearity === 'tanh' ? tf.tanh : tf.relu;
  return {
    name: o.name,
    title: o.title,
    summary: o.summary,
    paper: o.paper,
    config: {
      units: { type: 'integer', default: 128, min: 1, max: 4096, description: 'hidden size N' },
    },
    trainDefaults: o.trainDefaults,
    weights(inputDim, config) {
      const n = unitsOf(config);
      const init = o.init(inputDim, n);
      return [
        {
          name: 'weight_ih',
          shape: [n, inputDim],
          doc: 'W_ih: input to hidden [N, d]',
          init: init.weight_ih,
        },
        { name: 'weight_hh', shape: [n, n], doc: 'W_hh: hidden to hidden [N, N]', init: init.weight_hh },
        { name: 'bias_ih', shape: [n], doc: 'b_ih: input-side bias [N]', init: init.bias_ih },
        { name: 'bias_hh', shape: [n], doc: 'b_hh: hidden-side bias [N]', init: init.bias_hh },
      ];
    },
    initState(batch, _w, config) {
      return [tf.zeros([batch, unitsOf(config)])];
    },
    step(x, [h], w) {
      const fromInput = tf.add(tf.matMul(x, w['weight_ih']!, false, true), w['bias_ih']!);
      const fromHidden = tf.add(tf.matMul(h!, w['weight_hh']!, false, true), w['bias_hh']!);
      return [phi(tf.add(fromInput, fromHidden)) as tf.Tensor2D];
    },
    features: ([h]) => h!,
    featureSize: (config) => unitsOf(config),
  };
}
