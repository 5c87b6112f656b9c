// A trainable model: one cell unrolled over the sequence plus a linear readout, weights held as tf.Variables.
import * as tf from '../engine/tf.ts';
import type { Config } from '../api/params.ts';
import type { ParamTensor } from '../api/types.ts';
import { Rng } from '../engine/rng.ts';
import type { CellSpec, WeightSpec } from './cell.ts';
import type { FusedSequence } from './fused/fused.ts';
import { torchDefault } from './init.ts';
import { stepContext, unroll, type StateHook } from './unroll.ts';

/** How the task meets the model: input width, output width, and whether an output is due at every step. */
export interface ModelShape {
  inputDim: number;
  outputDim: number;
  /** true: predictions at every step [T, B, O] (copying); false: at the last step only [B, O]. */
  every: boolean;
}

/** A weight's values in plain arrays (checkpoints, fixtures, exports). */
export interface WeightValues {
  shape: number[];
  values: Float32Array;
}

/** Readout `ŷ = features · Wᵀ + b` (PyTorch nn.Linear layout, default init). */
export function readoutSpecs(featureSize: number, outputDim: number): WeightSpec[] {
  return [
    {
      name: 'readout.weight',
      shape: [outputDim, featureSize],
      doc: 'readout matrix [out, features]',
      init: torchDefault([outputDim, featureSize], featureSize),
    },
    {
      name: 'readout.bias',
      shape: [outputDim],
      doc: 'readout bias',
      init: torchDefault([outputDim], featureSize),
    },
  ];
}

/** Every weight of cell + readout, in initialisation order. */
export function modelSpecs(cell: CellSpec, config: Config, shape: ModelShape): WeightSpec[] {
  return [
    ...cell.weights(shape.inputDim, config),
    ...readoutSpecs(cell.featureSize(config), shape.outputDim),
  ];
}

/**
 * The initial weights a run starts from: each spec's initialiser drawn from `rng`, in the specs' order (the Model
 * constructor draws exactly these; exports and spectra of step 0 redraw them from the run's seed).
 */
export function initialWeights(specs: readonly WeightSpec[], rng: Rng): Record<string, WeightValues> {
  const out: Record<string, WeightValues> = {};
  for (const spec of specs) out[spec.name] = { shape: [...spec.shape], values: spec.init(rng) };
  return out;
}

/** Number of trainable scalars. */
export function countParams(specs: readonly WeightSpec[]): number {
  return specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}

/** The trainable tensors as the API lists them (run diagnostics, model cards). */
export function paramTensors(specs: readonly WeightSpec[]): ParamTensor[] {
  return specs.map((s) => ({
    name: s.name,
    shape: s.shape,
    count: s.shape.reduce((a, b) => a * b, 1),
    doc: s.doc,
    group: s.group ?? 'default',
    complex: s.complex === true,
  }));
}

export class Model {
  readonly cell: CellSpec;
  readonly config: Config;
  readonly shape: ModelShape;
  readonly specs: WeightSpec[];
  readonly variables: Record<string, tf.Variable>;
  /**
   * The cell's fused kernel as one operation (fused/fused.ts), set by the training engine's choice; null: the
   * generic unroll(). Hooks on the states (onState) always take the generic path, which exposes them.
   */
  fused: FusedSequence | null = null;

  /** Weights from `initial`: drawn by each spec's initialiser from an RNG, or given values (checkpoint, fixture). */
  constructor(
    cell: CellSpec,
    config: Config,
    shape: ModelShape,
    initial: Record<string, WeightValues> | Rng,
  ) {
    this.cell = cell;
    this.config = config;
    this.shape = shape;
    this.specs = modelSpecs(cell, config, shape);
    this.variables = {};
    const given = initial instanceof Rng ? initialWeights(this.specs, initial) : initial;
    for (const spec of this.specs) {
      const values = given[spec.name]?.values;
      if (!values) throw new Error(`missing initial values for weight '${spec.name}'`);
      if (values.length !== spec.shape.reduce((a, b) => a * b, 1))
        throw new Error(
          `weight '${spec.name}': ${values.length} values do not fill shape [${spec.shape.join(', ')}]`,
        );
      const t = tf.tensor(values, spec.shape, 'float32');
      this.variables[spec.name] = tf.variable(t, true, undefined, 'float32');
      t.dispose();
    }
  }

  paramCount(): number {
    return countParams(this.specs);
  }

  /** Names of the weights in optimizer group `group`. */
  group(group: 'default' | 'orthogonal'): string[] {
    return this.specs.filter((s) => (s.group ?? 'default') === group).map((s) => s.name);
  }

  /**
   * Predictions for time-major inputs [T, B, D]: [B, O], or [T, B, O] when the shape says `every`. `onState` sees
   * every state (unroll.ts StateHook; the diagnostics' probes).
   */
  forward(xs: tf.Tensor3D, training: boolean, rng: Rng | null, onState?: StateHook): tf.Tensor {
    const w = this.variables;
    const ctx = stepContext(training, rng);
    const { features } =
      this.fused && !onState
        ? { features: this.fused.features(this.cell, w, this.config, xs, training, rng, this.shape.every) }
        : unroll(this.cell, w, this.config, xs, ctx, this.shape.every, onState);
    const W = w['readout.weight']!;
    const b = w['readout.bias']!;
    if (!this.shape.every) return tf.add(tf.matMul(features as tf.Tensor2D, W, false, true), b);
    const [T, B, F] = features.shape as [number, number, number];
    const flat = tf.add(tf.matMul(tf.reshape(features, [T * B, F]), W, false, true), b);
    return tf.reshape(flat, [T, B, this.shape.outputDim]);
  }

  /** A copy of every weight's current values. */
  getWeights(): Record<string, WeightValues> {
    const out: Record<string, WeightValues> = {};
    for (const spec of this.specs)
      out[spec.name] = {
        shape: [...spec.shape],
        values: (this.variables[spec.name]!.dataSync() as Float32Array).slice(),
      };
    return out;
  }

  setWeights(weights: Record<string, WeightValues>): void {
    for (const spec of this.specs) {
      const v = weights[spec.name];
      if (!v) throw new Error(`checkpoint lacks weight '${spec.name}'`);
      const t = tf.tensor(v.values, spec.shape, 'float32');
      this.variables[spec.name]!.assign(t);
      t.dispose();
    }
  }

  dispose(): void {
    for (const v of Object.values(this.variables)) v.dispose();
  }
}
