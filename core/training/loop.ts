// The training loop: an async generator of events (metrics, checkpoints, end); storage is the runner's business.
import * as tf from '../engine/tf.ts';
import type { Config } from '../api/params.ts';
import type { RunSpec } from '../api/types.ts';
import { evalKey, METRIC, testKey } from '../api/types.ts';
import { Rng } from '../engine/rng.ts';
import { Model } from '../models/model.ts';
import { getCell } from '../models/registry.ts';
import { getTask } from '../tasks/registry.ts';
import type { Batch, TaskData, TaskSpec } from '../tasks/task.ts';
import { gradientOverTime, gradRatio } from '../diagnostics/over-time.ts';
import { encodeCheckpoint, type Checkpoint } from './checkpoint.ts';
import { chooseEngine, type RunShapes, type TrainingEngine } from './engine.ts';
import { lrAt } from './config.ts';
import { atLengths, batchLossAccuracy, lossOf, targetTensor } from './losses.ts';
import { Optimizer } from './optimizers.ts';

export type EndStatus = 'completed' | 'stopped' | 'diverged';

export type TrainEvent =
  | {
      type: 'ready';
      paramCount: number;
      baseline: number;
      startStep: number;
      /** The run's sequence engine where it replaces the TF.js backend in the record (fused: 'fused-wasm'). */
      engine: { backend: string; device: string } | null;
    }
  | { type: 'metrics'; step: number; wallMs: number; values: Record<string, number> }
  | {
      /** ‖∂L/∂h_t‖ and ‖h_t‖ for t = 1..T on the probe batch (core/diagnostics/over-time.ts). */
      type: 'diagnostics';
      step: number;
      wallMs: number;
      gradNorms: Float64Array;
      stateNorms: Float64Array;
    }
  | { type: 'checkpoint'; step: number; data: Uint8Array }
  | { type: 'end'; status: EndStatus; step: number; error?: string };

export interface TrainJob {
  spec: RunSpec;
  /** Continue from this checkpoint (same curve, same batches), or start fresh. */
  checkpoint: Checkpoint | null;
  /** Polled between steps: true ends the run as 'stopped' after a final checkpoint. */
  shouldStop: () => boolean;
}

const OPT_GROUPS = ['default', 'orthogonal'] as const;
type OptGroup = (typeof OPT_GROUPS)[number];

/**
 * Loss (and accuracy for classification) of `model` on the task's held-out set (`eval/*`), or on its test set
 * (`test/*`, tasks that have one besides the validation set).
 */
export function evaluate(
  model: Model,
  task: TaskSpec,
  data: TaskData,
  batchSize: number,
  set: 'eval' | 'test' = 'eval',
): Record<string, number> {
  let lossSum = 0;
  let accSum = 0;
  let count = 0;
  const key = set === 'eval' ? evalKey : testKey;
  const batches = set === 'eval' ? data.evalBatches(batchSize) : (data.testBatches?.(batchSize) ?? []);
  for (const b of batches) {
    const n = b.xShape[1];
    const [loss, acc] = batchLossAccuracy(model, task.loss, b);
    lossSum += loss * n;
    accSum += acc * n;
    count += n;
  }
  const out: Record<string, number> = { [key(task.loss)]: lossSum / count };
  if (task.loss === 'ce') out[key('accuracy')] = accSum / count;
  return out;
}

/** evaluate on the held-out set and, where the task has a separate one, on the test set. */
function evaluateAll(
  model: Model,
  task: TaskSpec,
  data: TaskData,
  batchSize: number,
): Record<string, number> {
  const out = evaluate(model, task, data, batchSize);
  return data.testBatches ? { ...out, ...evaluate(model, task, data, batchSize, 'test') } : out;
}

/** The peak resident set size of this process so far, in MiB (the runner is one process per run). */
const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

