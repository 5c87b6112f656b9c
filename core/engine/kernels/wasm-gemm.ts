// The WebAssembly SIMD GEMM engine: WAT from wat.ts assembled with wabt, one shared memory, optional worker threads.
import os from 'node:os';
import wabtInit from 'wabt';
import type { Gemm, PackedB } from './gemm.ts';
import { Arena } from './arena.ts';
import { EXPORTS, GemmThreads } from './threads.ts';
import { wasm, type WasmModule } from './wasm-api.ts';
import { DEFAULT_BLOCKING, gemmWat, RELAXED_PROBE_WAT, scratchFloats, type GemmBlocking } from './wat.ts';

export interface WasmGemmOptions {
  /** Threads (the calling one included) a large GEMM is split over; default: the machine's cores, at most 8. */
  threads?: number;
  /** Use f32x4.relaxed_madd (fused multiply-add) where supported; default true. */
  relaxed?: boolean;
  blocking?: Partial<GemmBlocking>;
}

export interface WasmGemm extends Gemm {
  /** SIMD flavour and threads, for the run record (e.g. 'WebAssembly SIMD relaxed-madd, 2 threads'). */
  readonly description: string;
  readonly threads: number;
  readonly relaxed: boolean;
  packB: NonNullable<Gemm['packB']>;
  gemmPacked: NonNullable<Gemm['gemmPacked']>;
  freePacked: NonNullable<Gemm['freePacked']>;
  /** Bytes of WebAssembly memory now reserved (it never shrinks). */
  memoryBytes(): number;
  /** Bytes now handed out by alloc and not freed. */
  liveBytes(): number;
  /** Stop the worker threads (the engine is unusable afterwards). */
  dispose(): void;
}

/** A slab has at least this many multiply-adds (a hand-off costs a few µs). */
const PARALLEL_MIN_MACS = 1 << 16;
/** Slabs per thread: more than one, so a thread whose core is busy leaves its share to the others. */
const SLABS_PER_THREAD = 2;
const [GEMM, DOT_N, AXPY_N, GEMM_P] = [0, 1, 2, 3] as const;
/** WebAssembly memory pages are 64 KiB; a 32-bit memory has at most 65536 of them (4 GiB). */
const PAGE = 65536;
export const MAX_WASM_MEMORY_BYTES = 65536 * PAGE;

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let wabtPromise: Promise<Wabt> | null = null;
let wabtLoaded: Wabt | null = null;
const moduleCache = new Map<string, WasmModule>();
type Features = { simd?: boolean; threads?: boolean; relaxed_simd?: boolean };

/** The wabt assembler, loaded once per process. */
function loadWabt(): Promise<Wabt> {
  wabtPromise ??= wabtInit().then((w) => (wabtLoaded = w));
  return wabtPromise;
}

/** Assemble WAT text to a compiled module (cached per text: every engine of the process shares it). */
export async function assemble(text: string, features: Features): Promise<WasmModule> {
  await loadWabt();
  return assembleSync(text, features);
}

/** assemble() once wabt is loaded (any createWasmGemm has loaded it). */
function assembleSync(text: string, features: Features): WasmModule {
  const cached = moduleCache.get(text);
  if (cached) return cached;
  const wabt = wabtLoaded;
  if (!wabt) throw new Error('the WAT assembler is not loaded yet');
  const parsed = wabt.parseWat('kernel.wat', text, features);
  try {
    // (WebAssembly.Module validates the binary; wabt's own validate() would need the feature flags again.)
    const { buffer } = parsed.toBinary({});
    const mod = new wasm.Module(buffer);
    moduleCache.set(text, mod);
    return mod;
  } finally {
    parsed.destroy();
  }
}

let relaxedSupport: Promise<boolean> | null = null;

/** Whether this runtime runs relaxed SIMD (Node ≥ 22 does; older V8 needed --experimental-wasm-relaxed-simd). */
export function hasRelaxedSimd(): Promise<boolean> {
  relaxedSupport ??= (async () => {
    try {
      const wabt = await loadWabt();
      const parsed = wabt.parseWat('probe.wat', RELAXED_PROBE_WAT, { simd: true, relaxed_simd: true });
      const bin = parsed.toBinary({}).buffer;
      parsed.destroy();
      return wasm.validate(bin);
    } catch {
      return false;
    }
  })();
  return relaxedSupport;
}

/** Default thread count: the machine's cores (os.availableParallelism), at most 8. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, os.availableParallelism()));
}

/**
 * A WebAssembly SIMD GEMM engine (see wat.ts for the kernel). Buffers from `alloc` live in one shared
 * WebAssembly.Memory that grows as needed (views made earlier stay valid); arrays from elsewhere are copied in.
 */
