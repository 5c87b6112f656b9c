// Gradient norm ‖∂L/∂h_t‖ and hidden-state norm ‖h_t‖ at every time step of a probe batch: vanishing vs preserved memory.
import * as tf from '../engine/tf.ts';
import type { Model } from '../models/model.ts';

/** What one probe pass measures, per time step t = 1..T (index t − 1). */
export interface OverTime {
  /**
   * ‖∂L/∂s_t‖_F: the Frobenius norm, over the batch and every state tensor (h and c of an LSTM, y and z of coRNN,
   * every layer of UnICORNN), of the loss's gradient with respect to the state after step t, all later steps
   * depending on it. Small early values against the last one are vanishing gradients.
   */
  gradNorms: Float64Array;
  /** Mean over the batch of ‖s_t‖₂, the same state tensors concatenated. */
  stateNorms: Float64Array;
  /** The loss L of the probe batch. */
  loss: number;
}

/** ‖∂L/∂s_1‖ / ‖∂L/∂s_T‖: ≪ 1 when the gradient vanishes over the sequence, ≈ 1 when it is preserved. */
export function gradRatio(o: OverTime): number {
  return o.gradNorms[0]! / o.gradNorms[o.gradNorms.length - 1]!;
}

/**
 * One forward and backward pass of `model` on a probe batch, in evaluation mode (no noise, no dropout), through the
 * generic driver (unroll.ts). Why the generic driver even when a fused kernel is faster: it is the reference path,
 * and its StateHook exposes each step's state as a tensor; a zero probe p_t is added to the state after step t,
 * s_t + p_t, so that ∂L/∂p_t = ∂L/∂s_t (the probe changes no value). `loss(pred, y)` is the task's loss (a mean
 * over the batch, as in training). Leaves no tensors behind.
 */
export function gradientOverTime(
  model: Model,
  x: tf.Tensor3D,
  y: tf.Tensor,
  loss: (pred: tf.Tensor, y: tf.Tensor) => tf.Scalar,
): OverTime {
  const [T, B] = x.shape;
  // The state's tensors and widths in evaluation mode are initState's (h_0 may be learned: uRNN reads it).
  const widths = tf.tidy(() => model.cell.initState(B, model.variables, model.config).map((s) => s.shape[1]));
  const k = widths.length;
  const probes = Array.from({ length: T * k }, (_, i) => tf.zeros<tf.Rank.R2>([B, widths[i % k]!]));
  const kept: tf.Tensor[] = [];
  try {
    let lossValue = NaN;
    const gradNorms = tf.tidy(() => {
      const f = (...ps: tf.Tensor[]): tf.Scalar => {
        const hook = (t: number, state: tf.Tensor2D[]): tf.Tensor2D[] => {
          if (state.length !== k)
            throw new Error(`${model.cell.name}: the state has ${state.length} tensors, initState ${k}`);
          const probed = state.map((s, i) => tf.add<tf.Tensor2D>(s, ps[t * k + i]!));
          // Σ over the state tensors of ‖row‖², per sequence: kept past the gradient's scope, stacked below.
          const sq = tf.addN(probed.map((s) => tf.sum(tf.square(s), 1)));
          kept.push(tf.keep(tf.mean(tf.sqrt(sq))));
          return probed;
        };
        const l = loss(model.forward(x, false, null, hook), y);
        lossValue = l.dataSync()[0]!;
        // A state tensor the loss never reads (an LSTM's last c) would leave its probe without a gradient, which
        // tf.grads refuses: 0·Σp ties every probe to L and adds exactly zero to each gradient.
        return tf.add(l, tf.mul(0, tf.addN(ps.map((p) => tf.sum(p)))));
      };
      const grads = tf.grads(f)(probes);
      // ‖g‖ = m·‖g/m‖ with m = max|g|: squaring first would underflow float32 once the entries fall below ~1e-19,
      // long before the gradient itself does (a vanishing gradient spans tens of decades over T steps).
      const perStep = Array.from({ length: T }, (_, t) => {
        const gs = grads.slice(t * k, (t + 1) * k);
        const m = tf.max(tf.stack(gs.map((g) => tf.max(tf.abs(g)))));
        const safe = tf.where(tf.greater(m, 0), m, tf.onesLike(m));
        return tf.mul(m, tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(tf.div(g, safe)))))));
      });
      return tf.stack(perStep);
    });
    const stateNorms = tf.tidy(() => tf.stack(kept));
    const out: OverTime = {
      gradNorms: Float64Array.from(gradNorms.dataSync()),
      stateNorms: Float64Array.from(stateNorms.dataSync()),
      loss: lossValue,
    };
    gradNorms.dispose();
    stateNorms.dispose();
    return out;
  } finally {
    for (const p of probes) p.dispose();
    for (const t of kept) t.dispose();
  }
}
