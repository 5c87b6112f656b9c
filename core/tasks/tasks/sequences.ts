// The user's own sequences (.npy / .npz / CSV): classification or regression of whole sequences, any length.
import type { Config } from '../../api/params.ts';
import type { DatasetRef } from '../../api/types.ts';
import { Rng } from '../../engine/rng.ts';
import { loadDataset, type SequenceData } from '../datasets/catalog.ts';
import { DATASET_EVAL_PARAMS } from '../datasets/params.ts';
import { datasetData, limitSplit, type ExampleSource } from '../datasets/pipeline.ts';
import type { TaskSpec } from '../task.ts';

function sequencesOf(ref: DatasetRef | undefined, kind: 'classification' | 'regression'): SequenceData {
  if (!ref) throw new Error(`seq-${kind} needs a dataset: import one with \`rnnwb datasets import FILE\``);
  const loaded = loadDataset(ref);
  if (loaded.format !== 'npy' && loaded.format !== 'npz' && loaded.format !== 'csv')
    throw new Error(`dataset ${ref.name} holds images (${loaded.format}), not sequences`);
  if (loaded.seqs.kind !== kind)
    throw new Error(`dataset ${ref.name} is a ${loaded.seqs.kind} dataset; use task seq-${loaded.seqs.kind}`);
  return loaded.seqs;
}

const variableLength = (s: SequenceData) => s.lengths.some((l) => l !== s.maxLen);

/** Per-feature mean and standard deviation over the valid steps of `idx` (standardisation from training data only). */
function moments(s: SequenceData, idx: Int32Array): { mean: Float64Array; std: Float64Array } {
  const D = s.inputDim;
  const mean = new Float64Array(D);
  const sq = new Float64Array(D);
  let count = 0;
  for (const i of idx)
    for (let t = 0; t < s.lengths[i]!; t++) {
      count++;
      for (let d = 0; d < D; d++) {
        const v = s.x[(i * s.maxLen + t) * D + d]!;
        mean[d] = mean[d]! + v;
        sq[d] = sq[d]! + v * v;
      }
    }
  const std = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    mean[d] = mean[d]! / Math.max(1, count);
    const sd = Math.sqrt(Math.max(0, sq[d]! / Math.max(1, count) - mean[d]! ** 2));
    std[d] = sd > 1e-12 ? sd : 1;
  }
  return { mean, std };
}

/** Sequence i, (x − mean) / std per feature when standardising, padded after its length. */
export function sequenceSource(
  s: SequenceData,
  norm: { mean: Float64Array; std: Float64Array } | null,
): ExampleSource {
  const D = s.inputDim;
  const src: ExampleSource = {
    T: s.maxLen,
    D,
    write(i, x, col, B) {
      const len = s.lengths[i]!;
      for (let t = 0; t < len; t++)
        for (let d = 0; d < D; d++) {
          const v = s.x[(i * s.maxLen + t) * D + d]!;
          x[(t * B + col) * D + d] = norm ? (v - norm.mean[d]!) / norm.std[d]! : v;
        }
    },
  };
  if (variableLength(s)) src.lengthOf = (i) => s.lengths[i]!;
  if (s.labels) src.label = (i) => s.labels![i]!;
  else {
    src.targetDim = s.targetDim;
    src.writeTarget = (i, y, col) =>
      y.set(s.targets!.subarray(i * s.targetDim, (i + 1) * s.targetDim), col * s.targetDim);
  }
  return src;
}

/** Test, validation and training indices: a permutation of Rng.stream(splitSeed, 'split') cut in that order. */
export function splitFractions(n: number, valFraction: number, testFraction: number, seed: number) {
  const perm = Rng.stream(seed, 'split').permutation(n);
  const nTest = Math.round(n * testFraction);
  const nVal = Math.round(n * valFraction);
  if (n - nTest - nVal < 1)
    throw new Error(`${n} sequences leave none for training after ${nTest} test and ${nVal} validation`);
  const sorted = (a: Int32Array) => a.slice().sort();
  return {
    test: sorted(perm.subarray(0, nTest)),
    val: sorted(perm.subarray(nTest, nTest + nVal)),
    train: sorted(perm.subarray(nTest + nVal)),
  };
}

function sequenceTask(kind: 'classification' | 'regression'): TaskSpec {
  const classify = kind === 'classification';
  return {
    name: `seq-${kind}`,
    title: classify ? 'Sequence classification (your data)' : 'Sequence regression (your data)',
    summary: classify
      ? 'Classify whole sequences of an imported dataset (.npy, .npz or CSV); variable lengths are padded and masked.'
      : 'Predict real targets of whole sequences of an imported dataset (.npy, .npz or CSV); MSE.',
    paper: 'your data (rnnwb datasets import)',
    config: {
      valFraction: {
        type: 'number',
        default: 0.1,
        min: 0,
        max: 0.9,
        description: 'fraction of the sequences held out for validation',
      },
      testFraction: {
        type: 'number',
        default: 0.1,
        min: 0,
        max: 0.9,
        description: 'fraction of the sequences held out for testing',
      },
      normalize: {
        type: 'enum',
        default: 'none',
        choices: ['none', 'standardize'],
        description: 'standardize: (x − mean) / std per feature, with moments of the training split',
      },
      ...DATASET_EVAL_PARAMS,
    },
    loss: classify ? 'ce' : 'mse',
    metric: classify ? 'accuracy' : 'mse',
    lowerIsBetter: !classify,
    dataset: { formats: ['npy', 'npz', 'csv'], kinds: [kind] },
    shape: (_config: Config, ref?: DatasetRef) => {
      const s = sequencesOf(ref, kind);
      return {
        inputDim: s.inputDim,
        outputDim: classify ? s.classes! : s.targetDim,
        every: variableLength(s),
      };
    },
    /** Classification: the majority class's share; regression: the targets' variance (predicting their mean). */
    baseline: (_config: Config, ref?: DatasetRef) => {
      const s = sequencesOf(ref, kind);
      if (classify) {
        const counts = new Array<number>(s.classes!).fill(0);
        for (const l of s.labels!) counts[l] = counts[l]! + 1;
        return Math.max(...counts) / s.n;
      }
      let v = 0;
      const O = s.targetDim;
      for (let o = 0; o < O; o++) {
        let m = 0;
        let q = 0;
        for (let i = 0; i < s.n; i++) {
          const y = s.targets![i * O + o]!;
          m += y;
          q += y * y;
        }
        v += q / s.n - (m / s.n) ** 2;
      }
      return v / O;
    },
    data(config, seed, ref) {
      const s = sequencesOf(ref, kind);
      const { train, val, test } = splitFractions(
        s.n,
        config['valFraction'] as number,
        config['testFraction'] as number,
        config['splitSeed'] as number,
      );
      const src = sequenceSource(s, config['normalize'] === 'standardize' ? moments(s, train) : null);
      const limit = config['evalLimit'] as number;
      const valSplit = limitSplit({ src, idx: val }, limit);
      const testSplit = test.length > 0 ? limitSplit({ src, idx: test }, limit) : null;
      if (val.length === 0 && !testSplit)
        throw new Error(
          'seq tasks need a validation or a test split: set valFraction or testFraction above 0',
        );
      return datasetData({
        train: { src, idx: train },
        evaluation: val.length > 0 ? valSplit : testSplit!,
        test: val.length > 0 ? testSplit : null,
        seed,
        noisy: false,
      });
    },
  };
}

export const seqClassification = sequenceTask('classification');
export const seqRegression = sequenceTask('regression');
