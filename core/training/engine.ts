// The sequence engine of a run: the cell's fused CPU kernel or generic TF.js autodiff; and the memory guard.
import * as tf from '../engine/tf.ts';
import { WorkbenchError } from '../api/errors.ts';
import type { Config } from '../api/params.ts';
import { Rng } from '../engine/rng.ts';
import { createWasmGemm, type WasmGemm } from '../engine/kernels/wasm-gemm.ts';
import { fusedBudget, gib, tfjsBudget, type MemoryBudget } from '../engine/memory.ts';
import { FusedSequence } from '../models/fused/fused.ts';
import type { FusedShape } from '../models/fused/kernel.ts';
import { FUSED_KERNELS, fusedKernelFor } from '../models/fused/registry.ts';
import type { Model } from '../models/model.ts';
import { prepared, stepContext } from '../models/unroll.ts';

export const ENGINE_CHOICES = ['auto', 'fused', 'generic'] as const;
/** The backend name a run records when its sequence runs on the fused kernels. */
export const FUSED_BACKEND = 'fused-wasm';
/** TF.js backends that compute on the CPU in this process: there the fused kernels are always faster. */
const CPU_SIDE = new Set(['wasm', 'cpu']);
/**
 * The generic path's peak tensor memory over what the forward's steps keep: the backward makes about one gradient
 * tensor per kept one and holds the forward's until the end. 3 matches the engine-probe measurement of coRNN at
 * psMNIST size on the TF.js wasm backend (estimate 3.8 GB, peak RSS 4.0 GB).
 */
const GENERIC_BACKWARD_FACTOR = 3;
/** Chunk length the fused kernels use for evaluation, where no backward needs the states. */
const EVAL_CHUNK = 32;

export interface TrainingEngine {
  kind: 'fused' | 'generic';
  /** What the run records as backend and device instead of the TF.js backend's (null: keep those). */
  record: { backend: string; device: string } | null;
  /** Why this engine, in words (logs, tests, the bench). */
  reason: string;
  dispose(): void;
}

/** Batch shapes the guard sizes: sequence length, input width, training and evaluation batch sizes. */
export interface RunShapes {
  T: number;
  D: number;
  B: number;
  evalB: number;
}

export interface EngineOptions {
  /** Time one forward + gradient of a training batch with the model's current engine (ms): used only where a
   * native TF.js backend runs, to pick the faster engine. */
  timeGradient?: () => number;
  /** A GEMM engine to use instead of creating one (tests, the bench). */
  gemm?: WasmGemm;
  /** The TF.js backend's name, where not the active one's (tests of the native-backend timing). */
  backend?: string;
}

/** Bytes of TF.js tensors one step of the generic path creates for a batch of B, measured on a zero input. */
export function genericStepBytes(model: Model, B: number, D: number): number {
  const { cell, config } = model;
  return tf.tidy(() => {
    const pw = prepared(cell, model.variables, config);
    const state = cell.initState(B, pw, config);
    const x = tf.zeros<tf.Rank.R2>([B, D]);
    const before = tf.memory().numBytes;
    cell.step(x, state, pw, config, stepContext(true, Rng.stream(0, 'memory probe')));
    return tf.memory().numBytes - before;
  });
}

/** Estimated peak TF.js tensor bytes of the generic path: a training step's unroll + backward, or evaluation. */
export function genericBytes(model: Model, s: RunShapes): { train: number; evaluate: number } {
  const perStep = genericStepBytes(model, s.B, s.D);
  return {
    train: GENERIC_BACKWARD_FACTOR * s.T * perStep,
    evaluate: s.T * perStep * (s.evalB / s.B),
  };
}

/** Bytes the fused kernel needs: the training tape (with checkpointing if asked) or evaluation's, whichever is more. */
export function fusedBytes(fused: FusedSequence, model: Model, s: RunShapes): number {
  const train: FusedShape = { T: s.T, B: s.B, D: s.D, every: model.shape.every };
  const evaluate: FusedShape = { ...train, B: s.evalB, chunk: Math.min(s.T, EVAL_CHUNK) };
  return Math.max(fused.tapeBytes(train, model.config), fused.kernel.tapeBytes(evaluate, model.config));
}

/** The smallest checkpointing chunk ≥ √T whose tape fits `budget`, or null when none does. */
function suggestChunk(fused: FusedSequence, model: Model, s: RunShapes, budget: number): number | null {
  const shape: FusedShape = { T: s.T, B: s.B, D: s.D, every: model.shape.every };
  for (let c = Math.max(1, Math.ceil(Math.sqrt(s.T))); c >= 1; c = Math.floor(c / 2)) {
    if (fused.kernel.tapeBytes({ ...shape, chunk: c }, model.config) <= budget) return c;
    if (c === 1) break;
  }
  return null;
}

function tooBig(what: string, need: number, budget: MemoryBudget, advice: string): WorkbenchError {
  return new WorkbenchError(
    'invalid_config',
    `${what} would need about ${gib(need)}, more than the ${gib(budget.bytes)} available (${budget.why}); ${advice}`,
  );
}

/**
 * Pick the run's sequence engine from train.engine (auto | fused | generic) and check that it fits in memory
 * before the first step (throws WorkbenchError 'invalid_config' saying what to change):
 * - fused: the cell's kernel (models/fused/registry.ts) on the WebAssembly GEMM; an error where it has none.
 * - generic: unroll() under TF.js autodiff on the active backend.
 * - auto: fused where the cell has a kernel and the backend computes on the CPU here (wasm, cpu); on a native
 *   backend (tfjs-node, tfjs-node-gpu) both are timed once on a training batch and the faster is kept; generic
 *   for cells without a kernel. Where only one of them fits in memory, that one.
 * Sets model.fused accordingly; dispose() undoes it and stops the GEMM's threads.
 */
