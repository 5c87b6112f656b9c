// The training hyper-parameters every run has; architectures override defaults through CellSpec.trainDefaults.
import type { ConfigSchema } from '../api/params.ts';

export const TRAIN_SCHEMA = {
  optimizer: {
    type: 'enum',
    default: 'adam',
    choices: ['adam', 'rmsprop', 'sgd'],
    description: 'optimizer (PyTorch semantics)',
  },
  lr: { type: 'number', default: 1e-3, min: 0, exclusiveMin: true, max: 10, description: 'learning rate' },
  orthLrScale: {
    type: 'number',
    default: 0.1,
    min: 0,
    max: 10,
    description: 'learning rate of the orthogonal parameter group, as a multiple of lr (expRNN: 0.1)',
  },
  beta1: { type: 'number', default: 0.9, min: 0, max: 0.999999, description: 'Adam β1' },
  beta2: { type: 'number', default: 0.999, min: 0, max: 0.999999, description: 'Adam β2' },
  alpha: {
    type: 'number',
    default: 0.99,
    min: 0,
    max: 0.999999,
    description: 'RMSprop smoothing α (uRNN used 0.9)',
  },
  momentum: { type: 'number', default: 0.9, min: 0, max: 0.999999, description: 'SGD momentum' },
  epsilon: { type: 'number', default: 1e-8, min: 0, max: 1, description: 'optimizer ε' },
  weightDecay: {
    type: 'number',
    default: 0,
    min: 0,
    max: 1,
    description: 'L2 weight decay added to the gradient',
  },
  batchSize: {
    type: 'integer',
    default: 64,
    min: 1,
    max: 100000,
    description: 'sequences per training step',
  },
  clipNorm: {
    type: 'number',
    default: 0,
    min: 0,
    max: 1e6,
    description: 'clip the global gradient norm to this (0: off)',
  },
  clipValue: {
    type: 'number',
    default: 0,
    min: 0,
    max: 1e6,
    description: 'clip each gradient entry to ±this (0: off)',
  },
  lrDecayEvery: {
    type: 'integer',
    default: 0,
    min: 0,
    max: 1e9,
    description: 'multiply lr by lrDecayFactor every this many steps (0: off)',
  },
  lrDecayFactor: {
    type: 'number',
    default: 0.1,
    min: 0,
    exclusiveMin: true,
    max: 1,
    description: 'step-decay factor',
  },
  evalEvery: {
    type: 'integer',
    default: 100,
    min: 1,
    max: 1e9,
    description: 'evaluate on held-out data every this many steps',
  },
  evalBatchSize: {
    type: 'integer',
    default: 500,
    min: 1,
    max: 100000,
    description: 'batch size for evaluation',
  },
  checkpointEvery: {
    type: 'integer',
    default: 500,
    min: 1,
    max: 1e9,
    description: 'save a checkpoint every this many steps',
  },
  diagEvery: {
    type: 'integer',
    default: 100,
    min: 0,
    max: 1e9,
    description:
      'every this many steps (and at step 0), measure ‖∂L/∂h_t‖ and ‖h_t‖ for every time step t on a fixed probe batch (0: off)',
  },
  diagBatch: {
    type: 'integer',
    default: 32,
    min: 1,
    max: 10000,
    description: 'probe batch of the diagnostics: the first this many held-out sequences',
  },
  engine: {
    type: 'enum',
    default: 'auto',
    choices: ['auto', 'fused', 'generic'],
    description:
      "sequence engine: 'fused' runs the cell's fused CPU kernel (WebAssembly SIMD GEMM, analytic BPTT), " +
      "'generic' TF.js autodiff through every step; 'auto': fused on the wasm/cpu backends where the cell has a kernel",
  },
  timeChunk: {
    type: 'integer',
    default: 0,
    min: 0,
    max: 1e6,
    description:
      'gradient checkpointing (fused engine): keep the state every this many steps and recompute the rest in the ' +
      'backward, for memory ∝ T/timeChunk + timeChunk instead of T (0: off)',
  },
  threads: {
    type: 'integer',
    default: 0,
    min: 0,
    max: 64,
    description:
      "threads of the fused engine's matrix products (0: the machine's cores, at most 8); results do not depend on it",
  },
} as const satisfies ConfigSchema;

/** Learning rate at `step` (0-based) under the step-decay schedule. */
export function lrAt(base: number, step: number, every: number, factor: number): number {
  return every > 0 ? base * factor ** Math.floor(step / every) : base;
}
