// IRNN (Le, Jaitly & Hinton 2015): a ReLU Elman network whose recurrent matrix starts as the identity.
import type { CellSpec } from '../cell.ts';
import { glorotUniform, identity, zeros } from '../init.ts';
import { elmanCell } from './elman.ts';

/**
 * h_t = ReLU(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), h_0 = 0; the readout reads h (torch.nn.RNNCell(nonlinearity=
 * 'relu'), the golden reference; names and layouts its state_dict's; the shared Elman factory, elman.ts).
 * Init: W_hh = I, b_ih = b_hh = 0, W_ih Glorot-uniform U(±√(6/(d + N))), as the uRNN authors' IRNN baseline
 * (amarshah/complex_RNN 3537fbf models.py `IRNN`: V by `initialize_matrix`, W = identity, hidden bias 0), which
 * the orthogonal-RNN papers compare against. The IRNN paper draws the non-recurrent weights from N(0, 0.001²)
 * instead (Le, Jaitly, Hinton, "A Simple Way to Initialize Recurrent Networks of Rectified Linear Units",
 * arXiv:1504.00941); the uRNN code also learns h_0 (initialised to 0), which we keep fixed at 0 as the paper.
 * Training defaults: the uRNN code's (its own RMSProp, decay 0.9, lr 1e-3, batch 20, gradients clipped to
 * [−1, 1] elementwise for the IRNN), in our optimizer's PyTorch semantics.
 */
export const irnn: CellSpec = elmanCell({
  name: 'irnn',
  title: 'IRNN',
  summary:
    'ReLU recurrent network initialised with the identity recurrent matrix, so it starts by copying its state forward.',
  paper:
    'Le, Jaitly, Hinton, "A Simple Way to Initialize Recurrent Networks of Rectified Linear Units", arXiv:1504.00941 (2015); init as amarshah/complex_RNN models.py IRNN',
  nonlinearity: 'relu',
  trainDefaults: { optimizer: 'rmsprop', lr: 1e-3, alpha: 0.9, clipValue: 1, batchSize: 20 },
  init: (inputDim, n) => ({
    weight_ih: glorotUniform([n, inputDim], inputDim, n),
    weight_hh: identity(n),
    bias_ih: zeros([n]),
    bias_hh: zeros([n]),
  }),
});