export async function chooseEngine(
  model: Model,
  tc: Config,
  shapes: RunShapes,
  options: EngineOptions = {},
): Promise<TrainingEngine> {
  const requested = (tc['engine'] as string | undefined) ?? 'auto';
  if (!(ENGINE_CHOICES as readonly string[]).includes(requested))
    throw new WorkbenchError(
      'invalid_config',
      `unknown engine '${requested}' (choose one of ${ENGINE_CHOICES.join(', ')})`,
    );
  const cellName = model.cell.name;
  const kernel = fusedKernelFor(cellName);
  const backend = options.backend ?? tf.getBackend();
  const generic = (reason: string): TrainingEngine => ({
    kind: 'generic',
    record: null,
    reason,
    dispose: () => {},
  });

  const genericFits = (): { ok: true } | { ok: false; error: WorkbenchError } => {
    const est = genericBytes(model, shapes);
    const budget = tfjsBudget(backend);
    const need = Math.max(est.train, est.evaluate);
    if (need <= budget.bytes) return { ok: true };
    const what =
      est.train >= est.evaluate
        ? `Training ${cellName} through TF.js autodiff (${backend} backend, ${shapes.T} steps, batch ${shapes.B})`
        : `Evaluating ${cellName} through TF.js (${backend} backend, ${shapes.T} steps, batch ${shapes.evalB})`;
    const advice = kernel
      ? `train it on the fused engine instead (train.engine=fused or auto), or use a smaller batch, units or sequence`
      : `use a smaller batchSize, evalBatchSize, units or sequence length`;
    return { ok: false, error: tooBig(what, need, budget, advice) };
  };

  if (requested === 'generic' || (requested === 'auto' && !kernel)) {
    const fits = genericFits();
    if (!fits.ok) throw fits.error;
    return generic(requested === 'generic' ? 'asked for' : `${cellName} has no fused kernel`);
  }
  if (!kernel)
    throw new WorkbenchError(
      'invalid_config',
      `${cellName} has no fused kernel (cells with one: ${FUSED_KERNELS.map((k) => k.cell).join(', ')}); ` +
        `use train.engine=auto or generic`,
    );

  const chunk = (tc['timeChunk'] as number | undefined) ?? 0;
  const threads = (tc['threads'] as number | undefined) ?? 0;
  const gemm = options.gemm ?? (await createWasmGemm(threads > 0 ? { threads } : {}));
  const ownGemm = !options.gemm;
  const fused = new FusedSequence(kernel, gemm, { chunk });
  const dropFused = () => {
    fused.dispose();
    if (model.fused === fused) model.fused = null;
    if (ownGemm) gemm.dispose();
  };
  const fusedEngine = (reason: string): TrainingEngine => {
    model.fused = fused;
    return {
      kind: 'fused',
      record: {
        backend: FUSED_BACKEND,
        device: `cpu (${gemm.description}; readout, loss and optimizer on TF.js ${backend})`,
      },
      reason,
      dispose: dropFused,
    };
  };

  const budget = fusedBudget();
  const need = fusedBytes(fused, model, shapes);
  if (need > budget.bytes) {
    if (requested === 'auto' && !CPU_SIDE.has(backend) && genericFits().ok) {
      dropFused();
      return generic('the fused tape would not fit in memory');
    }
    dropFused();
    const c = chunk > 0 ? null : suggestChunk(fused, model, shapes, budget.bytes);
    const advice =
      c !== null
        ? `set train.timeChunk=${c} (gradient checkpointing: the backward recomputes the forward per ${c} steps; ` +
          `about one extra forward pass of time), or use a smaller batch, units or sequence`
        : chunk > 0
          ? `use a smaller train.timeChunk, batch, units or sequence`
          : `use a smaller batch, units or sequence (even checkpointing would not fit)`;
    throw tooBig(
      `The fused ${cellName} kernel (${shapes.T} steps, batch ${shapes.B}${chunk > 0 ? `, timeChunk ${chunk}` : ''})`,
      need,
      budget,
      advice,
    );
  }

  if (requested === 'fused') return fusedEngine('asked for');
  if (CPU_SIDE.has(backend))
    return fusedEngine(`${cellName} has a fused kernel and TF.js runs on ${backend}`);

  // A native backend (libtensorflow, maybe a GPU): time both once, keep the faster.
  const fits = genericFits();
  if (!fits.ok || !options.timeGradient)
    return fusedEngine(fits.ok ? 'no timing available' : 'generic would not fit');
  const time = () => {
    options.timeGradient!(); // warm-up: first calls build kernels and caches
    return options.timeGradient!();
  };
  model.fused = fused;
  const fusedMs = time();
  model.fused = null;
  const genericMs = time();
  if (fusedMs <= genericMs)
    return fusedEngine(
      `fused ${fusedMs.toFixed(0)} ms vs TF.js ${backend} ${genericMs.toFixed(0)} ms per gradient`,
    );
  dropFused();
  return generic(
    `TF.js ${backend} ${genericMs.toFixed(0)} ms vs fused ${fusedMs.toFixed(0)} ms per gradient`,
  );
}
