// UnICORNN (Rusch & Mishra, ICML 2021): stacked undamped independent oscillators, the official kernel's update.
import * as tf from '../../engine/tf.ts';
import type { Config } from '../../api/params.ts';
import type { CellSpec, StepContext, WeightSpec } from '../cell.ts';
import { unitsOf } from '../cell.ts';
import { uniform, zeros } from '../init.ts';

/**
 * Layer ℓ = 0..L−1 at step n, with u⁰_n = x_n (the cell's input) and u^ℓ_n = m^{ℓ−1} ⊙ y^{ℓ−1}_n:
 *   Δt̂^ℓ = Δt · sigmoid(c^ℓ)                                      (per-unit learned step, ∈ (0, Δt))
 *   z^ℓ_n = z^ℓ_{n−1} − Δt̂^ℓ ⊙ ( tanh(w^ℓ ⊙ y^ℓ_{n−1} + V^ℓ u^ℓ_n + b^ℓ) + α y^ℓ_{n−1} )
 *   y^ℓ_n = y^ℓ_{n−1} + Δt̂^ℓ ⊙ z^ℓ_n                              (symplectic Euler: z first, y from the new z)
 * y_0 = z_0 = 0; the readout reads m^{L−1} ⊙ y^{L−1}_n. m^ℓ is the dropout-over-time mask of layer ℓ's output
 * (below); without dropout m = 1.
 *
 * Source: Rusch & Mishra, "UnICORNN: A recurrent model for learning very long time dependencies", ICML 2021,
 * arXiv:2103.05487; code tk-rusch/unicornn @ 35b243d, psMNIST/network.py (identical in noisy_CIFAR10/ and
 * health_care/): the update is the CUDA kernel `unicornn_fwd` (lines 56-57: `hz -= dt*sigmoid(c)*(tanh(hy*w + x)
 * + alpha*hy); hy += dt*sigmoid(c)*hz`), where x = V u + b is `Linear_overtime` (nn.Linear, bias inside) applied to
 * the whole input sequence before the recurrence; `UnICORNN.forward` stacks the layers, applies
 * `dropout_overtime` to every layer's output (the last one's too, before the classifier) and classifies the last
 * layer's output at the last step. α and Δt are fixed hyper-parameters (not trained); Δt is one value for all
 * layers here, as in the psMNIST / CIFAR / healthcare scripts (EigenWorms and IMDB pass one per layer).
 *
 * Time-major vs layer-major: the official code runs layer 0 over the whole sequence, then layer 1 over layer 0's
 * output sequence, and so on. This cell advances every layer by one step per call, layer ℓ taking layer ℓ−1's new
 * y at the same step. Both compute the same numbers: each layer is causal (y^ℓ_n depends on its input up to n
 * only) and the dropout masks are constant over time, so the order in which the (ℓ, n) grid is filled does not
 * matter. The official backward kernel `unicornn_bwd` is a hand-written adjoint that reconstructs the states
 * backwards from the last one (the model is invertible in time) instead of storing them; it is the exact
 * gradient of this forward (checked in float64 by test/fixtures/golden/make_unicornn.py), so TF.js autodiff
 * over the stored states gives the same gradients, at O(T) memory instead of O(1).
 *
 * Initialisation as the official `UnICORNN.init_weights` and `UnICORNN_recurrence.reset_parameters`:
 * `DIs.ℓ.fc.weight` kaiming_uniform_(a=8, mode='fan_in') = U(±√(6 / ((1 + 8²) · fan_in))), `DIs.ℓ.fc.bias` 0,
 * `RNNs.ℓ.weight_hh` (w) U[0, 1], `RNNs.ℓ.c_` U[−0.1, 0.1]. (The official classifier is kaiming_normal_ with zero
 * bias; here the readout belongs to the model, which initialises every readout alike.)
 *
 * Dropout over time (official `Dropout_overtime`): one Bernoulli(1 − p) mask per sequence and layer, of shape
 * [batch, units], scaled by 1/(1 − p), the same at every step; only while training. `initState` cannot draw
 * (it has no StepContext), so the masks are drawn from the StepContext at the first training step, in layer order,
 * and carried in the state from then on. State layout: [y⁰, z⁰, y¹, z¹, …, y^{L−1}, z^{L−1}] (2L tensors of
 * [batch, units]) as initState returns it, at evaluation, and when p = 0; while training with p > 0 every step
 * returns [y⁰, z⁰, …, y^{L−1}, z^{L−1}, m⁰, …, m^{L−1}] (3L tensors). A step outside training drops the masks.
 */
