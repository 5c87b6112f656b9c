// A few training examples of a task as the model sees them, for the New-run screen (small plots and images).
import type { Config } from '../api/params.ts';
import type { DatasetPreview, DatasetRef } from '../api/types.ts';
import { Rng } from '../engine/rng.ts';
import type { TaskSpec } from './task.ts';

const MAX_CHANNELS = 4;
const MAX_POINTS = 512;

/** `count` examples drawn (seeded) from the task's training data, channels strided to at most 512 points. */
export function previewOf(
  task: TaskSpec,
  config: Config,
  ref: DatasetRef | undefined,
  count: number,
  classNames: readonly string[] | null = null,
): DatasetPreview {
  const data = task.data(config, 0, ref);
  const b = data.trainBatch(count, Rng.stream(0, 'preview'));
  const [T0, B, D] = b.xShape;
  const examples: DatasetPreview['examples'] = [];
  for (let i = 0; i < B; i++) {
    const T = b.lengths ? b.lengths[i]! : T0;
    const one = new Float32Array(T * D);
    for (let t = 0; t < T; t++) one.set(b.x.subarray((t * B + i) * D, (t * B + i + 1) * D), t * D);
    const stride = Math.max(1, Math.ceil(T / MAX_POINTS));
    const series: number[][] = [];
    for (let d = 0; d < Math.min(D, MAX_CHANNELS); d++) {
      const s: number[] = [];
      for (let t = 0; t < T; t += stride) s.push(one[t * D + d]!);
      series.push(s);
    }
    let label: string;
    if (b.y instanceof Int32Array && b.yShape.length === 1) {
      const c = b.y[i]!;
      label = classNames?.[c] ?? String(c);
    } else {
      const O = b.yShape[1] ?? 1;
      label = Array.from(b.y.subarray(i * O, (i + 1) * O), (v) => v.toPrecision(4)).join(', ');
    }
    examples.push({ label, series, image: task.exampleImage?.(one, config) ?? null });
  }
  return { task: task.name, dataset: ref?.name ?? null, seqLen: T0, inputDim: D, examples };
}
