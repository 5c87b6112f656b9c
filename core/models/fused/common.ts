// Sequence-level helpers of the fused kernels (on top of buffers.ts): inputs, batched projections, the features.
import type { Config } from '../../api/params.ts';
import type { Gemm } from '../../engine/kernels/gemm.ts';
import { addColumnSums, timeChunks, type Buffers } from './buffers.ts';
import type { FusedShape } from './kernel.ts';

/** A numeric config value (the schema guarantees it is there). */
export function num(config: Config, key: string): number {
  const v = config[key];
  if (typeof v !== 'number') throw new Error(`fused kernel: config.${key} is not a number`);
  return v;
}

/**
 * The input `name` of `w` (which must hold `size` floats), copied into `buf`: a GEMM reads only buffers of its
 * own arena, and the tape must not depend on the caller keeping `w` unchanged.
 */
export function input(
  buf: Buffers,
  w: Readonly<Record<string, Float32Array>>,
  name: string,
  size: number,
): Float32Array {
  return buf.copy(checkedInput(w, name, size));
}

/** The input `name` of `w` as given (not copied), checked to hold `size` floats. */
export function checkedInput(
  w: Readonly<Record<string, Float32Array>>,
  name: string,
  size: number,
): Float32Array {
  const a = w[name];
  if (!a) throw new Error(`fused kernel: input '${name}' is missing`);
  if (a.length !== size) throw new Error(`fused kernel: input '${name}' has ${a.length} values, not ${size}`);
  return a;
}

/**
 * The sum (in float32) of the [n] inputs `a` and `b` (torch's b_ih + b_hh, which every step adds together), in a
 * buffer of `buf`.
 */
export function inputSum(
  buf: Buffers,
  w: Readonly<Record<string, Float32Array>>,
  a: string,
  b: string,
  n: number,
): Float32Array {
  const va = checkedInput(w, a, n);
  const vb = checkedInput(w, b, n);
  const sum = buf.take(n);
  for (let j = 0; j < n; j++) sum[j] = va[j]! + vb[j]!;
  return sum;
}

/** The logistic function σ(v) = 1 / (1 + e^{−v}). */
export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * out = X · op(W) + bias for `rows` rows at once: the time-independent input projection of every step in one GEMM
 * (rows = T·B). X [rows, k]; W [n, k] when `transW` (nn.Linear's [out, in]), else [k, n]; bias [n] or null;
 * out [rows, n], overwritten. k = 0 leaves the bias alone (a first step whose state is 0).
 */
export function project(
  gemm: Gemm,
  rows: number,
  n: number,
  k: number,
  X: Float32Array,
  W: Float32Array,
  transW: boolean,
  bias: ArrayLike<number> | null,
  out: Float32Array,
): void {
  if (bias) for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) out[r * n + j] = bias[j]!;
  else out.fill(0, 0, rows * n);
  if (k > 0) gemm.gemm(false, transW, rows, n, k, X, W, 1, out);
}

/**
 * The backward of `project` given dOut = ∂L/∂out [rows, n]: dW += the weight gradient (dOutᵀ X when `transW`,
 * else Xᵀ dOut), dBias (float64, or null for none) += Σ rows of dOut, and dX = dOut · op(W)ᵀ [rows, k]
 * (+= when `addDX`, for an input read by two projections).
 */
export function projectBackward(
  gemm: Gemm,
  rows: number,
  n: number,
  k: number,
  X: Float32Array,
  W: Float32Array,
  transW: boolean,
  dOut: Float32Array,
  dW: Float32Array,
  dBias: Float64Array | null,
  dX: Float32Array,
  addDX = false,
): void {
  if (transW) gemm.gemm(true, false, n, k, rows, dOut, X, 1, dW);
  else gemm.gemm(true, false, k, n, rows, X, dOut, 1, dW);
  if (dBias) addColumnSums(dOut, rows, n, dBias);
  gemm.gemm(false, !transW, rows, k, n, dOut, W, addDX ? 1 : 0, dX);
}

/**
 * out += Lᵀ R [l, r] over the rows [B each] of a chunk's c steps that have a previous state: L [c·B, l] and
 * R [c·B, r] (R usually the previous states, block 0 of the chunk's state buffer first). A chunk that starts the
 * sequence (t0 = 0) skips its first step: h_0 = 0 there, so that step's recurrent product (and gradient) is 0.
 */
