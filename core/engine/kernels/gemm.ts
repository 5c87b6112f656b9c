// Gemm: the matrix product the fused kernels are written against. The WebAssembly SIMD implementation
// (wasm-gemm.ts) and the plain-JS reference below share this interface; kernels allocate the buffers they
// hand to `gemm` with `alloc`, so the WebAssembly one reads them in place (no copies).

export interface Gemm {
  /** Engine name, as runs record it. */
  name: string;
  /**
   * A zeroed buffer of n floats that `gemm` can read and write. Subarrays of it may be passed to `gemm`.
   * Buffers live until `free` (or until the engine is disposed).
   */
  alloc(n: number): Float32Array;
  free(buf: Float32Array): void;
  /**
   * C = op(A) · op(B) + beta · C, all row-major and contiguous; op(A) is M×K (A stored K×M when transA),
   * op(B) is K×N (B stored N×K when transB), C is M×N. beta is 0 or 1.
   */
  gemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    A: Float32Array,
    B: Float32Array,
    beta: 0 | 1,
    C: Float32Array,
  ): void;
  /**
   * Optional (kernels fall back to `gemm` where absent): op(B) (K×N; B stored N×K when transB) packed once for many
   * `gemmPacked` calls, e.g. a recurrent weight used at every time step. B must not change while the pack is in use;
   * `freePacked` releases it.
   */
  packB?(transB: boolean, K: number, N: number, B: Float32Array): PackedB;
  /** C = op(A) · op(B) + beta · C with op(B) from `packB`: the same bits as `gemm` on the original B. */
  gemmPacked?(
    transA: boolean,
    M: number,
    N: number,
    K: number,
    A: Float32Array,
    packed: PackedB,
    beta: 0 | 1,
    C: Float32Array,
  ): void;
  freePacked?(packed: PackedB): void;
  /**
   * Only engines whose buffers live in a WebAssembly memory (wasm-gemm.ts): compile a module (WAT text, cached by
   * text) that imports that memory as `env.memory`, and return its exports. The fused kernels run their
   * element-wise passes through it (SIMD; pointers are the `byteOffset`s of alloc'd buffers) and fall back to
   * plain JS where an engine has none (the reference).
   */
  wasmModule?(wat: string): Record<string, unknown>;
}

/** A packed op(B) (Gemm.packB); `B` is the original matrix, which engines may also use to fall back to `gemm`. */
export interface PackedB {
  readonly transB: boolean;
  readonly K: number;
  readonly N: number;
  readonly B: Float32Array;
}

/** The plain-JS reference: obviously correct and slow; the tests' oracle for the fast ones. */
export function referenceGemm(): Gemm {
  return {
    name: 'reference-js',
    alloc: (n) => new Float32Array(n),
    free: () => {},
    gemm(transA, transB, M, N, K, A, B, beta, C) {
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++)
            s += A[transA ? k * M + i : i * K + k]! * B[transB ? j * K + k : k * N + j]!;
          C[i * N + j] = beta === 0 ? s : C[i * N + j]! + s;
        }
    },
    packB: (transB, K, N, B) => ({ transB, K, N, B }),
    gemmPacked(transA, M, N, K, A, packed, beta, C) {
      if (packed.K !== K || packed.N !== N) throw new Error('gemmPacked: K or N differs from the packed B');
      this.gemm(transA, packed.transB, M, N, K, A, packed.B, beta, C);
    },
    freePacked: () => {},
  };
}
