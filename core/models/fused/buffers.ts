// Small helpers the fused kernels share: a tape's buffer list, transposes and column copies, software flush-to-zero.
import type { Gemm, PackedB } from '../../engine/kernels/gemm.ts';
import type { FusedShape, Tape } from './kernel.ts';

/**
 * WebAssembly has no flush-to-zero mode: where BPTT multiplies a gradient by a contraction factor at every step,
 * values decay into the denormal range, and arithmetic on denormals is ~100× slower on x86. The backward passes
 * set |v| < TINY to 0 where such values arise (what FTZ/DAZ does in PyTorch with set_flush_denormal(True));
 * 1e-30 is far below anything float32 training can see, and far above the denormal range (< 1.2e-38).
 */
export const TINY = 1e-30;

/** v, or 0 where |v| < TINY (see TINY). */
export function flush(v: number): number {
  return v < TINY && v > -TINY ? 0 : v;
}

/** The buffers a kernel allocated from its GEMM's arena, freed together (a tape's `release`). */
export class Buffers {
  private readonly gemm: Gemm;
  private held: Float32Array[] = [];
  private packs: PackedB[] = [];

  constructor(gemm: Gemm) {
    this.gemm = gemm;
  }

  /** A zeroed buffer of n floats, freed by releaseAll. */
  take(n: number): Float32Array {
    const b = this.gemm.alloc(Math.max(n, 1)).subarray(0, n);
    this.held.push(b);
    return b;
  }

  /** A buffer holding a copy of `src`. */
  copy(src: ArrayLike<number>): Float32Array {
    const b = this.take(src.length);
    b.set(src);
    return b;
  }

  /**
   * C = A · op(B) + beta · C (A: M×K, op(B): K×N) for a B used many times (a recurrent weight at every step): op(B)
   * is packed once where the engine can (Gemm.packB; the same bits as gemm) and freed by releaseAll; plain gemm
   * otherwise. B must not change while the product is in use.
   */
  product(
    transB: boolean,
    K: number,
    N: number,
    B: Float32Array,
  ): (M: number, A: Float32Array, beta: 0 | 1, C: Float32Array) => void {
    const g = this.gemm;
    if (!g.packB || !g.gemmPacked || !g.freePacked)
      return (M, A, beta, C) => g.gemm(false, transB, M, N, K, A, B, beta, C);
    const packed = g.packB(transB, K, N, B);
    this.packs.push(packed);
    const gemmPacked = g.gemmPacked.bind(g);
    return (M, A, beta, C) => gemmPacked(false, M, N, K, A, packed, beta, C);
  }

  releaseAll(): void {
    for (const p of this.packs) this.gemm.freePacked?.(p);
    this.packs = [];
    for (const b of this.held) this.gemm.free(b);
    this.held = [];
  }
}

/** dst[c·rows + r] = src[r·cols + c]: the [cols, rows] transpose of a row-major [rows, cols] matrix. */
export function transposeInto(
  src: Float32Array,
  rows: number,
  cols: number,
  dst: Float32Array,
): Float32Array {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[o + c]!;
  }
  return dst;
}

/** Columns [c0, c1) of a row-major [rows, cols] matrix, as a row-major [rows, c1 − c0] matrix in dst. */
export function columnsInto(
  src: Float32Array,
  rows: number,
  cols: number,
  c0: number,
  c1: number,
  dst: Float32Array,
): Float32Array {
  const w = c1 - c0;
  for (let r = 0; r < rows; r++) dst.set(src.subarray(r * cols + c0, r * cols + c1), r * w);
  return dst;
}

/** Write a row-major [rows, w] block into columns [c0, c0 + w) of a row-major [rows, cols] matrix. */
export function putColumns(
  block: Float32Array,
  rows: number,
  w: number,
  dst: Float32Array,
  cols: number,
  c0: number,
): void {
  for (let r = 0; r < rows; r++) dst.set(block.subarray(r * w, (r + 1) * w), r * cols + c0);
}

/** Σ over rows of a row-major [rows, cols] matrix, added into acc[cols] (float64: a bias gradient sums T·B terms). */
export function addColumnSums(m: Float32Array, rows: number, cols: number, acc: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) acc[c] = acc[c]! + m[o + c]!;
  }
}

/** The time chunks of a sequence: length C of all but maybe the last, and their number (C = T when not chunked). */
export function timeChunks(shape: FusedShape): { C: number; count: number } {
  const C = shape.chunk && shape.chunk > 0 && shape.chunk < shape.T ? shape.chunk : shape.T;
  return { C, count: Math.ceil(shape.T / C) };
}

/** Chunk length of a forward outside training (evaluation) in the kernels that use forwardShape. */
const EVAL_CHUNK = 32;

/**
 * The shape a forward runs by: `shape` while training, else chunks of EVAL_CHUNK steps, since no backward is
 * expected (memory ∝ B·N whatever T; a backward would still work, recomputing each chunk).
 */
export function forwardShape(shape: FusedShape, training: boolean): FusedShape {
  return training ? shape : { ...shape, chunk: Math.min(shape.T, EVAL_CHUNK) };
}

/** A tape that carries its own backward (a closure over the forward's buffers): kernels' usual Tape. */
export interface ClosureTape extends Tape {
  readonly cell: string;
  readonly backward: (dFeatures: Float32Array) => { dx: Float32Array; dw: Record<string, Float32Array> };
}

/**
 * A ClosureTape over `buf`: release frees the buffers (twice is harmless); backward runs once, before release.
 */
export function closureTape(cell: string, buf: Buffers, backward: ClosureTape['backward']): ClosureTape {
  let state: 'ready' | 'used' | 'released' = 'ready';
  return {
    cell,
    release() {
      state = 'released';
      buf.releaseAll();
    },
    backward(dF) {
      if (state !== 'ready')
        throw new Error(
          `${cell} fused kernel: backward on a tape that was ${state === 'used' ? 'used' : 'released'}`,
        );
      state = 'used';
      return backward(dF);
    },
  };
}

/** The backward of a ClosureTape made by the `cell` kernel. */
export function runBackward(
  tape: Tape,
  cell: string,
  dFeatures: Float32Array,
): { dx: Float32Array; dw: Record<string, Float32Array> } {
  const t = tape as Partial<ClosureTape>;
  if (t.cell !== cell || typeof t.backward !== 'function')
    throw new Error(`${cell} fused kernel: the tape is not one of its own`);
  return t.backward(dFeatures);
}
