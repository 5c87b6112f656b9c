// uRNN (Arjovsky, Shah & Bengio, ICML 2016): unitary recurrence W = D₃R₂F⁻¹D₂ΠR₁FD₁ with modReLU, in real pairs.
import * as tf from '../../engine/tf.ts';
import type { Config } from '../../api/params.ts';
import type { CellSpec, Weights } from '../cell.ts';
import { unitsOf } from '../cell.ts';
import { glorotUniform, uniform } from '../init.ts';
import { numpyPermutation } from '../../engine/mt19937.ts';

/**
 * Complex state h ∈ Cⁿ (n = units), held as TWO real [B, n] state tensors [Re h, Im h]; the features the readout
 * sees are their concatenation [Re h | Im h] (width 2n), the official code's layout:
 *   z_t = W h_{t−1} + x_t V,    h_t = modReLU(z_t) = z_t · max(|z_t| + b, 0) / (|z_t| + 1e−5)   (per unit),
 *   W   = D₃ R₂ F⁻¹ D₂ Π R₁ F D₁, applied right to left (D₁ first).
 * - D_k = diag(e^{iθ_k}), θ_k = theta[k−1] ∈ Rⁿ: (a + ib)·e^{iθ} = (a cosθ − b sinθ) + i(a sinθ + b cosθ).
 * - F, F⁻¹: the unitary DFT, F(h)_k = n^{−1/2} Σ_j h_j e^{−2πijk/n} (the code's cufft / √n), and its inverse.
 *   TF.js has no complex gradients, so with C_jk = cos(2πjk/n)/√n, S_jk = sin(2πjk/n)/√n (real, symmetric):
 *   F(a + ib) = (aC + bS) + i(bC − aS),  F⁻¹(a + ib) = (aC − bS) + i(aS + bC), as real matrix products.
 * - R_k, a complex Householder reflection, exactly as the official times_reflection: R h = h − 2 v̄ (vᵀ h)/‖v‖²
 *   with v = reflection[k−1, :n] + i·reflection[k−1, n:] (no conjugate inside the product), i.e. the reflection
 *   I − 2 u uᴴ/‖u‖² about u = v̄. models-and-tasks.md Appendix A reflects about v instead; both are unitary and
 *   agree after Im v → −Im v; we keep the code's form so its weights load unchanged.
 * - Π: a fixed permutation, (Πh)_j = h_{π(j)}, not learned. π = numpy.random.RandomState(permSeed).permutation(n),
 *   reproduced exactly by `urnnPermutation` (MT19937 + numpy's legacy shuffle); permSeed 1234 is the official
 *   code's Π (`np.random.seed(1234)` then `np.random.permutation(n_hidden)`). Π is therefore a function of the
 *   config (units, permSeed), which every run stores: an export recovers it with `urnnPermutation(units, permSeed)`.
 * - h_0 is learned (2n reals, [Re h_0 | Im h_0]), tiled over the batch.
 * Source: Arjovsky, Shah & Bengio, "Unitary Evolution Recurrent Neural Networks", ICML 2016, arXiv:1511.06464;
 * code amarshah/complex_RNN @ 3537fbf, models.py `complex_RNN` (L301–403) with times_diag, do_fft, do_ifft,
 * times_reflection, vec_permutation (L14–71); models-and-tasks.md §4 and Addendum A.1.
 * Initialisation (models.py L307–328): V and reflection Glorot uniform U(±√(6/(fan_in + fan_out))) as
 * initialize_matrix of shapes (n_in, 2n) and (2, 2n); hidden_bias U(−0.01, 0.01); theta U(−π, π);
 * h_0 U(±√(3/(2n))), so E‖h_0‖² = 1. The readout U (2n × n_out, Glorot) and out_bias (0) of the official model
 * are the Model's `readout.weight` (= Uᵀ) and `readout.bias`, whose initialisation is the Model's (PyTorch default).
 * Parameters: n(2·n_in + 10) in the cell (V 2n·n_in, b n, reflection 4n, theta 3n, h_0 2n) + (2n + 1)·n_out in the
 * readout: 6,153 for the copying model (n = 128, n_in = 10, n_out = 9), as models-and-tasks.md §4.5.
 * theta and reflection (the unitary operator's 7n parameters) form the 'orthogonal' optimizer group; the official
 * code trains everything with one learning rate, hence trainDefaults.orthLrScale = 1.
 * Why two state tensors rather than one of width 2n: every complex operation then works on whole tensors; halves
 * of a [B, 2n] tensor are strided slices, which the pure-JS cpu backend copies element by element (~15 ms each at
 * B = 20, n = 128, several per step and again in the backward pass).
 */
