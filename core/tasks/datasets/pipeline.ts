// Streaming batches from examples kept compact (Uint8 images, padded Float32 sequences): splits, epochs, gathering.
import type { Config } from '../../api/params.ts';
import { Rng } from '../../engine/rng.ts';
import type { Batch, TaskData } from '../task.ts';
import { lazyBatches } from '../task.ts';

/**
 * Examples a task draws batches from. `write` puts example i's inputs, as the model sees them, into column
 * `col` of a time-major batch x [T, B, D]; only the example's own steps are written (x starts zeroed).
 */
export interface ExampleSource {
  /** Longest sequence and input width. */
  T: number;
  D: number;
  /** Steps of example i when lengths vary; absent: every example has T. */
  lengthOf?(i: number): number;
  write(i: number, x: Float32Array, col: number, B: number, noise: Rng | null): void;
  /** Classification: the class of example i. */
  label?(i: number): number;
  /** Regression: targets per example, written into y [B, targetDim] row `col`. */
  targetDim?: number;
  writeTarget?(i: number, y: Float32Array, col: number): void;
}

/** Examples `idx` of a source. */
export interface Split {
  src: ExampleSource;
  idx: Int32Array;
}

/** The batch of examples `which` (positions in `split.idx`). */
export function gatherBatch(split: Split, which: ArrayLike<number>, noise: Rng | null): Batch {
  const { src } = split;
  const B = which.length;
  const ids = Int32Array.from({ length: B }, (_, b) => split.idx[which[b]!]!);
  let T = src.T;
  let lengths: Int32Array | undefined;
  if (src.lengthOf) {
    lengths = Int32Array.from(ids, (i) => src.lengthOf!(i));
    T = Math.max(1, ...lengths);
  }
  const x = new Float32Array(T * B * src.D);
  for (let b = 0; b < B; b++) src.write(ids[b]!, x, b, B, noise);
  let y: Float32Array | Int32Array;
  let yShape: number[];
  if (src.label) {
    y = Int32Array.from(ids, (i) => src.label!(i));
    yShape = [B];
  } else {
    const O = src.targetDim ?? 1;
    y = new Float32Array(B * O);
    for (let b = 0; b < B; b++) src.writeTarget!(ids[b]!, y, b);
    yShape = [B, O];
  }
  return { x, xShape: [T, B, src.D], y, yShape, ...(lengths ? { lengths } : {}) };
}

/**
 * Splits 0…n−1 into (rest, held): `held` is `count` indices drawn by a permutation of Rng.stream(seed, 'split'),
 * both returned sorted. The seed is the task's split seed, not the run's, so runs of one task share a split.
 */
export function splitOff(n: number, count: number, seed: number): { rest: Int32Array; held: Int32Array } {
  if (count <= 0) return { rest: Int32Array.from({ length: n }, (_, i) => i), held: new Int32Array(0) };
  if (count >= n)
    throw new Error(
      `a validation split of ${count} needs more than ${count} training examples; the dataset has ${n}: choose a smaller validation split or none`,
    );
  const perm = Rng.stream(seed, 'split').permutation(n);
  const held = perm.slice(0, count).sort();
  const rest = perm.slice(count).sort();
  return { rest, held };
}

/** The first `limit` examples of a split (0: all). */
export function limitSplit(s: Split, limit: number): Split {
  return limit > 0 && limit < s.idx.length ? { src: s.src, idx: s.idx.subarray(0, limit) } : s;
}

export interface DatasetDataOptions {
  train: Split;
  /** The evaluation set (`eval/*`): the validation split, or the test split when there is none. */
  evaluation: Split;
  /** A test set distinct from `evaluation` (`test/*`), or null. */
  test: Split | null;
  /** The run's seed: epoch shuffles come from Rng.stream(seed, 'epoch/<e>'). */
  seed: number;
  /** Whether sources draw noise per example (independent-noise CIFAR-10): training from the data stream,
   * evaluation from fixed streams per batch, so every evaluation sees the same noise. */
  noisy: boolean;
}

/**
 * TaskData over splits. Training goes through the training split in epochs: epoch e is a permutation drawn from
 * Rng.stream(seed, `epoch/${e}`) cut into ⌊n/B⌋ batches (the remainder is dropped, as DataLoader's drop_last, so
 * every step has B examples), and training step s takes batch s mod ⌊n/B⌋ of epoch ⌊s/⌊n/B⌋⌋: a function of the
 * step alone, so resuming needs no extra state. Only index arrays are made per epoch; examples stay in their
 * compact source and are gathered per batch.
 */
export function datasetData(o: DatasetDataOptions): TaskData {
  const n = o.train.idx.length;
  let epochCache: { e: number; perm: Int32Array } | null = null;
  const epochPerm = (e: number) => {
    if (epochCache?.e !== e) epochCache = { e, perm: Rng.stream(o.seed, `epoch/${e}`).permutation(n) };
    return epochCache.perm;
  };
  const evalSet = (split: Split, name: string) => (batchSize: number) =>
    lazyBatches(Math.ceil(split.idx.length / batchSize), (k) => {
      const start = k * batchSize;
      const which = Int32Array.from(
        { length: Math.min(batchSize, split.idx.length - start) },
        (_, i) => start + i,
      );
      return gatherBatch(
        split,
        which,
        o.noisy ? Rng.stream(o.seed, `${name}-noise/${batchSize}/${k}`) : null,
      );
    });
  return {
    trainSize: n,
    trainBatch(batchSize, rng, step) {
      const B = Math.min(batchSize, n);
      let which: Int32Array;
      if (step === undefined) which = Int32Array.from({ length: B }, () => rng.int(n));
      else {
        const perEpoch = Math.floor(n / B);
        const perm = epochPerm(Math.floor(step / perEpoch));
        const k = step % perEpoch;
        which = perm.subarray(k * B, (k + 1) * B);
      }
      return gatherBatch(o.train, which, o.noisy ? rng : null);
    },
    evalBatches: evalSet(o.evaluation, 'eval'),
    ...(o.test ? { testBatches: evalSet(o.test, 'test') } : {}),
  };
}

export interface TrainTestOptions {
  /** The training file's examples (trainN of them) and the test file's (testN). */
  train: ExampleSource;
  trainN: number;
  test: ExampleSource;
  testN: number;
  /** Training examples held out for validation (0: none). */
  validation: number;
  /** The task's config, whose DATASET_EVAL_PARAMS splitSeed and evalLimit are read. */
  config: Config;
  seed: number;
  noisy: boolean;
}

/**
 * datasetData for a dataset with a training and a test file: `validation` training examples held out by the
 * split seed are the evaluation set and the test file is the test set, or, without validation, the test file is
 * the evaluation set; both cut to the first evalLimit examples.
 */
export function trainTestData(o: TrainTestOptions): TaskData {
  const { rest, held } = splitOff(o.trainN, o.validation, o.config['splitSeed'] as number);
  const limit = o.config['evalLimit'] as number;
  const test = limitSplit({ src: o.test, idx: Int32Array.from({ length: o.testN }, (_, i) => i) }, limit);
  const hasVal = held.length > 0;
  return datasetData({
    train: { src: o.train, idx: rest },
    evaluation: hasVal ? limitSplit({ src: o.train, idx: held }, limit) : test,
    test: hasVal ? test : null,
    seed: o.seed,
    noisy: o.noisy,
  });
}

/** Training steps in `epochs` epochs of `n` examples at batch size B (remainders dropped, as in datasetData). */
export function stepsForEpochs(epochs: number, n: number, batchSize: number): number {
  return epochs * Math.max(1, Math.floor(n / Math.min(batchSize, n)));
}