export function addRecurrentGrad(
  gemm: Gemm,
  t0: number,
  c: number,
  B: number,
  L: Float32Array,
  l: number,
  R: Float32Array,
  r: number,
  out: Float32Array,
): void {
  const skip = t0 === 0 ? 1 : 0;
  if (c > skip)
    gemm.gemm(true, false, l, r, (c - skip) * B, L.subarray(skip * B * l), R.subarray(skip * B * r), 1, out);
}

/**
 * The forward over time chunks (buffers.ts timeChunks: one chunk of T steps unless shape.chunk asks for
 * checkpointing): `runChunk(t0, c)` runs steps t0 .. t0+c−1 from the state in block 0 of S [(C+1), BS] (BS = B ×
 * the state width; the caller sets block 0 to the initial state) into blocks 1..c. Before each chunk its first
 * state is kept in `starts` [count, BS] (null with one chunk) and `onChunk(k)` is called (e.g. to keep the noise
 * generator's state); between chunks the last state moves to block 0. Returns the readout features, the states
 * themselves (every step's [T, B, ·] or the last one's), copied into `buf`; S ends holding the last chunk.
 */
export function chunkFeatures(
  buf: Buffers,
  shape: FusedShape,
  BS: number,
  S: Float32Array,
  runChunk: (t0: number, c: number) => void,
  onChunk?: (k: number) => void,
): { features: Float32Array; starts: Float32Array | null } {
  const { T, every } = shape;
  const { C, count } = timeChunks(shape);
  const starts = count > 1 ? buf.take(count * BS) : null;
  const features = buf.take((every ? T : 1) * BS);
  let c = 0;
  for (let k = 0; k < count; k++) {
    const t0 = k * C;
    c = Math.min(C, T - t0);
    if (starts) starts.set(S.subarray(0, BS), k * BS);
    onChunk?.(k);
    runChunk(t0, c);
    if (every) features.set(S.subarray(BS, (c + 1) * BS), t0 * BS);
    if (k < count - 1) S.copyWithin(0, c * BS, (c + 1) * BS);
  }
  if (!every) features.set(S.subarray(c * BS, (c + 1) * BS));
  return { features, starts };
}

/** Floats that chunkFeatures keeps for state rows of BS floats: a chunk's states, the chunk starts, the features. */
export function chunkFeaturesFloats(shape: FusedShape, BS: number): number {
  const { C, count } = timeChunks(shape);
  return (C + 1) * BS + (count > 1 ? count * BS : 0) + (shape.every ? shape.T : 1) * BS;
}

/**
 * The backward's walk over chunkFeatures' chunks, last first: `body(t0, c)` for each chunk of c steps from t0.
 * Every chunk but the last (whose states S still holds) is recomputed first: its first state from `starts` into
 * block 0 of S, then `runChunk(t0, c, k)` (k: the chunk's index).
 */
export function chunksBackward(
  shape: FusedShape,
  BS: number,
  S: Float32Array,
  starts: Float32Array | null,
  runChunk: (t0: number, c: number, k: number) => void,
  body: (t0: number, c: number) => void,
): void {
  const { C, count } = timeChunks(shape);
  for (let k = count - 1; k >= 0; k--) {
    const t0 = k * C;
    const c = Math.min(C, shape.T - t0);
    if (k < count - 1) {
      S.set(starts!.subarray(k * BS, (k + 1) * BS));
      runChunk(t0, c, k);
    }
    body(t0, c);
  }
}

/** g += the features' gradient at step t (0-based) for state rows of width F. */
export function addFeatureGrad(
  g: Float32Array | Float64Array,
  dFeatures: Float32Array,
  shape: FusedShape,
  t: number,
  F: number,
): void {
  const n = shape.B * F;
  if (shape.every) {
    const o = t * n;
    for (let i = 0; i < n; i++) g[i]! += dFeatures[o + i]!;
  } else if (t === shape.T - 1) for (let i = 0; i < n; i++) g[i]! += dFeatures[i]!;
}

/** Throws unless the features' gradient has the features' size. */
export function checkFeatureGrad(dFeatures: Float32Array, shape: FusedShape, F: number): void {
  const want = (shape.every ? shape.T : 1) * shape.B * F;
  if (dFeatures.length !== want)
    throw new Error(`fused kernel: dFeatures has ${dFeatures.length} values, not ${want}`);
}

/** `values` (a float64 accumulator) as a float32 buffer of `buf`. */
export function fromF64(buf: Buffers, values: Float64Array): Float32Array {
  return buf.copy(values);
}

/** Float32 bytes of `floats` values. */
export const bytes = (floats: number): number => 4 * floats;