export const urnn: CellSpec = {
  name: 'urnn',
  title: 'uRNN',
  summary:
    'Unitary evolution RNN: complex state, recurrent matrix a product of diagonal phases, reflections, a permutation and DFTs (exactly unitary), modReLU.',
  paper:
    'Arjovsky, Shah & Bengio, "Unitary Evolution Recurrent Neural Networks", ICML 2016, arXiv:1511.06464; code amarshah/complex_RNN (models.py complex_RNN)',
  config: {
    // Why max 2048: the DFT is two dense n × n float32 matrices, 32 MiB at n = 2048 (the paper's largest n: 512).
    units: {
      type: 'integer',
      default: 128,
      min: 1,
      max: 2048,
      description:
        'complex hidden size n (features are [Re h; Im h], width 2n); paper: 128 copying, 512 adding/MNIST',
    },
    permSeed: {
      type: 'integer',
      default: 1234,
      min: 0,
      max: 4294967295,
      description:
        'seed of the fixed permutation Π = numpy.random.RandomState(permSeed).permutation(n); 1234 is the official code’s Π',
    },
  },
  // Official set-up (models-and-tasks.md §4.3, A.1): RMSProp lr 1e-3, decay 0.9, batch 20, no gradient clipping.
  // Its RMSProp starts the accumulator at 1e-3 and has no ε; ours (PyTorch's) starts at 0 and adds ε = 1e-8.
  trainDefaults: {
    optimizer: 'rmsprop',
    lr: 1e-3,
    alpha: 0.9,
    batchSize: 20,
    clipValue: 0,
    clipNorm: 0,
    orthLrScale: 1,
  },
  weights(inputDim, config) {
    const n = unitsOf(config);
    const h0 = Math.sqrt(3 / (2 * n));
    return [
      {
        name: 'V',
        complex: true,
        shape: [inputDim, 2 * n],
        doc: 'input matrix V [n_in, 2n]: x_t V = [Re | Im] of the complex input term',
        init: glorotUniform([inputDim, 2 * n], inputDim, 2 * n),
      },
      {
        name: 'hidden_bias',
        shape: [n],
        doc: 'modReLU bias b [n] (one real per complex unit)',
        init: uniform([n], -0.01, 0.01),
      },
      {
        name: 'reflection',
        complex: true,
        shape: [2, 2 * n],
        doc: 'reflection vectors [2, 2n]: row k = [Re v_k | Im v_k] of R_k (k = 1, 2)',
        group: 'orthogonal',
        init: glorotUniform([2, 2 * n], 2, 2 * n),
      },
      {
        name: 'theta',
        shape: [3, n],
        doc: 'phases θ [3, n]: row k is D_{k+1} = diag(e^{iθ})',
        group: 'orthogonal',
        init: uniform([3, n], -Math.PI, Math.PI),
      },
      {
        name: 'h_0',
        complex: true,
        shape: [1, 2 * n],
        doc: 'learned initial state h_0 [1, 2n] = [Re h_0 | Im h_0]',
        init: uniform([1, 2 * n], -h0, h0),
      },
    ];
  },
  initState(batch, w, config) {
    const n = unitsOf(config);
    // h_0 is [1, 2n]: its halves are contiguous slices.
    const [re, im] = tf.split(w['h_0']!, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return [tf.broadcastTo<tf.Rank.R2>(re, [batch, n]), tf.broadcastTo<tf.Rank.R2>(im, [batch, n])];
  },
  step(x, [re, im], w, config) {
    const [wr, wi] = urnnRecurrent(re!, im!, w, config);
    // Halves of V [n_in, 2n] rather than of x V [B, 2n]: the same products, a slice whose size is not the batch's.
    const [vr, vi] = tf.split(w['V']!, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const zr = tf.add<tf.Tensor2D>(wr, tf.matMul(x, vr));
    const zi = tf.add<tf.Tensor2D>(wi, tf.matMul(x, vi));
    return modRelu(zr, zi, w['hidden_bias']!);
  },
  features: ([re, im]) => tf.concat([re!, im!], 1),
  featureSize: (config) => 2 * unitsOf(config),
};

/**
 * W h = D₃R₂F⁻¹D₂ΠR₁FD₁ h for h = re + i·im, rows of [B, n] (models.py L343–350, step1..step8). Exported so tests
 * and diagnostics can apply the recurrent operator alone (e.g. to the identity basis to check unitarity).
 */
export function urnnRecurrent(
  re: tf.Tensor2D,
  im: tf.Tensor2D,
  w: Weights,
  config: Config,
): [tf.Tensor2D, tf.Tensor2D] {
  const n = unitsOf(config);
  const k = constantsFor(n, config['permSeed'] as number);
  const theta = w['theta']!;
  const cos = tf.cos(theta);
  const sin = tf.sin(theta);
  // Rows as [1, n] (contiguous slices) broadcast over the batch.
  const row = (t: tf.Tensor, r: number) => tf.slice(t, [r, 0], [1, n]) as tf.Tensor2D;
  const diag = (h: Complex, r: number) => timesDiag(h, row(cos, r), row(sin, r));
  const v = tf.reshape(w['reflection']!, [4, n]); // rows Re v₁, Im v₁, Re v₂, Im v₂
  const reflect = (h: Complex, r: number) => timesReflection(h, row(v, 2 * r), row(v, 2 * r + 1));
  let h: Complex = [re, im];
  h = diag(h, 0); // D₁
  h = [
    tf.add(k.mulC(h[0]), k.mulS(h[1])), // F
    tf.sub(k.mulC(h[1]), k.mulS(h[0])),
  ];
  h = reflect(h, 0); // R₁
  h = [k.permute(h[0]), k.permute(h[1])]; // Π
  h = diag(h, 1); // D₂
  h = [
    tf.sub(k.mulC(h[0]), k.mulS(h[1])), // F⁻¹
    tf.add(k.mulS(h[0]), k.mulC(h[1])),
  ];
  h = reflect(h, 1); // R₂
  return diag(h, 2); // D₃
}

type Complex = [tf.Tensor2D, tf.Tensor2D];

/** (a + ib)·e^{iθ} = (a cosθ − b sinθ) + i(a sinθ + b cosθ) per unit (models.py L31–42). */
function timesDiag([a, b]: Complex, cos: tf.Tensor2D, sin: tf.Tensor2D): Complex {
  return [tf.sub(tf.mul(a, cos), tf.mul(b, sin)), tf.add(tf.mul(a, sin), tf.mul(b, cos))];
}

/**
 * h − 2 v̄ (vᵀh)/‖v‖² (models.py L49–71): with s = vᵀh = (a·vr − b·vi) + i(a·vi + b·vr) per row,
 * Re: a − (2/‖v‖²)(s_re vr + s_im vi),  Im: b − (2/‖v‖²)(s_im vr − s_re vi).
 */
function timesReflection([a, b]: Complex, vr: tf.Tensor2D, vi: tf.Tensor2D): Complex {
  const scale = tf.div(2, tf.add(tf.sum(tf.square(vr)), tf.sum(tf.square(vi))));
  const sRe = tf.mul(scale, tf.sum(tf.sub(tf.mul(a, vr), tf.mul(b, vi)), 1, true));
  const sIm = tf.mul(scale, tf.sum(tf.add(tf.mul(a, vi), tf.mul(b, vr)), 1, true));
  return [
    tf.sub(a, tf.add(tf.mul(sRe, vr), tf.mul(sIm, vi))),
    tf.sub(b, tf.sub(tf.mul(sIm, vr), tf.mul(sRe, vi))),
  ];
}

/** modReLU per complex unit: z · max(|z| + b, 0) / (|z| + 1e−5), |z| = √(Re² + Im²) (models.py L367–369). */
function modRelu(a: tf.Tensor2D, b: tf.Tensor2D, bias: tf.Tensor): [tf.Tensor2D, tf.Tensor2D] {
  // As the official code: no ε inside the square root (its gradient is infinite only where z = 0 exactly).
  const modulus = tf.sqrt(tf.add(tf.square(a), tf.square(b)));
  const rescale = tf.div(tf.relu(tf.add(modulus, bias)), tf.add(modulus, 1e-5));
  return [tf.mul(a, rescale), tf.mul(b, rescale)];
}

/** The constants of one (n, permSeed) as operations: x·C, x·S (C, S of the DFT) and Π, each with its gradient. */
interface Constants {
  mulC: (x: tf.Tensor2D) => tf.Tensor2D;
  mulS: (x: tf.Tensor2D) => tf.Tensor2D;
  permute: (x: tf.Tensor2D) => tf.Tensor2D;
  tensors: tf.Tensor[];
}

/**
 * Why a cache: C and S are n × n; rebuilding and uploading them at every step would cost as much as the step
 * and, under a gradient tape, keep one copy per step alive. They are kept (outside any tidy) once per backend
 * instance, size and permSeed, so they live on the backend that uses them; a disposed entry is rebuilt.
 */
const cache = new WeakMap<object, Map<string, Constants>>();

function constantsFor(n: number, permSeed: number): Constants {
  const backend = tf.backend();
  let byKey = cache.get(backend);
  if (!byKey) {
    byKey = new Map();
    cache.set(backend, byKey);
  }
  const key = `${n}:${permSeed}`;
  const hit = byKey.get(key);
  if (hit && hit.tensors.every((t) => !t.isDisposed)) return hit;
  const { cos, sin } = dftMatrices(n);
  const C = tf.keep(tf.tensor2d(cos, [n, n]));
  const S = tf.keep(tf.tensor2d(sin, [n, n]));
  const perm = urnnPermutation(n, permSeed);
  const inverse = new Int32Array(n);
  for (let j = 0; j < n; j++) inverse[perm[j]!] = j;
  const idx = tf.keep(tf.tensor1d(perm, 'int32'));
  const inv = tf.keep(tf.tensor1d(inverse, 'int32'));
  const entry: Constants = {
    mulC: constantOp(
      (x) => tf.matMul(x, C),
      (dy) => tf.matMul(dy, C),
    ),
    mulS: constantOp(
      (x) => tf.matMul(x, S),
      (dy) => tf.matMul(dy, S),
    ),
    permute: constantOp(
      (x) => tf.gather(x, idx, 1),
      (dy) => tf.gather(dy, inv, 1),
    ),
    tensors: [C, S, idx, inv],
  };
  byKey.set(key, entry);
  return entry;
}

/**
 * A linear map x ↦ f(x) by a constant, with its adjoint `adjoint` as the gradient. Why custom gradients: x·C's
 * own gradient is dy·Cᵀ, a transposed product that the wasm backend runs ~10× slower than a plain one, while C and
 * S are symmetric (dy·Cᵀ = dy·C); and gather's own gradient needs UnsortedSegmentSum, which wasm lacks, while the
 * adjoint of a permutation is the inverse permutation, itself a gather.
 */
function constantOp(
  f: (x: tf.Tensor2D) => tf.Tensor2D,
  adjoint: (dy: tf.Tensor2D) => tf.Tensor2D,
): (x: tf.Tensor2D) => tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: f(args[0] as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor) => adjoint(dy as tf.Tensor2D),
  }));
  return (x) => op(x) as tf.Tensor2D;
}

/** C_jk = cos(2πjk/n)/√n and S_jk = sin(2πjk/n)/√n, row-major (both symmetric). */
function dftMatrices(n: number): { cos: Float32Array; sin: Float32Array } {
  const cos = new Float32Array(n * n);
  const sin = new Float32Array(n * n);
  const norm = 1 / Math.sqrt(n);
  for (let j = 0; j < n; j++)
    for (let k = 0; k < n; k++) {
      // (j·k mod n) keeps the angle in [0, 2π), so cos/sin are computed to full float64 accuracy even for large n.
      const phi = (2 * Math.PI * ((j * k) % n)) / n;
      cos[j * n + k] = Math.cos(phi) * norm;
      sin[j * n + k] = Math.sin(phi) * norm;
    }
  return { cos, sin };
}

/**
 * The uRNN's permutation Π: numpy.random.RandomState(seed).permutation(n), bit for bit (engine/mt19937.ts).
 * RandomState's stream is frozen (NEP 19), so this is the permutation the official code drew with
 * `np.random.seed(1234); np.random.permutation(n)`.
 */
export function urnnPermutation(n: number, seed: number): Int32Array {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError(`urnnPermutation: seed ${seed} is not in [0, 2^32)`);
  return numpyPermutation(n, seed);
}
