// The user's own sequences in memory: padded features [N, T, D] with lengths, labels or regression targets.
import type { DatasetShape, DatasetStats } from '../../api/types.ts';
import { badFile } from './files.ts';

export interface SequenceData {
  kind: 'classification' | 'regression';
  n: number;
  /** Longest sequence: x is [n, maxLen, inputDim], zero after each sequence's length. */
  maxLen: number;
  inputDim: number;
  x: Float32Array;
  lengths: Int32Array;
  /** Class index per sequence (classification). */
  labels: Int32Array | null;
  /** Targets [n, targetDim] (regression). */
  targets: Float32Array | null;
  targetDim: number;
  classes: number | null;
  /** Names of the classes, index order (CSV string labels; '0', '1' … for integer labels). */
  classNames: string[] | null;
}

/** Shape and statistics of a sequence set, over valid steps only. */
export function sequenceSummary(s: SequenceData): { shape: DatasetShape; stats: DatasetStats } {
  const D = s.inputDim;
  const sum = new Float64Array(D);
  const sq = new Float64Array(D);
  const min = new Array<number>(D).fill(Infinity);
  const max = new Array<number>(D).fill(-Infinity);
  let count = 0;
  let minLen = Infinity;
  for (let i = 0; i < s.n; i++) {
    const len = s.lengths[i]!;
    minLen = Math.min(minLen, len);
    count += len;
    for (let t = 0; t < len; t++)
      for (let d = 0; d < D; d++) {
        const v = s.x[(i * s.maxLen + t) * D + d]!;
        sum[d] = sum[d]! + v;
        sq[d] = sq[d]! + v * v;
        if (v < min[d]!) min[d] = v;
        if (v > max[d]!) max[d] = v;
      }
  }
  const mean = Array.from(sum, (v) => v / Math.max(1, count));
  const std = Array.from(sq, (v, d) => Math.sqrt(Math.max(0, v / Math.max(1, count) - mean[d]! ** 2)));
  let classCounts: number[] | null = null;
  let targetMean: number[] | null = null;
  let targetStd: number[] | null = null;
  if (s.labels) {
    classCounts = new Array<number>(s.classes ?? 0).fill(0);
    for (const l of s.labels) classCounts[l] = (classCounts[l] ?? 0) + 1;
  }
  if (s.targets) {
    const O = s.targetDim;
    const tm = new Float64Array(O);
    const tq = new Float64Array(O);
    for (let i = 0; i < s.n; i++)
      for (let o = 0; o < O; o++) {
        const v = s.targets[i * O + o]!;
        tm[o] = tm[o]! + v;
        tq[o] = tq[o]! + v * v;
      }
    targetMean = Array.from(tm, (v) => v / s.n);
    targetStd = Array.from(tq, (v, o) => Math.sqrt(Math.max(0, v / s.n - targetMean![o]! ** 2)));
  }
  return {
    shape: {
      examples: s.n,
      testExamples: 0,
      seqLen: s.maxLen,
      minSeqLen: s.n === 0 ? 0 : minLen,
      inputDim: D,
      classes: s.classes,
      targetDim: s.targetDim,
    },
    stats: {
      featureMean: mean,
      featureStd: std,
      featureMin: min,
      featureMax: max,
      classCounts,
      targetMean,
      targetStd,
      classNames: s.classNames,
    },
  };
}

/**
 * Labels of a classification set as class indices: non-negative integers are their own index (classes =
 * max + 1); anything else is refused. `what` names the array in messages.
 */
export function classIndices(values: ArrayLike<number>, file: string, what: string): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0)
      throw badFile(
        file,
        `${what}[${i}] = ${v} is not a class index (non-negative integer); import with kind=regression for real-valued targets`,
      );
    out[i] = v;
  }
  return out;
}

/** Refuses a NaN or infinite feature inside a sequence's valid steps, naming where it is. */
export function assertFiniteFeatures(
  s: SequenceData,
  file: string,
  where: (i: number, t: number) => string,
): void {
  const D = s.inputDim;
  for (let i = 0; i < s.n; i++)
    for (let t = 0; t < s.lengths[i]!; t++)
      for (let d = 0; d < D; d++) {
        const v = s.x[(i * s.maxLen + t) * D + d]!;
        if (!Number.isFinite(v))
          throw badFile(
            file,
            `${Number.isNaN(v) ? 'NaN' : 'infinite'} feature ${d} at ${where(i, t)}: features must be finite numbers`,
          );
      }
}
