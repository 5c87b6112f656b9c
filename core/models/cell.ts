// CellSpec: what one recurrent architecture is (weights, state, one step); the sequence driver is unroll.ts.
import type * as tf from '../engine/tf.ts';
import type { Config, ConfigSchema } from '../api/params.ts';
import type { Rng } from '../engine/rng.ts';

/** A cell's weights by name, as tensors (variables while training). */
export type Weights = Readonly<Record<string, tf.Tensor>>;

/**
 * One named weight tensor. Names are stable (they are stored, exported and documented); where the official
 * code is PyTorch, names and layouts mirror its state_dict (nn.Linear weights are [out, in]).
 */
export interface WeightSpec {
  name: string;
  shape: number[];
  /** One line: what the tensor is, in the paper's notation. */
  doc: string;
  /**
   * A complex tensor held as real numbers: its last axis is [Re | Im] (2n wide, real parts first). Exports store it
   * as complex (core/export/tensors.ts: complex64 in .npz, `<name>.real` / `<name>.imag` in safetensors).
   */
  complex?: boolean;
  /** Parameter group for the optimizer ('orthogonal' gets its own learning rate); default 'default'. */
  group?: 'default' | 'orthogonal';
  /** Initial values (row-major, `shape`'s size), drawn from our seeded RNG in the official code's distribution. */
  init: (rng: Rng) => Float32Array;
  /**
   * Free scalars, where the cell reads fewer than the tensor stores (expRNN / scoRNN store an N×N matrix and
   * read its strict upper triangle: N(N−1)/2); default: the shape's size. See `effectiveParamCount`.
   */
  effectiveParams?: number;
}

/**
 * Trainable scalars as the papers count them: each weight's `effectiveParams` where given, else its size.
 * (model.ts `countParams` counts stored scalars: what checkpoints, exports and optimizer state hold.)
 */
export function effectiveParamCount(specs: readonly WeightSpec[]): number {
  return specs.reduce((n, s) => n + (s.effectiveParams ?? s.shape.reduce((a, b) => a * b, 1)), 0);
}

/** What one step may draw at random (noise injection); comes from our seeded RNG. */
export interface StepContext {
  /** True while training: stochastic parts (noise, dropout) are active only then. */
  training: boolean;
  normal(shape: [number, number]): tf.Tensor2D;
  uniform(shape: [number, number], lo: number, hi: number): tf.Tensor2D;
}

export interface CellSpec {
  /** Stable identifier stored in runs; never renamed. */
  name: string;
  /** Display name. */
  title: string;
  summary: string;
  /** Paper (authors, year, arXiv id) and official repository the cell follows. */
  paper: string;
  /** Cell hyper-parameters; must include `units` (hidden size). */
  config: ConfigSchema;
  /** Training defaults the official code uses for this cell (e.g. its learning rate). */
  trainDefaults?: Config;
  /** The trainable weights for input size `inputDim`, in initialisation order. */
  weights(inputDim: number, config: Config): WeightSpec[];
  /**
   * Tensors derived from the weights once per sequence (a matrix exponential, a Cayley transform, a β-mix),
   * handed to initState and step merged into the weights under names starting with `derived.`. Why: building
   * them at every step would multiply the cost by T and keep T copies under the gradient tape. unroll calls
   * this in its own scope, so gradients flow through it.
   */
  prepare?(w: Weights, config: Config): Record<string, tf.Tensor>;
  /** Initial recurrent state: a list of [batch, n] tensors. */
  initState(batch: number, w: Weights, config: Config): tf.Tensor2D[];
  /** One time step: input x [batch, inputDim] and the previous state to the next state. */
  step(x: tf.Tensor2D, state: tf.Tensor2D[], w: Weights, config: Config, ctx: StepContext): tf.Tensor2D[];
  /** The features the readout sees, from a state (e.g. coRNN's y, uRNN's [Re h; Im h]). */
  features(state: tf.Tensor2D[], config: Config): tf.Tensor2D;
  /** Width of `features`. */
  featureSize(config: Config): number;
}

/** The hidden size of a cell config (every cell has `units`). */
export function unitsOf(config: Config): number {
  const u = config['units'];
  if (typeof u !== 'number') throw new Error('cell config has no numeric units');
  return u;
}
