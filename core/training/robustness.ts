// Robustness of a trained model to input perturbations at inference (Noisy RNN, Lim et al. 2021, addendum A.2).
import type { Perturbation, RunSpec } from '../api/types.ts';
import { Rng } from '../engine/rng.ts';
import { Model, type WeightValues } from '../models/model.ts';
import { getCell } from '../models/registry.ts';
import { getTask } from '../tasks/registry.ts';
import type { Batch } from '../tasks/task.ts';
import { chooseEngine } from './engine.ts';
import { batchLossAccuracy } from './losses.ts';

/**
 * Perturbs inputs x in place at `level`, with noise from `rng`:
 * - gaussian:        x + σ·ε,                 ε ~ N(0, 1) per entry (additive white noise)
 * - multiplicative:  x · (1 + σ·ε),           ε ~ N(0, 1) per entry (multiplicative white noise)
 * - salt-pepper:     each entry with probability p set to `hi` (salt) or `lo` (pepper), half each,
 *                    where lo / hi are the least and greatest clean input of the batch.
 * Level 0 leaves x unchanged (and draws nothing).
 */
export function perturb(x: Float32Array, kind: Perturbation, level: number, rng: Rng): void {
  if (level === 0) return;
  if (kind === 'gaussian') for (let i = 0; i < x.length; i++) x[i] = x[i]! + level * rng.normal();
  else if (kind === 'multiplicative')
    for (let i = 0; i < x.length; i++) x[i] = x[i]! * (1 + level * rng.normal());
  else {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of x) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    for (let i = 0; i < x.length; i++) {
      const u = rng.uniform();
      if (u < level) x[i] = u < level / 2 ? hi : lo;
    }
  }
}

export interface RobustnessOptions {
  kind: Perturbation;
  levels: readonly number[];
  seed: number;
  /** First N test examples (0: all). */
  limit: number;
  batchSize: number;
}

/**
 * Accuracy (classification) and loss of the run's model with `weights` on its task's test set (the evaluation
 * set when the task has no separate test set), each level perturbing the inputs with noise from
 * Rng.stream(seed, `robust/<kind>/<level index>`) drawn batch after batch, so every run sees the same noise.
 */
export async function evaluateRobustness(
  spec: RunSpec,
  weights: Record<string, WeightValues>,
  o: RobustnessOptions,
): Promise<{ examples: number; points: { level: number; accuracy: number | null; loss: number }[] }> {
  const task = getTask(spec.task);
  const data = task.data(spec.taskConfig, spec.seed, spec.dataset);
  const model = new Model(
    getCell(spec.arch),
    spec.archConfig,
    task.shape(spec.taskConfig, spec.dataset),
    weights,
  );
  const sets = (batchSize: number) => data.testBatches?.(batchSize) ?? data.evalBatches(batchSize);
  const probe = sets(o.batchSize)[0];
  // The run's sequence engine (the cell's fused kernel where it has one), as training's evaluations use.
  const engine = probe
    ? await chooseEngine(model, spec.trainConfig, {
        T: probe.xShape[0],
        D: probe.xShape[2],
        B: probe.xShape[1],
        evalB: probe.xShape[1],
      })
    : null;
  try {
    const points: { level: number; accuracy: number | null; loss: number }[] = [];
    let examples = 0;
    o.levels.forEach((level, li) => {
      const rng = Rng.stream(o.seed, `robust/${o.kind}/${li}`);
      let lossSum = 0;
      let accSum = 0;
      let count = 0;
      for (const full of sets(o.batchSize)) {
        if (o.limit > 0 && count >= o.limit) break;
        const b: Batch =
          o.limit > 0 && count + full.xShape[1] > o.limit ? firstExamples(full, o.limit - count) : full;
        const n = b.xShape[1];
        perturb(b.x, o.kind, level, rng);
        const [loss, acc] = batchLossAccuracy(model, task.loss, b);
        lossSum += loss * n;
        accSum += acc * n;
        count += n;
      }
      examples = count;
      points.push({ level, accuracy: task.loss === 'ce' ? accSum / count : null, loss: lossSum / count });
    });
    return { examples, points };
  } finally {
    engine?.dispose();
    model.dispose();
  }
}

/** The first `n` examples of a batch (targets per sequence [B, …] or per step [T, B]). */
function firstExamples(b: Batch, n: number): Batch {
  const [T, B, D] = b.xShape;
  const x = new Float32Array(T * n * D);
  for (let t = 0; t < T; t++) x.set(b.x.subarray(t * B * D, (t * B + n) * D), t * n * D);
  const perStep = b.yShape.length === 2 && b.yShape[0] === T && b.y instanceof Int32Array;
  let y: Float32Array | Int32Array;
  if (perStep) {
    const out = new Int32Array(T * n);
    for (let t = 0; t < T; t++) out.set(b.y.subarray(t * B, t * B + n), t * n);
    y = out;
  } else y = b.y.slice(0, n * b.yShape.slice(1).reduce((a, c) => a * c, 1));
  return {
    x,
    xShape: [T, n, D],
    y,
    yShape: perStep ? [T, n] : [n, ...b.yShape.slice(1)],
    ...(b.lengths ? { lengths: b.lengths.slice(0, n) } : {}),
  };
}
