// TaskSpec: a benchmark's data, loss and trivial baseline; tasks never see models (design.md §2).
import type { Config, ConfigSchema } from '../api/params.ts';
import type { DatasetFormat, DatasetRecord, DatasetRef } from '../api/types.ts';
import { Rng } from '../engine/rng.ts';

/** A batch, time-major: inputs [T, B, D]; targets [B, O] (mse), [B] or [T, B] class indices (ce). */
export interface Batch {
  x: Float32Array;
  xShape: [number, number, number];
  y: Float32Array | Int32Array;
  yShape: number[];
  /**
   * Variable-length data: the valid steps of each sequence (padded with zeros after them; the mask is
   * t < lengths[b]). The model then outputs at every step and the prediction of sequence b is read at step
   * lengths[b] − 1 (training/losses.ts atLengths). Absent: every sequence has all T steps.
   */
  lengths?: Int32Array;
}

export interface TaskShape {
  inputDim: number;
  outputDim: number;
  /** Outputs due at every step (copying) rather than at the last step only. */
  every: boolean;
}

/** Data of one configured task: training batches and a fixed held-out set. */
export interface TaskData {
  /**
   * A training batch; all randomness comes from `rng` (the run's data stream, saved in checkpoints). Datasets
   * with epochs (sMNIST, CIFAR-10, imported data) take the batch for training step `step` (0-based) from that
   * epoch's shuffle, so a resumed run sees the same batches; without `step` (probes) they sample from `rng`.
   */
  trainBatch(batchSize: number, rng: Rng, step?: number): Batch;
  /**
   * The held-out evaluation set (`eval/*`: the validation split where the task has one), the same at every
   * evaluation. Dataset tasks return a lazy array: each element is built when read and not kept, so a large
   * set is never held in memory whole.
   */
  evalBatches(batchSize: number): Batch[];
  /** A test set distinct from the evaluation set (`test/*` metrics), lazy like evalBatches. */
  testBatches?(batchSize: number): Batch[];
  /** Training examples in one epoch (datasets), for budgets given in epochs. */
  trainSize?: number;
}

/** What a real-data task accepts as its dataset, and the one it uses when none is chosen. */
export interface TaskDatasetNeeds {
  formats: readonly DatasetFormat[];
  kinds: readonly DatasetRecord['kind'][];
  /** The dataset used when the run names none (built-in MNIST), read and hashed on first use; absent: a
   * dataset must be chosen. */
  builtin?: () => DatasetRecord;
  /** The built-in dataset's name (without reading it). */
  builtinName?: string;
  /** Why a dataset of the right format and kind still does not fit (e.g. not 28×28 images), or null. */
  check?: (ds: DatasetRecord, config: Config) => string | null;
}

export interface TaskSpec {
  /** Stable identifier stored in runs; never renamed. */
  name: string;
  title: string;
  summary: string;
  paper: string;
  config: ConfigSchema;
  loss: 'mse' | 'ce';
  /** The task's headline metric ('mse', 'ce', 'accuracy'), evaluated on held-out data. */
  metric: 'mse' | 'ce' | 'accuracy';
  lowerIsBetter: boolean;
  shape(config: Config, dataset?: DatasetRef): TaskShape;
  /** The metric a trivial, input-ignoring predictor reaches (1/6 for adding, 10 ln 8/(T+20) for copying). */
  baseline(config: Config, dataset?: DatasetRef): number;
  /** Build the data; the held-out set is drawn from a stream of `seed` of its own. */
  data(config: Config, seed: number, dataset?: DatasetRef): TaskData;
  /** Real-data tasks only: the datasets they train on (the run records which, with its hash). */
  dataset?: TaskDatasetNeeds;
  /**
   * Image tasks: one example's inputs (x[t·D + d], as the model sees them) drawn back as the image, pixels 0–255
   * row-major [height, width, channels] (the preview of the New-run screen).
   */
  exampleImage?(x: Float32Array, config: Config): ExampleImage | null;
}