/** Let queued messages (cancel, IPC) run between steps. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function* train(job: TrainJob): AsyncGenerator<TrainEvent> {
  const { spec } = job;
  const cell = getCell(spec.arch);
  const task = getTask(spec.task);
  const tc = spec.trainConfig;
  const data = task.data(spec.taskConfig, spec.seed, spec.dataset);
  const shape = task.shape(spec.taskConfig, spec.dataset);
  const ckpt = job.checkpoint;
  const model = new Model(cell, spec.archConfig, shape, ckpt ? ckpt.weights : Rng.stream(spec.seed, 'init'));
  const dataRng = ckpt?.rng['data'] ? new Rng(ckpt.rng['data']) : Rng.stream(spec.seed, 'data');
  const noiseRng = ckpt?.rng['noise'] ? new Rng(ckpt.rng['noise']) : Rng.stream(spec.seed, 'noise');
  const stepper = new Stepper(model, tc);
  for (const g of OPT_GROUPS) if (ckpt?.optimizers[g]) stepper.optimizers[g].setState(ckpt.optimizers[g]);
  const evalBatch = tc['evalBatchSize'] as number;
  // Runs stored before the diagnostics existed have no diagEvery: they stay without.
  const diagEvery = (tc['diagEvery'] as number | undefined) ?? 0;
  const probe =
    diagEvery > 0 ? data.evalBatches((tc['diagBatch'] as number | undefined) ?? 32)[0] : undefined;
  /** The probe's diagnostics event, and the ratio ‖∂L/∂h_1‖/‖∂L/∂h_T‖ as a metric (comparable across runs). */
  const diagnose = (step: number, values: Record<string, number>): TrainEvent => {
    const b = probe!;
    const x = tf.tensor3d(b.x, b.xShape);
    const y = targetTensor(b);
    try {
      const o = gradientOverTime(model, x, y, (pred, t) => lossOf(task.loss, atLengths(pred, b), t));
      values[METRIC.gradRatio] = gradRatio(o);
      return {
        type: 'diagnostics',
        step,
        wallMs: Date.now(),
        gradNorms: o.gradNorms,
        stateNorms: o.stateNorms,
      };
    } finally {
      x.dispose();
      y.dispose();
    }
  };

  const snapshot = (step: number): Uint8Array =>
    encodeCheckpoint({
      step,
      weights: model.getWeights(),
      optimizers: Object.fromEntries(OPT_GROUPS.map((g) => [g, stepper.optimizers[g].getState()])),
      rng: { data: dataRng.state(), noise: noiseRng.state() },
    });

  let step = ckpt?.step ?? 0;
  let engine: TrainingEngine | null = null;
  try {
    engine = await chooseEngine(model, tc, runShapes(data, tc), {
      timeGradient: () => timeGradient(model, task, data, tc, spec.seed),
    });
    yield {
      type: 'ready',
      paramCount: model.paramCount(),
      baseline: task.baseline(spec.taskConfig, spec.dataset),
      startStep: step,
      engine: engine.record,
    };
    if (step === 0) {
      const values = { ...evaluateAll(model, task, data, evalBatch), [METRIC.peakRssMb]: peakRssMb() };
      if (probe) yield diagnose(0, values);
      yield { type: 'metrics', step: 0, wallMs: Date.now(), values };
    }

    while (step < spec.steps) {
      if (job.shouldStop()) {
        yield { type: 'checkpoint', step, data: snapshot(step) };
        yield { type: 'end', status: 'stopped', step };
        return;
      }
      const t0 = performance.now();
      const lr = lrAt(tc['lr'] as number, step, tc['lrDecayEvery'] as number, tc['lrDecayFactor'] as number);
      const batch: Batch = data.trainBatch(tc['batchSize'] as number, dataRng, step);
      const { loss, gradNorm } = stepper.step(task.loss, batch, noiseRng, lr);
      step += 1;
      const values: Record<string, number> = {
        [METRIC.loss]: loss,
        [METRIC.gradNorm]: gradNorm,
        [METRIC.lr]: lr,
        [METRIC.stepMs]: performance.now() - t0,
      };
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        yield { type: 'metrics', step, wallMs: Date.now(), values };
        const what = Number.isFinite(loss) ? `gradient norm ${gradNorm}` : `loss ${loss}`;
        yield {
          type: 'end',
          status: 'diverged',
          step,
          error: `diverged at step ${step}: ${what}; the update was not applied`,
        };
        return;
      }
      if (step % (tc['evalEvery'] as number) === 0 || step === spec.steps) {
        Object.assign(values, evaluateAll(model, task, data, evalBatch));
        values[METRIC.peakRssMb] = peakRssMb();
      }
      if (probe && (step % diagEvery === 0 || step === spec.steps)) yield diagnose(step, values);
      yield { type: 'metrics', step, wallMs: Date.now(), values };
      if (step % (tc['checkpointEvery'] as number) === 0 || step === spec.steps)
        yield { type: 'checkpoint', step, data: snapshot(step) };
      await yieldToEventLoop();
    }
    yield { type: 'end', status: 'completed', step };
  } finally {
    engine?.dispose();
    model.dispose();
    stepper.dispose();
  }
}

