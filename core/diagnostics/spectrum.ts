// The recurrent matrix of a cell (or its linearised step) and its eigenvalues and singular values in float64.
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import * as tf from '../engine/tf.ts';
import type { Config } from '../api/params.ts';
import type { SpectrumInfo } from '../api/types.ts';
import type { CellSpec, Weights } from '../models/cell.ts';
import { urnnRecurrent } from '../models/cells/urnn.ts';
import { prepared, stepContext } from '../models/unroll.ts';

/** A square matrix, row-major, and what it is. */
export interface RecurrentMatrix {
  /** One line: which matrix, in the cell's notation. */
  what: string;
  n: number;
  values: Float64Array;
}

/** Eigenvalues (λ = re + i·im, by decreasing |λ|) and singular values (decreasing) of a recurrent matrix. */
export type Spectrum = Omit<SpectrumInfo, 'runId' | 'step'>;

/** Larger matrices are refused: a dense float64 eigendecomposition in JS takes O(n³) (~10 s at n = 1024). */
export const MAX_SPECTRUM_SIZE = 1024;

/**
 * The matrix whose spectrum tells whether the cell's memory decays (eigenvalues inside the unit circle), is kept
 * (on it) or explodes (outside), for weights `w`:
 * - rnn-tanh, irnn: W_hh (the state is multiplied by it before the nonlinearity);
 * - exprnn, scornn, vector-field: the recurrent matrix W that the cell derives once per sequence (orthogonal, or
 *   M-orthogonal; exprnn and scornn multiply the row h by W from the right, the same spectrum);
 * - urnn: the real 2n × 2n form of the unitary W = D₃R₂F⁻¹D₂ΠR₁FD₁ (each eigenvalue of W with its conjugate);
 * - every other cell (gated, oscillator and ODE cells, whose state has no single matrix): the Jacobian of one step,
 *   ∂s_t/∂s_{t−1} at s_{t−1} = 0, x_t = 0 (evaluation mode), over the whole state (h and c, y and z, every layer).
 * Returns the matrix in column convention (s_t ≈ J s_{t−1}).
 */
export function recurrentMatrix(
  cell: CellSpec,
  w: Weights,
  config: Config,
  inputDim: number,
): RecurrentMatrix {
  let what = '';
  const m = tf.tidy((): tf.Tensor2D => {
    switch (cell.name) {
      case 'rnn-tanh':
      case 'irnn':
        what = 'W_hh (weight_hh)';
        return w['weight_hh'] as tf.Tensor2D;
      case 'exprnn':
      case 'scornn':
      case 'vector-field':
        what = {
          exprnn: 'W = exp(A)',
          scornn: 'W = (I + A)⁻¹(I − A)D',
          'vector-field': 'W = exp(Δt·D_V)',
        }[cell.name];
        return prepared(cell, w, config)['derived.W'] as tf.Tensor2D;
      case 'urnn':
        what = 'W = D₃R₂F⁻¹D₂ΠR₁FD₁ (real 2n × 2n form)';
        return urnnRealForm(w, config);
      default:
        what = '∂s_t/∂s_{t−1} at s = 0, x = 0 (the linearised step)';
        return stepJacobianAtZero(cell, w, config, inputDim);
    }
  });
  try {
    return { what, n: m.shape[0], values: Float64Array.from(m.dataSync()) };
  } finally {
    // A weight returned as is (W_hh) belongs to the caller.
    if (!Object.values(w).includes(m)) m.dispose();
  }
}

/** Columns W e_k and W (i e_k) of the unitary operator, as the real matrix [[Re W, −Im W], [Im W, Re W]]. */
function urnnRealForm(w: Weights, config: Config): tf.Tensor2D {
  const n = config['units'] as number;
  const eye = tf.eye(n);
  const zero = tf.zeros<tf.Rank.R2>([n, n]);
  // Row k of the result is W applied to the k-th basis vector: the k-th column of W, so transpose below.
  const [ar, ai] = urnnRecurrent(eye, zero, w, config); // W e_k = ar_k + i ai_k
  const [br, bi] = urnnRecurrent(zero, eye, w, config); // W (i e_k)
  const top = tf.concat([tf.transpose(ar), tf.transpose(br)], 1);
  const bottom = tf.concat([tf.transpose(ai), tf.transpose(bi)], 1);
  return tf.concat([top, bottom], 0);
}

