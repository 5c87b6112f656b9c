// Memory budgets: how many bytes a training run may plan for, per engine, before it starts (the memory guard).
import os from 'node:os';
import { MAX_WASM_MEMORY_BYTES } from './kernels/wasm-gemm.ts';

/** Share of the machine's (or the cgroup's) memory a run may plan for: the OS, Node and the app need the rest. */
const RAM_SHARE = 0.75;
/** tfjs-backend-wasm's heap is one 32-bit WebAssembly memory: at most 4 GiB − 64 KiB (its getHeapMax()). */
const TFJS_WASM_HEAP_BYTES = 4294901760;

export interface MemoryBudget {
  bytes: number;
  /** What limits it, for messages (e.g. '75% of 23.5 GiB RAM', 'the 4 GiB of 32-bit WebAssembly'). */
  why: string;
}

export function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 2 : 1)} GiB`;
}

/** The RAM a run may plan for: RAM_SHARE of the machine's memory, or of the container's limit where one is set. */
export function ramBudget(): MemoryBudget {
  const total = os.totalmem();
  const constrained = process.constrainedMemory();
  const limit = constrained > 0 && constrained < total ? constrained : total;
  const where = limit === total ? 'RAM' : 'memory limit of this process';
  return {
    bytes: Math.floor(limit * RAM_SHARE),
    why: `${Math.round(RAM_SHARE * 100)}% of ${gib(limit)} ${where}`,
  };
}

function smaller(a: MemoryBudget, b: MemoryBudget): MemoryBudget {
  return a.bytes <= b.bytes ? a : b;
}

/** Budget of TF.js tensors on a backend: its heap limit (wasm: 4 GiB) and the RAM budget, whichever is less. */
export function tfjsBudget(backend: string): MemoryBudget {
  const ram = ramBudget();
  if (backend === 'wasm')
    return smaller(ram, { bytes: TFJS_WASM_HEAP_BYTES, why: 'the 4 GiB heap of the TF.js wasm backend' });
  return ram;
}

/** Budget of the fused engine's WebAssembly memory (tape and workspace): 4 GiB (32-bit) and the RAM budget. */
export function fusedBudget(): MemoryBudget {
  return smaller(ramBudget(), {
    bytes: MAX_WASM_MEMORY_BYTES,
    why: 'the 4 GiB a 32-bit WebAssembly memory can address',
  });
}