/** Sequence length, input width and batch sizes of a run, from one batch drawn aside (the run's streams untouched). */
function runShapes(data: TaskData, tc: Config): RunShapes {
  const b = data.trainBatch(tc['batchSize'] as number, Rng.stream(0, 'shape probe'));
  const evalB = data.evalBatches(tc['evalBatchSize'] as number)[0]?.xShape[1] ?? 1;
  const [T, B, D] = b.xShape;
  return { T, B, D, evalB };
}

/** ms of one forward + gradient on a batch drawn aside (the engine choice on native backends). */
function timeGradient(model: Model, task: TaskSpec, data: TaskData, tc: Config, seed: number): number {
  const batch = data.trainBatch(tc['batchSize'] as number, Rng.stream(seed, 'engine timing'));
  const t0 = performance.now();
  tf.tidy(() => {
    const x = tf.tensor3d(batch.x, batch.xShape);
    const y = targetTensor(batch);
    const noise = Rng.stream(seed, 'engine timing noise');
    // The loss exactly as Stepper.step takes it (outputs read at each sequence's length), so the timing is of the
    // step a run will take.
    const { value, grads } = tf.variableGrads(() =>
      lossOf(task.loss, atLengths(model.forward(x, true, noise), batch), y),
    );
    value.dataSync();
    for (const g of Object.values(grads)) g.dataSync();
  });
  return performance.now() - t0;
}

/**
 * One update: loss and gradients by autodiff, global gradient norm (before clipping), divergence check,
 * clipping by value then by norm (torch.nn.utils.clip_grad_value_ / clip_grad_norm_), then each group's
 * optimizer with its own learning rate. A non-finite loss or norm skips the update.
 */
export class Stepper {
  private readonly varList: tf.Variable[];
  private readonly nameOf: Map<string, string>;
  private readonly groupVars: Record<OptGroup, Record<string, tf.Variable>>;
  readonly optimizers: Record<OptGroup, Optimizer>;
  private readonly model: Model;
  private readonly tc: Config;

  constructor(model: Model, tc: Config) {
    this.model = model;
    this.tc = tc;
    this.varList = Object.values(model.variables);
    this.nameOf = new Map(Object.entries(model.variables).map(([n, v]) => [v.name, n]));
    this.optimizers = { default: new Optimizer(tc), orthogonal: new Optimizer(tc) };
    this.groupVars = {
      default: Object.fromEntries(model.group('default').map((n) => [n, model.variables[n]!])),
      orthogonal: Object.fromEntries(model.group('orthogonal').map((n) => [n, model.variables[n]!])),
    };
  }

  step(loss: 'mse' | 'ce', batch: Batch, noiseRng: Rng, lr: number): { loss: number; gradNorm: number } {
    const { model, tc } = this;
    return tf.tidy(() => {
      const x = tf.tensor3d(batch.x, batch.xShape);
      const y = targetTensor(batch);
      const { value, grads: raw } = tf.variableGrads(
        () => lossOf(loss, atLengths(model.forward(x, true, noiseRng), batch), y),
        this.varList,
      );
      let grads: Record<string, tf.Tensor> = {};
      for (const [vname, g] of Object.entries(raw)) grads[this.nameOf.get(vname)!] = g;
      const globalNorm = () =>
        tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))).dataSync()[0]!;
      const lossValue = value.dataSync()[0]!;
      const gradNorm = globalNorm();
      if (!Number.isFinite(lossValue) || !Number.isFinite(gradNorm)) return { loss: lossValue, gradNorm };
      const clipValue = tc['clipValue'] as number;
      if (clipValue > 0) grads = mapValues(grads, (g) => tf.clipByValue(g, -clipValue, clipValue));
      const clipNorm = tc['clipNorm'] as number;
      if (clipNorm > 0) {
        const scale = clipNorm / ((clipValue > 0 ? globalNorm() : gradNorm) + 1e-6);
        if (scale < 1) grads = mapValues(grads, (g) => tf.mul(g, scale));
      }
      const orthScale = tc['orthLrScale'] as number;
      for (const group of OPT_GROUPS)
        if (Object.keys(this.groupVars[group]).length > 0)
          this.optimizers[group].apply(
            this.groupVars[group],
            grads,
            group === 'orthogonal' ? lr * orthScale : lr,
          );
      return { loss: lossValue, gradNorm };
    });
  }

  dispose(): void {
    for (const o of Object.values(this.optimizers)) o.dispose();
  }
}

function mapValues<T, U>(o: Record<string, T>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}
