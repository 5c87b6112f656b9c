// FusedSequence: a cell's fused kernel as ONE TF.js operation (tf.customGrad) that replaces unroll() in training.
import * as tf from '../../engine/tf.ts';
import type { Config } from '../../api/params.ts';
import type { Rng } from '../../engine/rng.ts';
import type { Gemm } from '../../engine/kernels/gemm.ts';
import type { CellSpec, Weights } from '../cell.ts';
import { prepared } from '../unroll.ts';
import type { FusedKernel, FusedShape, Tape } from './kernel.ts';

export interface FusedSequenceOptions {
  /** Gradient checkpointing: recompute the forward per chunk of this many steps in the backward (0: off). */
  chunk?: number;
}

/**
 * The sequence x [T, B, D] → features ([B, F] or [T, B, F]) as one differentiable operation: its forward is the
 * kernel's forward, its gradient the kernel's BPTT. The operation's inputs are x and the tensors the kernel reads
 * (weights, or `derived.*` tensors that the cell's `prepare` builds in TF.js, so their own gradient stays with
 * TF.js autodiff). Everything around it (readout, loss, clipping, optimizers) is unchanged TF.js on whatever
 * backend runs; only Float32Arrays cross (dataSync in, tf.tensor out).
 *
 * One sequence may wait for its backward at a time: a forward in training keeps its tape until the gradient
 * runs; a tape left over (a forward whose gradient was never asked for) is released at the next forward.
 */
export class FusedSequence {
  readonly kernel: FusedKernel;
  readonly gemm: Gemm;
  readonly chunk: number;
  private readonly pending = new Set<Tape>();

  constructor(kernel: FusedKernel, gemm: Gemm, options: FusedSequenceOptions = {}) {
    this.kernel = kernel;
    this.gemm = gemm;
    this.chunk = options.chunk ?? 0;
  }

  /** The shape the kernel sees for a batch xs. */
  shapeOf(xs: tf.Tensor3D, every: boolean): FusedShape {
    const [T, B, D] = xs.shape;
    return { T, B, D, every, ...(this.chunk > 0 ? { chunk: this.chunk } : {}) };
  }

  /** The readout features for xs, as unroll(cell, w, config, xs, …).features; differentiable in xs and w. */
  features(
    cell: CellSpec,
    w: Weights,
    config: Config,
    xs: tf.Tensor3D,
    training: boolean,
    rng: Rng | null,
    every: boolean,
  ): tf.Tensor {
    if (cell.name !== this.kernel.cell)
      throw new Error(`fused kernel for '${this.kernel.cell}' asked to run '${cell.name}'`);
    const names = this.kernel.inputs(config);
    const pw = prepared(cell, w, config);
    const inputs = names.map((n) => {
      const t = pw[n];
      if (!t)
        throw new Error(`${cell.name} fused kernel: input '${n}' is neither a weight nor a derived tensor`);
      return t;
    });
    const shape = this.shapeOf(xs, every);
    const F = cell.featureSize(config);
    const featureShape = every ? [shape.T, shape.B, F] : [shape.B, F];
    if (training) this.releasePending();
    const { gemm, kernel } = this;

    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const tensors = args.slice(0, 1 + names.length) as tf.Tensor[];
      // Stage the inputs in the GEMM's memory (the WebAssembly engine reads only its own buffers).
      const staged: Float32Array[] = [];
      const stage = (t: tf.Tensor): Float32Array => {
        const b = gemm.alloc(t.size);
        b.set(t.dataSync());
        staged.push(b);
        return b;
      };
      const x = stage(tensors[0]!);
      const wIn: Record<string, Float32Array> = {};
      names.forEach((n, i) => (wIn[n] = stage(tensors[i + 1]!)));
      let result: ReturnType<FusedKernel['forward']>;
      try {
        result = kernel.forward(gemm, shape, x, wIn, config, rng, training);
      } finally {
        for (const b of staged) gemm.free(b);
      }
      const { features, tape } = result;
      const value = tf.tensor(features, featureShape, 'float32');
      if (training) this.pending.add(tape);
      else tape.release();
      const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
        if (!this.pending.has(tape))
          throw new Error(`${cell.name} fused kernel: the tape of this sequence is gone`);
        const dF = gemm.alloc(dy.size);
        try {
          dF.set(dy.dataSync());
          const { dx, dw } = kernel.backward(tape, dF);
          return [
            tf.tensor(dx, tensors[0]!.shape, 'float32'),
            ...names.map((n, i) => {
              const g = dw[n];
              if (!g) throw new Error(`${cell.name} fused kernel: no gradient for '${n}'`);
              return tf.tensor(g, tensors[i + 1]!.shape, 'float32');
            }),
          ];
        } finally {
          gemm.free(dF);
          this.pending.delete(tape);
          tape.release();
        }
      };
      return { value, gradFunc };
    });
    return op(xs, ...inputs);
  }

  /** Bytes the kernel keeps for the backward of one batch of this shape (the memory guard's question). */
  tapeBytes(shape: FusedShape, config: Config): number {
    return this.kernel.tapeBytes({ ...shape, ...(this.chunk > 0 ? { chunk: this.chunk } : {}) }, config);
  }

  private releasePending(): void {
    for (const t of this.pending) t.release();
    this.pending.clear();
  }

  /** Release any tape still waiting (the GEMM engine is the caller's to dispose). */
  dispose(): void {
    this.releasePending();
  }
}
