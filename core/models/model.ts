// A trainable model: one cell unrolled over the sequence plus a linear readout, weights held as tf.Variables.
import * as tf from '../engine/tf.ts';
import type { Config } from '../api/params.ts';
import { Rng } from '../engine/rng.ts';
import type { CellSpec, WeightSpec } from './cell.ts';
import { torchDefault } from './init.ts';
import { stepContext, unroll } from './unroll.ts';

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

/** Number of trainable scalars. */
export function countParams(specs: readonly WeightSpec[]): number {
  return specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}

export class Model {
  readonly cell: CellSpec;
  readonly config: Config;
  readonly shape: ModelShape;
  readonly specs: WeightSpec[];
  readonly variables: Record<string, tf.Variable>;

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
    for (const spec of this.specs) {
      const values = initial instanceof Rng ? spec.init(initial) : initial[spec.name]?.values;
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

  /** Predictions for time-major inputs [T, B, D]: [B, O], or [T, B, O] when the shape says `every`. */
  forward(xs: tf.Tensor3D, training: boolean, rng: Rng | null): tf.Tensor {
    const w = this.variables;
    const { features } = unroll(this.cell, w, this.config, xs, stepContext(training, rng), this.shape.every);
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
