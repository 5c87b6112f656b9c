// The part of the WebAssembly JS API the kernels use, typed here: the project's lib (es2023, no DOM) declares none.

export interface WasmMemory {
  /** For a shared memory: a SharedArrayBuffer over all current pages (a new object after each grow). */
  readonly buffer: ArrayBufferLike;
  /** Add `pages` pages of 64 KiB; returns the previous size in pages; throws when the maximum is reached. */
  grow(pages: number): number;
}

/** A compiled module (opaque; structured-cloneable to worker threads). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  validate(bytes: Uint8Array): boolean;
}

/** globalThis.WebAssembly, typed. */
export const wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
