// GemmThreads: worker threads that take slabs of a GEMM off a shared queue (Atomics) on the shared WebAssembly memory.
import { Worker } from 'node:worker_threads';
import type { WasmMemory, WasmModule } from './wasm-api.ts';

/** Control block (Int32 slots): sequence number, claim word, slabs done, slab count, error flag, then the slabs. */
const SEQ = 0;
const CLAIM = 1;
const DONE = 2;
const COUNT = 3;
const STATUS = 4;
const SLABS = 8;
/** A slab: the export's index in EXPORTS, then its (at most 12) arguments; the 13th is the thread's own scratch. */
const SLAB_INTS = 14;
export const MAX_SLABS = 64;
/** The exports a slab may call, by index. */
export const EXPORTS = ['gemm', 'dotN', 'axpyN', 'gemmP'] as const;
/** Busy-wait iterations of an idle worker before it sleeps in Atomics.wait (~tens of µs: the gap between steps). */
const WORKER_SPIN = 1 << 15;
/** A worker that has not finished its slab within this long is dead: fail instead of hanging the run. */
const HANG_MS = 60_000;

/**
 * The claim loop, run by the calling thread and (as text: `work.toString()`) by the workers, so its body uses
 * literals, not this module's constants (SLABS = 8, SLAB_INTS = 14, CLAIM = 1, COUNT = 3, STATUS = 4, DONE = 2).
 * The claim word holds the sequence number's low 15 bits over the next slab's index, so a thread still finishing
 * an old call can never take a slab of a new one.
 */
function work(
  ctl: Int32Array,
  seq: number,
  fns: readonly ((...a: number[]) => void)[],
  scratch: number,
): void {
  const tag = (seq & 0x7fff) << 16;
  for (;;) {
    const cur = Atomics.load(ctl, 1);
    if ((cur & ~0xffff) !== tag) return;
    const idx = cur & 0xffff;
    const n = Atomics.load(ctl, 3);
    if (idx >= n) return;
    if (Atomics.compareExchange(ctl, 1, cur, cur + 1) !== cur) continue;
    const o = 8 + idx * 14;
    try {
      fns[ctl[o]!]!(
        ctl[o + 1]!,
        ctl[o + 2]!,
        ctl[o + 3]!,
        ctl[o + 4]!,
        ctl[o + 5]!,
        ctl[o + 6]!,
        ctl[o + 7]!,
        ctl[o + 8]!,
        ctl[o + 9]!,
        ctl[o + 10]!,
        ctl[o + 11]!,
        ctl[o + 12]!,
        scratch,
      );
    } catch {
      Atomics.store(ctl, 4, 1);
    }
    if (Atomics.add(ctl, 2, 1) + 1 === n) Atomics.notify(ctl, 2);
  }
}

// Plain JavaScript, run with `eval: true` so no file path needs resolving (the same under Node, the packaged
// Electron app and the tests).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, scratch } = workerData;
const exp = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = ${JSON.stringify(EXPORTS)}.map((name) => exp[name]);
const ctl = new Int32Array(control);
${work.toString()}
let seen = 0;
for (;;) {
  let spins = 0;
  while (Atomics.load(ctl, ${SEQ}) === seen) {
    if (++spins > ${WORKER_SPIN}) { Atomics.wait(ctl, ${SEQ}, seen); spins = 0; }
  }
  seen = Atomics.load(ctl, ${SEQ});
  if (seen < 0) break;
  work(ctl, seen, fns, scratch);
}
`;

/**
 * `workers` threads besides the caller's. `run(slabs, fns)` publishes the slabs; the calling thread and the workers
 * claim them one at a time until none is left, and `run` returns when all are done. Where a worker is slow to wake
 * or its core is busy, the calling thread simply does more of the slabs: never worse than one thread by much.
 * Which thread computes a slab never changes its numbers.
 */
export class GemmThreads {
  private readonly workers: Worker[] = [];
  private readonly ctl: Int32Array;
  private seq = 0;

  private readonly scratch: number;

  /** scratch[0] is the calling thread's GEMM scratch, scratch[w + 1] worker w's (byte offsets in memory). */
  constructor(module: WasmModule, memory: WasmMemory, scratch: readonly number[]) {
    const workers = scratch.length - 1;
    this.scratch = scratch[0]!;
    const control = new SharedArrayBuffer(4 * (SLABS + MAX_SLABS * SLAB_INTS));
    this.ctl = new Int32Array(control);
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, control, scratch: scratch[i + 1] },
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Run every slab ([export index, ...arguments]); `fns` are the calling thread's instances of EXPORTS. */
  run(slabs: readonly (readonly number[])[], fns: readonly ((...a: number[]) => void)[]): void {
    const ctl = this.ctl;
    const n = slabs.length;
    if (n > MAX_SLABS) throw new Error(`at most ${MAX_SLABS} GEMM slabs`);
    this.seq = (this.seq % 0x3fffffff) + 1;
    const seq = this.seq;
    slabs.forEach((s, i) => ctl.set(s, SLABS + i * SLAB_INTS));
    Atomics.store(ctl, COUNT, n);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, STATUS, 0);
    Atomics.store(ctl, CLAIM, (seq & 0x7fff) << 16);
    Atomics.store(ctl, SEQ, seq);
    Atomics.notify(ctl, SEQ);
    work(ctl, seq, fns, this.scratch);
    let spins = 0;
    const t0 = Date.now();
    for (let d = Atomics.load(ctl, DONE); d < n; d = Atomics.load(ctl, DONE)) {
      if (++spins > 4096) {
        Atomics.wait(ctl, DONE, d, 1);
        if (Date.now() - t0 > HANG_MS) throw new Error('a GEMM worker thread stopped answering');
      }
    }
    if (Atomics.load(ctl, STATUS) !== 0)
      throw new Error('a GEMM slab failed in a worker thread (WebAssembly trap)');
  }

  dispose(): void {
    Atomics.store(this.ctl, SEQ, -1);
    Atomics.notify(this.ctl, SEQ);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