export const unicornn: CellSpec = {
  name: 'unicornn',
  title: 'UnICORNN',
  summary:
    'Undamped independent controlled oscillatory RNN: stacked layers of independent Hamiltonian oscillators with learned time steps.',
  paper:
    'Rusch & Mishra, "UnICORNN: A recurrent model for learning very long time dependencies", ICML 2021, arXiv:2103.05487; code tk-rusch/unicornn',
  config: {
    units: {
      type: 'integer',
      default: 256,
      min: 1,
      max: 4096,
      description: 'oscillators per layer N (hidden size; official psMNIST: 256)',
    },
    layers: {
      type: 'integer',
      default: 3,
      min: 1,
      max: 16,
      description: 'number of stacked UnICORNN layers L (official psMNIST: 3)',
    },
    dt: {
      type: 'number',
      default: 0.19,
      min: 0,
      exclusiveMin: true,
      max: 10,
      description:
        'time step Δt, the same for every layer; each unit uses Δt·sigmoid(c) (stable oscillation needs Δt²·α < 4)',
    },
    alpha: {
      type: 'number',
      default: 30.65,
      min: 0,
      max: 1e4,
      description: 'stiffness α of the linear restoring force (official psMNIST: 30.65)',
    },
    dropout: {
      type: 'number',
      default: 0.1,
      min: 0,
      max: 0.95,
      description:
        'dropout over time on every layer output: one mask per sequence, only while training (official: 0.1)',
    },
  },
  // psMNIST/psMNIST_task.py: Adam, lr 0.00251, batch 32, test batch 1000. Its schedule (lr ÷ 10 once, after epoch
  // 650 of 2600) is not a repeating step decay, so no lrDecay* default is given.
  trainDefaults: { optimizer: 'adam', lr: 0.00251, batchSize: 32, evalBatchSize: 1000 },
  weights(inputDim, config) {
    const n = unitsOf(config);
    const L = layersOf(config);
    const dense: WeightSpec[] = [];
    const recurrent: WeightSpec[] = [];
    for (let l = 0; l < L; l++) {
      const fanIn = l === 0 ? inputDim : n;
      // kaiming_uniform_(a=8): gain √(2/(1+a²)), bound gain·√(3/fan_in). a = 8 makes the input weights small.
      const bound = Math.sqrt(6 / ((1 + 8 * 8) * fanIn));
      dense.push(
        {
          name: `DIs.${l}.fc.weight`,
          shape: [n, fanIn],
          doc: `V^${l}: input weights of layer ${l} [N, ${l === 0 ? 'd' : 'N'}] (nn.Linear [out, in])`,
          init: uniform([n, fanIn], -bound, bound),
        },
        {
          name: `DIs.${l}.fc.bias`,
          shape: [n],
          doc: `b^${l}: input bias of layer ${l} [N]`,
          init: zeros([n]),
        },
      );
      recurrent.push(
        {
          name: `RNNs.${l}.c_`,
          shape: [n],
          doc: `c^${l}: per-unit step parameter of layer ${l} [N]; Δt̂ = Δt·sigmoid(c)`,
          init: uniform([n], -0.1, 0.1),
        },
        {
          name: `RNNs.${l}.weight_hh`,
          shape: [n],
          doc: `w^${l}: diagonal recurrent weight of layer ${l} [N] (a vector: the units are independent)`,
          init: uniform([n], 0, 1),
        },
      );
    }
    // state_dict order of the official module: all DIs, (classifier,) then all RNNs; c_ before weight_hh.
    return [...dense, ...recurrent];
  },
  initState(batch, _w, config) {
    const n = unitsOf(config);
    return Array.from({ length: 2 * layersOf(config) }, () => tf.zeros<tf.Rank.R2>([batch, n]));
  },
  step(x, state, w, config, ctx) {
    const L = layersOf(config);
    const dt = config['dt'] as number;
    const alpha = config['alpha'] as number;
    const masks = dropoutMasks(state, config, ctx);
    const next: tf.Tensor2D[] = [];
    let input = x;
    for (let l = 0; l < L; l++) {
      const y = state[2 * l]!;
      const z = state[2 * l + 1]!;
      const drive = tf.add(tf.matMul(input, w[`DIs.${l}.fc.weight`]!, false, true), w[`DIs.${l}.fc.bias`]!);
      const step = tf.mul(dt, tf.sigmoid(w[`RNNs.${l}.c_`]!));
      const force = tf.add(tf.tanh(tf.add(tf.mul(w[`RNNs.${l}.weight_hh`]!, y), drive)), tf.mul(alpha, y));
      const zNext = tf.sub<tf.Tensor2D>(z, tf.mul(step, force));
      const yNext = tf.add<tf.Tensor2D>(y, tf.mul(step, zNext));
      next.push(yNext, zNext);
      // The recurrence of this layer keeps the undropped y; only what the next layer (or the readout) sees is masked.
      input = masks ? tf.mul<tf.Tensor2D>(yNext, masks[l]!) : yNext;
    }
    return masks ? [...next, ...masks] : next;
  },
  features(state, config) {
    const L = layersOf(config);
    const y = state[2 * (L - 1)]!;
    const mask = state.length === 3 * L ? state[3 * L - 1] : undefined;
    return mask ? tf.mul<tf.Tensor2D>(y, mask) : y;
  },
  featureSize: (config) => unitsOf(config),
};

function layersOf(config: Config): number {
  const L = config['layers'];
  if (typeof L !== 'number' || !Number.isInteger(L) || L < 1)
    throw new Error('unicornn: config.layers must be a positive integer');
  return L;
}

/**
 * The dropout masks for this step: carried in the state, or drawn now (first training step), or null (evaluation,
 * or p = 0). Each is Bernoulli(1 − p)/(1 − p) from one uniform draw per entry, u < 1 − p, as the official
 * `noise.bernoulli_(1 - p).div_(1 - p)`.
 */
function dropoutMasks(state: readonly tf.Tensor2D[], config: Config, ctx: StepContext): tf.Tensor2D[] | null {
  const L = layersOf(config);
  if (state.length !== 2 * L && state.length !== 3 * L)
    throw new Error(
      `unicornn: a state of ${state.length} tensors; expected ${2 * L} or ${3 * L} for ${L} layers`,
    );
  const p = config['dropout'] as number;
  if (!ctx.training || p === 0) return null;
  if (state.length === 3 * L) return state.slice(2 * L);
  const [batch, n] = state[0]!.shape;
  const keep = 1 - p;
  return Array.from({ length: L }, () =>
    tf.mul<tf.Tensor2D>(tf.cast(tf.less(ctx.uniform([batch, n], 0, 1), keep), 'float32'), 1 / keep),
  );
}