/**
 * J = ∂s_t/∂s_{t−1} at s = 0, x = 0 by one backward pass: a batch of m rows (m = the state's total width), every
 * row at the same point, and the loss Σ_r out[r, r] (the identity as cotangent); row r of the gradient is then
 * row r of J, since the rows of a batch do not interact.
 */
function stepJacobianAtZero(cell: CellSpec, w: Weights, config: Config, inputDim: number): tf.Tensor2D {
  const pw = prepared(cell, w, config);
  const widths = cell.initState(1, pw, config).map((s) => s.shape[1]);
  const m = widths.reduce((a, b) => a + b, 0);
  if (m > MAX_SPECTRUM_SIZE)
    throw new Error(
      `${cell.name}: its state has ${m} entries; spectra are computed up to ${MAX_SPECTRUM_SIZE} (a smaller config)`,
    );
  const states = widths.map((width) => tf.zeros<tf.Rank.R2>([m, width]));
  const eye = tf.eye(m);
  const offsets = widths.map((_, i) => widths.slice(0, i).reduce((a, b) => a + b, 0));
  const x = tf.zeros<tf.Rank.R2>([m, inputDim]);
  const ctx = stepContext(false, null);
  const grads = tf.grads((...s: tf.Tensor[]) => {
    const out = cell.step(x, s as tf.Tensor2D[], pw, config, ctx);
    const terms = out.map((o, i) => tf.sum(tf.mul(o, tf.slice(eye, [0, offsets[i]!], [m, widths[i]!]))));
    return tf.addN(terms);
  })(states);
  return tf.concat(grads, 1) as tf.Tensor2D;
}

/**
 * Eigenvalues (ml-matrix EigenvalueDecomposition: Hessenberg reduction + shifted QR, float64, JAMA's algorithm) and
 * singular values (Golub–Kahan SVD) of an n × n row-major matrix.
 */
export function spectrumOf(m: RecurrentMatrix): Spectrum {
  const { n, values } = m;
  if (n > MAX_SPECTRUM_SIZE)
    throw new Error(`a ${n} × ${n} matrix is over the spectrum limit ${MAX_SPECTRUM_SIZE}`);
  const rows = Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * n, (i + 1) * n)));
  const M = new Matrix(rows);
  const eig = new EigenvalueDecomposition(M);
  const order = eig.realEigenvalues
    .map((re, i) => ({ re, im: eig.imaginaryEigenvalues[i]! }))
    .sort((a, b) => Math.hypot(b.re, b.im) - Math.hypot(a.re, a.im));
  const svd = new SingularValueDecomposition(M, {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
  });
  const singularValues = [...svd.diagonal].sort((a, b) => b - a);
  return {
    what: m.what,
    n,
    re: order.map((e) => e.re),
    im: order.map((e) => e.im),
    singularValues,
    spectralRadius: order.length > 0 ? Math.hypot(order[0]!.re, order[0]!.im) : 0,
  };
}

/**
 * The spectrum of the recurrent matrix of `cell` with weights given as plain arrays (a checkpoint's, an export's):
 * builds the tensors on the active TF.js backend, computes, and disposes them.
 */
export async function spectrumOfWeights(
  cell: CellSpec,
  config: Config,
  inputDim: number,
  weights: Readonly<Record<string, { shape: number[]; values: Float32Array }>>,
): Promise<Spectrum> {
  await tf.ready();
  const tensors: Record<string, tf.Tensor> = {};
  try {
    for (const [name, w] of Object.entries(weights)) tensors[name] = tf.tensor(w.values, w.shape, 'float32');
    return spectrumOf(recurrentMatrix(cell, tensors, config, inputDim));
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
