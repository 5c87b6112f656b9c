// Elman tanh RNN with torch.nn.RNNCell's semantics, weight names and default initialisation.
import type { CellSpec } from '../cell.ts';
import { torchDefault } from '../init.ts';
import { elmanCell } from './elman.ts';

/**
 * h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), h_0 = 0; the readout reads h.
 * Elman, "Finding Structure in Time", Cognitive Science 14 (1990); the reference implementation is PyTorch's
 * `torch.nn.RNNCell(nonlinearity='tanh')` (pytorch/pytorch, torch/nn/modules/rnn.py; the step is `rnn_tanh_cell`
 * in aten/src/ATen/native/RNN.cpp). Names and layouts are its state_dict's, so weights move between the two
 * unchanged; two biases (b_ih, b_hh) are redundant but kept for that reason. State: [h]. The step and weight
 * specs are the shared Elman factory's (elman.ts), also used by irnn.
 */
export const rnnTanh: CellSpec = elmanCell({
  name: 'rnn-tanh',
  title: 'tanh RNN',
  summary: 'Vanilla (Elman) recurrent network with a tanh nonlinearity: the baseline that forgets fastest.',
  paper:
    'Elman, "Finding Structure in Time", Cognitive Science 14 (1990); code pytorch/pytorch torch.nn.RNNCell',
  nonlinearity: 'tanh',
  // PyTorch practice for the gated baselines in the seed papers' comparisons (Adam, lr 1e-3).
  trainDefaults: { optimizer: 'adam', lr: 1e-3 },
  // torch.nn.RNNCell.reset_parameters: every tensor U(±1/√N), N = hidden size (not the fan-in).
  init: (inputDim, n) => ({
    weight_ih: torchDefault([n, inputDim], n),
    weight_hh: torchDefault([n, n], n),
    bias_ih: torchDefault([n], n),
    bias_hh: torchDefault([n], n),
  }),
});
