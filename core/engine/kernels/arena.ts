// Arena: first-fit allocation of Float32Array buffers inside one shared WebAssembly memory (grown on demand).
import type { WasmMemory } from './wasm-api.ts';

/** Every buffer starts on a 64-byte boundary (a cache line; v128 loads need no alignment, but lines do matter). */
const ALIGN = 64;
const PAGE = 65536;

interface Block {
  offset: number;
  bytes: number;
}

/**
 * Buffers handed out by `alloc` are views of the memory's SharedArrayBuffer; a shared memory's buffer is never
 * detached by `grow` (memory.buffer becomes a new, longer SharedArrayBuffer over the same bytes), so earlier
 * views stay valid. Freed blocks are kept in an offset-sorted list and merged with their neighbours; a training
 * step allocates the same sizes every time, so after the first step nothing grows.
 */
export class Arena {
  private readonly memory: WasmMemory;
  /** The SharedArrayBuffers our views were made on (one per size the memory has had). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private readonly live = new Map<number, number>();
  private free_: Block[] = [];
  private top = ALIGN; // offset 0 is never handed out
  /** Bytes above this offset have never been handed out: still zero from memory.grow. */
  private highWater = ALIGN;
  private liveTotal = 0;

  constructor(memory: WasmMemory) {
    this.memory = memory;
  }

  /** A zeroed block of `bytes` (rounded up to 64); returns its byte offset. */
  allocBytes(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let offset = -1;
    for (let i = 0; i < this.free_.length; i++) {
      const b = this.free_[i]!;
      if (b.bytes >= size) {
        offset = b.offset;
        if (b.bytes === size) this.free_.splice(i, 1);
        else {
          b.offset += size;
          b.bytes -= size;
        }
        new Float32Array(this.memory.buffer, offset, size / 4).fill(0);
        break;
      }
    }
    if (offset < 0) {
      offset = this.top;
      const end = offset + size;
      const have = this.memory.buffer.byteLength;
      if (end > have) {
        const pages = Math.ceil((end - have) / PAGE);
        try {
          this.memory.grow(pages);
        } catch {
          throw new RangeError(
            `WebAssembly memory exhausted: ${(end / 2 ** 30).toFixed(2)} GiB needed, ` +
              `at most 4 GiB can be addressed (32-bit WebAssembly)`,
          );
        }
      }
      if (offset < this.highWater)
        new Float32Array(this.memory.buffer, offset, (Math.min(end, this.highWater) - offset) / 4).fill(0);
      this.top = end;
      this.highWater = Math.max(this.highWater, end);
    }
    this.live.set(offset, size);
    this.liveTotal += size;
    return offset;
  }

  /** A zeroed Float32Array of n floats in the memory. */
  alloc(n: number): Float32Array {
    const offset = this.allocBytes(4 * n);
    const buf = this.memory.buffer;
    this.buffers.add(buf);
    return new Float32Array(buf, offset, n);
  }

  /** Whether x is a view of this memory (so the WebAssembly code can read it in place). */
  owns(x: Float32Array): boolean {
    return this.buffers.has(x.buffer);
  }

  /** Return a buffer from `alloc` (or a subarray starting where it starts); unknown buffers are ignored. */
  free(x: Float32Array): void {
    if (!this.owns(x)) return;
    const offset = x.byteOffset;
    const size = this.live.get(offset);
    if (size === undefined) return;
    this.live.delete(offset);
    this.liveTotal -= size;
    this.release(offset, size);
  }

  /** Bytes handed out and not yet freed. */
  liveBytes(): number {
    return this.liveTotal;
  }

  private release(offset: number, bytes: number): void {
    const list = this.free_;
    let i = 0;
    while (i < list.length && list[i]!.offset < offset) i++;
    list.splice(i, 0, { offset, bytes });
    // merge with the next, then the previous block
    const cur = list[i]!;
    const next = list[i + 1];
    if (next && cur.offset + cur.bytes === next.offset) {
      cur.bytes += next.bytes;
      list.splice(i + 1, 1);
    }
    const prev = list[i - 1];
    if (prev && prev.offset + prev.bytes === cur.offset) {
      prev.bytes += cur.bytes;
      list.splice(i, 1);
    }
    // a free block at the top goes back to the bump pointer
    const last = list[list.length - 1];
    if (last && last.offset + last.bytes === this.top) {
      this.top = last.offset;
      list.pop();
    }
  }
}
