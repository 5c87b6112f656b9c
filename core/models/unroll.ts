// The one generic sequence driver: runs any CellSpec over a time-major input [T, B, D].
import * as tf from '../engine/tf.ts';
import type { Config } from '../api/params.ts';
import type { Rng } from '../engine/rng.ts';
import type { CellSpec, StepContext, Weights } from './cell.ts';

/** A StepContext whose random draws come from `rng` (or that refuses to draw when none is given). */
export function stepContext(training: boolean, rng: Rng | null): StepContext {
  const need = (): Rng => {
    if (!rng) throw new Error('this cell draws random numbers while training, but no RNG was given');
    return rng;
  };
  return {
    training,
    normal: (shape) => tf.tensor2d(need().normalArray(shape[0] * shape[1]), shape),
    uniform: (shape, lo, hi) => tf.tensor2d(need().uniformArray(shape[0] * shape[1], lo, hi), shape),
  };
}

/** The weights a cell's steps see: `w` plus what its `prepare` derives once per sequence. */
export function prepared(cell: CellSpec, w: Weights, config: Config): Weights {
  if (!cell.prepare) return w;
  const derived = cell.prepare(w, config);
  for (const name of Object.keys(derived))
    if (!name.startsWith('derived.') || name in w)
      throw new Error(`${cell.name}: bad derived tensor name '${name}'`);
  return { ...w, ...derived };
}

/**
 * Called with the state after each step t = 0..T−1; the sequence continues from the state it returns. Why: the
 * diagnostics (core/diagnostics) add a zero probe p_t to each state and differentiate with respect to p_t to get
 * ∂L/∂h_t, which the driver's loop would otherwise keep to itself.
 */
export type StateHook = (t: number, state: tf.Tensor2D[]) => tf.Tensor2D[];

export interface UnrollResult {
  /** Features at the last step [B, F], or at every step [T, B, F] when `every` is set. */
  features: tf.Tensor;
  /** The final state. */
  state: tf.Tensor2D[];
}

/**
 * h_t = cell.step(x_t, h_{t-1}) for t = 1..T from cell.initState; returns the readout features. `onState`, when
 * given, sees (and may replace) every h_t.
 * Call inside tf.tidy (or a gradient function): intermediates are left to the caller's scope.
 */
export function unroll(
  cell: CellSpec,
  w: Weights,
  config: Config,
  xs: tf.Tensor3D,
  ctx: StepContext,
  every: boolean,
  onState?: StateHook,
): UnrollResult {
  const [T, B] = xs.shape;
  if (T < 1) throw new Error('unroll: the sequence is empty');
  const pw = prepared(cell, w, config);
  let state = cell.initState(B, pw, config);
  const steps = tf.unstack(xs, 0) as tf.Tensor2D[];
  const collected: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    state = cell.step(steps[t]!, state, pw, config, ctx);
    if (onState) state = onState(t, state);
    if (every) collected.push(cell.features(state, config));
  }
  const features = every ? tf.stack(collected, 0) : cell.features(state, config);
  return { features, state };
}
