// FusedKernel: a cell's whole sequence, forward and analytic backward through time, on Float32Arrays.
// One kernel per cell family, each in its own file here; fused.ts wraps a kernel as one tf.customGrad
// operation that replaces unroll() (issue 6). The generic TF.js path (unroll.ts) is the reference every
// kernel must equal (test/core/models/fused/*.test.ts).
import type { Config } from '../../api/params.ts';
import type { Rng } from '../../engine/rng.ts';
import type { Gemm } from '../../engine/kernels/gemm.ts';

export interface FusedShape {
  T: number;
  B: number;
  /** Input width. */
  D: number;
  /** Readout features at every step ([T, B, F]) rather than at the last step only ([B, F]). */
  every: boolean;
  /**
   * Gradient checkpointing over time: keep only the state at every `chunk`-th step and recompute each chunk's
   * forward in the backward (memory ∝ T/chunk + chunk instead of T). 0 or absent: keep everything. Kernels that
   * do not checkpoint ignore it (and their tapeBytes says so).
   */
  chunk?: number;
}

/** What a kernel's forward kept for its backward; opaque to everyone but the kernel. */
export interface Tape {
  /** Return every buffer to the arena (called once the backward ran, or when no gradient is wanted). */
  release(): void;
}

export interface FusedKernel {
  /** The cell (CellSpec.name) this kernel computes. */
  cell: string;
  /**
   * The weights the kernel reads: names of the cell's weights or of its `derived.*` tensors (what
   * `prepare` makes; prepare itself stays in TF.js, so its gradient stays there too).
   */
  inputs(config: Config): string[];
  /** Bytes the forward keeps for the backward (the memory guard asks before training starts). */
  tapeBytes(shape: FusedShape, config: Config): number;
  /**
   * Run the sequence x [T, B, D] (time-major, row-major) from the cell's initial state. Returns the features
   * the readout sees (the same as unroll's: [B, F] or [T, B, F]) and the tape for the backward. `rng`
   * supplies noise draws in exactly the order the cell's step() draws them (null outside training).
   * `w` arrays are row-major in the shapes of the tensors named by `inputs`.
   */
  forward(
    gemm: Gemm,
    shape: FusedShape,
    x: Float32Array,
    w: Readonly<Record<string, Float32Array>>,
    config: Config,
    rng: Rng | null,
    training: boolean,
  ): { features: Float32Array; tape: Tape };
  /**
   * Gradients of the loss with respect to x and each input weight, given dL/dfeatures. Called at most once per
   * tape. The returned arrays (like forward's `features`) belong to the tape: read them before `release`.
   */
  backward(tape: Tape, dFeatures: Float32Array): { dx: Float32Array; dw: Record<string, Float32Array> };
}