export interface ExampleImage {
  width: number;
  height: number;
  channels: number;
  pixels: number[];
}

/**
 * An array of `count` batches built on access and never kept (element i calls `make(i)` each time it is read),
 * so `for … of`, indexing and `map` work as on an array while memory stays one batch deep.
 */
export function lazyBatches(count: number, make: (i: number) => Batch): Batch[] {
  const out: Batch[] = [];
  for (let i = 0; i < count; i++) Object.defineProperty(out, i, { get: () => make(i), enumerable: true });
  return out;
}

/** Config keys every synthetic task shares: where training batches come from and the held-out size. */
export const SYNTHETIC_DATA_PARAMS = {
  data: {
    type: 'enum',
    default: 'fresh',
    choices: ['fresh', 'fixed'],
    description:
      'fresh: a new random batch every step (coRNN); fixed: sample batches from a set drawn once (uRNN)',
  },
  trainSize: {
    type: 'integer',
    default: 100000,
    min: 1,
    max: 10000000,
    description: 'size of the fixed training set (data=fixed)',
  },
  evalSize: {
    type: 'integer',
    default: 1000,
    min: 1,
    max: 1000000,
    description: 'held-out sequences for evaluation',
  },
} as const satisfies ConfigSchema;

/**
 * TaskData for a generator of single examples: fresh draws, or batches sampled (with replacement, from
 * `rng`) out of a training set drawn once. The held-out set comes from its own stream, so it is the same
 * whatever the training draws.
 */
export function syntheticData(
  config: Config,
  seed: number,
  makeBatch: (batchSize: number, rng: Rng) => Batch,
): TaskData {
  const evalSize = config['evalSize'] as number;
  const evalSet = makeBatch(evalSize, Rng.stream(seed, 'eval-set'));
  let trainSet: Batch | null = null;
  return {
    trainBatch(batchSize, rng) {
      if (config['data'] === 'fresh') return makeBatch(batchSize, rng);
      trainSet ??= makeBatch(config['trainSize'] as number, Rng.stream(seed, 'train-set'));
      const idx = Array.from({ length: batchSize }, () => rng.int(trainSet!.xShape[1]));
      return gather(trainSet, idx);
    },
    evalBatches(batchSize) {
      const out: Batch[] = [];
      for (let start = 0; start < evalSize; start += batchSize) {
        const idx = Array.from({ length: Math.min(batchSize, evalSize - start) }, (_, i) => start + i);
        out.push(gather(evalSet, idx));
      }
      return out;
    },
  };
}

/** The examples `idx` of a batch (batch axis 1 of x; axis 0 of y, or axis 1 for per-step targets). */
export function gather(b: Batch, idx: readonly number[]): Batch {
  const [T, B, D] = b.xShape;
  const x = new Float32Array(T * idx.length * D);
  for (let t = 0; t < T; t++)
    idx.forEach((j, i) =>
      x.set(b.x.subarray((t * B + j) * D, (t * B + j + 1) * D), (t * idx.length + i) * D),
    );
  const perStep = b.yShape.length === 2 && b.yShape[0] === T && b.y instanceof Int32Array;
  let y: Float32Array | Int32Array;
  let yShape: number[];
  if (perStep) {
    y = new Int32Array(T * idx.length);
    for (let t = 0; t < T; t++) idx.forEach((j, i) => (y[t * idx.length + i] = b.y[t * B + j]!));
    yShape = [T, idx.length];
  } else {
    const width = b.yShape.slice(1).reduce((a, c) => a * c, 1);
    y = b.y instanceof Int32Array ? new Int32Array(idx.length * width) : new Float32Array(idx.length * width);
    idx.forEach((j, i) => y.set(b.y.subarray(j * width, (j + 1) * width), i * width));
    yShape = [idx.length, ...b.yShape.slice(1)];
  }
  return { x, xShape: [T, idx.length, D], y, yShape };
}