export async function createWasmGemm(options: WasmGemmOptions = {}): Promise<WasmGemm> {
  const blocking: GemmBlocking = { ...DEFAULT_BLOCKING, ...options.blocking };
  const relaxed = (options.relaxed ?? true) && (await hasRelaxedSimd());
  const mod = await assemble(gemmWat(blocking, relaxed), {
    simd: true,
    threads: true,
    relaxed_simd: relaxed,
  });
  const memory = new wasm.Memory({ initial: 256, maximum: 65536, shared: true });
  const instance = new wasm.Instance(mod, { env: { memory } });
  const fns = EXPORTS.map((name) => instance.exports[name] as (...args: number[]) => void);
  const transposeExport = instance.exports['transpose'] as (
    src: number,
    rows: number,
    cols: number,
    ld: number,
    dst: number,
  ) => void;
  const packBAll = instance.exports['packBAll'] as (
    tB: number,
    K: number,
    N: number,
    b: number,
    ldb: number,
    dst: number,
  ) => void;
  /** The packed panels of each PackedB this engine made (none where it falls back to plain gemm: N < 8). */
  const packs = new WeakMap<PackedB, Float32Array>();
  const arena = new Arena(memory);
  const nThreads = Math.max(1, Math.floor(options.threads ?? defaultThreads()));
  const scratchBytes = 4 * scratchFloats(blocking);
  const scratch = Array.from({ length: nThreads }, () => arena.allocBytes(scratchBytes));
  const pool = nThreads > 1 ? new GemmThreads(mod, memory, scratch) : null;
  const { MR } = blocking;

  /** Pointer of a buffer in our memory, or -1 (then the caller stages a copy). */
  const ptr = (x: Float32Array, floats: number): number =>
    arena.owns(x) && x.length >= floats ? x.byteOffset : -1;

  /** Slabs: [export index (threads.ts EXPORTS), ...arguments]; the thread's scratch is appended as it runs. */
  const runSlabs = (slabs: number[][]) => {
    if (slabs.length === 1 || !pool) for (const s of slabs) fns[s[0]!]!(...s.slice(1), scratch[0]!);
    else pool.run(slabs, fns);
  };
  /** How many slabs a product of `macs` multiply-adds over `units` indivisible parts is cut into. */
  const slabCount = (macs: number, units: number) =>
    pool
      ? Math.max(1, Math.min(units, nThreads * SLABS_PER_THREAD, Math.floor(macs / PARALLEL_MIN_MACS)))
      : 1;
  const cut = (units: number, n: number, p: number) => Math.floor((p * units) / n);

  const run = (
    tA: boolean,
    tB: boolean,
    M: number,
    N: number,
    K: number,
    pA: number,
    pB: number,
    beta: 0 | 1,
    pC: number,
    pk = -1,
  ): void => {
    const lda = tA ? M : K;
    const ldb = tB ? K : N;
    const ta = tA ? 1 : 0;
    const tb = tB ? 1 : 0;
    const slabs: number[][] = [];
    if (pk < 0 && N < 8 && M >= 16 && tA) {
      // Few columns, A transposed (∂L/∂V = δᵀ X): SIMD over C's rows, cut at multiples of 16 rows.
      const units = Math.ceil(M / 16);
      const n = slabCount(M * N * K, units);
      for (let p = 0; p < n; p++) {
        const i0 = 16 * cut(units, n, p);
        const i1 = Math.min(M, 16 * cut(units, n, p + 1));
        slabs.push([AXPY_N, i1 - i0, N, K, pA + 4 * i0, lda, pB, ldb, tb, pC + 4 * i0 * N, N, beta]);
      }
      runSlabs(slabs);
      return;
    }
    if (pk < 0 && N < 8 && M >= 16) {
      // Few columns, A not transposed (∂L/∂x = δ V): one SIMD dot product per element, op(B)ᵀ packed first.
      const bt = tB ? null : arena.alloc(N * K);
      if (bt) transposeExport(pB, K, N, N, bt.byteOffset);
      const pBt = bt ? bt.byteOffset : pB;
      const n = slabCount(M * N * K, M);
      for (let p = 0; p < n; p++) {
        const i0 = cut(M, n, p);
        const i1 = cut(M, n, p + 1);
        slabs.push([DOT_N, i1 - i0, N, K, pA + 4 * i0 * lda, lda, pBt, pC + 4 * i0 * N, N, beta]);
      }
      try {
        runSlabs(slabs);
      } finally {
        if (bt) arena.free(bt);
      }
      return;
    }
    // Cut C into slabs of whole 8-column (or MR-row) panels; no element's arithmetic changes.
    const byCols = Math.ceil(N / 8) >= Math.ceil(M / MR);
    const units = byCols ? Math.ceil(N / 8) : Math.ceil(M / MR);
    const n = slabCount(M * N * K, units);
    // Packed B (pk ≥ 0, from packBAll): a slab names its first column j0 instead of offsetting B.
    const npad = 8 * Math.ceil(N / 8);
    for (let p = 0; p < n; p++) {
      if (byCols) {
        const j0 = cut(units, n, p) * 8;
        const j1 = Math.min(N, cut(units, n, p + 1) * 8);
        const b = pB + 4 * (tB ? j0 * ldb : j0);
        if (pk >= 0) slabs.push([GEMM_P, ta, M, j1 - j0, K, pA, lda, pk, npad, j0, pC + 4 * j0, N, beta]);
        else slabs.push([GEMM, ta, tb, M, j1 - j0, K, pA, lda, b, ldb, pC + 4 * j0, N, beta]);
      } else {
        const i0 = cut(units, n, p) * MR;
        const i1 = Math.min(M, cut(units, n, p + 1) * MR);
        const a = pA + 4 * (tA ? i0 : i0 * lda);
        if (pk >= 0) slabs.push([GEMM_P, ta, i1 - i0, N, K, a, lda, pk, npad, 0, pC + 4 * i0 * N, N, beta]);
        else slabs.push([GEMM, ta, tb, i1 - i0, N, K, a, lda, pB, ldb, pC + 4 * i0 * N, N, beta]);
      }
    }
    runSlabs(slabs);
  };

  const pointwise = new Map<string, Record<string, unknown>>();
  const engine: WasmGemm = {
    name: `wasm-simd${relaxed ? '-fma' : ''}-${nThreads}t`,
    description: `WebAssembly SIMD${relaxed ? ' relaxed-madd (FMA)' : ''}, ${nThreads} thread${nThreads > 1 ? 's' : ''}`,
    threads: nThreads,
    relaxed,
    alloc: (n) => arena.alloc(n),
    free: (buf) => arena.free(buf),
    memoryBytes: () => memory.buffer.byteLength,
    liveBytes: () => arena.liveBytes(),
    gemm(transA, transB, M, N, K, A, B, beta, C) {
      if (M <= 0 || N <= 0) return;
      if (K <= 0) {
        if (beta === 0) C.fill(0, 0, M * N);
        return;
      }
      let pA = ptr(A, M * K);
      let pB = ptr(B, K * N);
      let pC = ptr(C, M * N);
      if (pA >= 0 && pB >= 0 && pC >= 0) {
        run(transA, transB, M, N, K, pA, pB, beta, pC);
        return;
      }
      // Arrays from outside the arena: stage copies (correct, not fast; kernels allocate with alloc).
      const staged: Float32Array[] = [];
      const stage = (x: Float32Array, n: number): number => {
        const s = arena.alloc(n);
        s.set(x.subarray(0, n));
        staged.push(s);
        return s.byteOffset;
      };
      if (pA < 0) pA = stage(A, M * K);
      if (pB < 0) pB = stage(B, K * N);
      const cStaged = pC < 0;
      if (cStaged) pC = stage(C, M * N);
      run(transA, transB, M, N, K, pA, pB, beta, pC);
      if (cStaged) C.set(staged[staged.length - 1]!);
      for (const s of staged) arena.free(s);
    },
    packB(transB, K, N, B) {
      const packed: PackedB = { transB, K, N, B };
      if (K <= 0 || N < 8) return packed; // gemmPacked runs plain gemm (the narrow kernels for N < 8)
      const buf = arena.alloc(8 * Math.ceil(N / 8) * K);
      let pB = ptr(B, K * N);
      const staged = pB < 0 ? arena.alloc(K * N) : null;
      if (staged) {
        staged.set(B.subarray(0, K * N));
        pB = staged.byteOffset;
      }
      packBAll(transB ? 1 : 0, K, N, pB, transB ? K : N, buf.byteOffset);
      if (staged) arena.free(staged);
      packs.set(packed, buf);
      return packed;
    },
    gemmPacked(transA, M, N, K, A, packed, beta, C) {
      if (packed.K !== K || packed.N !== N) throw new Error('gemmPacked: K or N differs from the packed B');
      const buf = packs.get(packed);
      if (!buf || M <= 0) {
        engine.gemm(transA, packed.transB, M, N, K, A, packed.B, beta, C);
        return;
      }
      let pA = ptr(A, M * K);
      let pC = ptr(C, M * N);
      const sA = pA < 0 ? arena.alloc(M * K) : null;
      const sC = pC < 0 ? arena.alloc(M * N) : null;
      if (sA) {
        sA.set(A.subarray(0, M * K));
        pA = sA.byteOffset;
      }
      if (sC) {
        sC.set(C.subarray(0, M * N));
        pC = sC.byteOffset;
      }
      run(transA, packed.transB, M, N, K, pA, -1, beta, pC, buf.byteOffset);
      if (sC) C.set(sC);
      if (sA) arena.free(sA);
      if (sC) arena.free(sC);
    },
    freePacked(packed) {
      const buf = packs.get(packed);
      if (buf) arena.free(buf);
      packs.delete(packed);
    },
    wasmModule(wat) {
      let exports = pointwise.get(wat);
      if (!exports) {
        const m = assembleSync(wat, { simd: true, threads: true, relaxed_simd: relaxed });
        exports = new wasm.Instance(m, { env: { memory } }).exports;
        pointwise.set(wat, exports);
      }
      return exports;
    },
    dispose() {
      pool?.dispose();
    },
  };
  return engine;
}
