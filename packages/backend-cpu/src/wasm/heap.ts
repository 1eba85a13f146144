import { KindlingError } from '@kindling/tensor';
import type { WasmMemory } from './kernels.js';

/** Every block starts on a cache line, so SIMD loads never split lines at block starts. */
export const ALIGN = 64;
const PAGE = 65536;
/**
 * Freed blocks up to this many bytes in all wait in per-size pools for the next
 * request of their size, uncoalesced: a training step frees and re-requests the
 * same few sizes every step, and a pooled block is one Map lookup away.
 */
const POOL_BYTES = 64 * 1024 * 1024;

interface FreeBlock {
  ptr: number;
  size: number;
}

/**
 * An allocator over one `WebAssembly.Memory`, run on the JS side:
 * blocks are 64-byte aligned; a freed block first waits in a pool of its size
 * (up to `poolBytes` in all) for the next request of that size, since tensor
 * workloads reuse the same few sizes every step; past the pools' budget, and
 * whenever a request finds no pooled or free block, blocks go to an
 * address-ordered free list, are coalesced with their neighbours and reused
 * best-fit. The top of the heap is a bump pointer and the memory grows (never
 * shrinks) when it runs out.
 */
export class WasmHeap {
  /** The memory all kernels address. Its `buffer` changes identity when it grows. */
  readonly memory: WasmMemory;
  private top: number;
  private readonly base: number;
  private readonly freeList: FreeBlock[] = [];
  private readonly live = new Map<number, number>();
  private inUse = 0;
  /** Freed blocks by size, not yet returned to the free list. */
  private readonly pools = new Map<number, number[]>();
  private pooledBytes = 0;

  /**
   * Manages `memory` from byte `base` (the end of the module's static data)
   * upward, pooling up to `poolBytes` of freed blocks by size.
   */
  constructor(
    memory: WasmMemory,
    base: number,
    private readonly poolBytes = POOL_BYTES,
  ) {
    this.memory = memory;
    this.base = roundUp(base, ALIGN);
    this.top = this.base;
  }

  /** A block of at least `bytes` bytes (contents unspecified); returns its byte address. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new KindlingError(`alloc: expected a non-negative integer byte count, got ${bytes}`);
    const size = Math.max(ALIGN, roundUp(bytes, ALIGN));
    const ptr = this.takePooled(size) ?? this.takeFree(size) ?? (this.flushPools() ? this.takeFree(size) : undefined) ?? this.bump(size);
    this.live.set(ptr, size);
    this.inUse += size;
    return ptr;
  }

  /** A zero-filled block of at least `bytes` bytes. */
  allocZeroed(bytes: number): number {
    const ptr = this.alloc(bytes);
    // Blocks are 64-byte aligned and sized, so 8-byte stores cover them. On shared memory V8 fills a
    // Uint8Array one byte at a time: 9 MiB took 2.7 ms, against 0.33 ms as a BigInt64Array.
    new BigInt64Array(this.memory.buffer, ptr, (this.live.get(ptr) as number) / 8).fill(0n);
    return ptr;
  }

  /** Returns a block from `alloc` to the heap. Freeing twice or a foreign pointer throws. */
  free(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new KindlingError(`free: ${ptr} is not a live allocation (double free or foreign pointer)`);
    this.live.delete(ptr);
    this.inUse -= size;
    if (this.pooledBytes + size > this.poolBytes) {
      this.release(ptr, size);
      return;
    }
    const pool = this.pools.get(size);
    if (pool) pool.push(ptr);
    else this.pools.set(size, [ptr]);
    this.pooledBytes += size;
  }

  /** Size in bytes of the live block at `ptr` (rounded up to the alignment). */
  sizeOf(ptr: number): number {
    const size = this.live.get(ptr);
    if (size === undefined) throw new KindlingError(`sizeOf: ${ptr} is not a live allocation`);
    return size;
  }

  /** Bytes in live blocks, bytes the heap spans, and the number of free fragments. */
  stats(): { bytesInUse: number; heapBytes: number; memoryBytes: number; freeBlocks: number } {
    // Reported as the coalesced free list they stand for.
    this.flushPools();
    return {
      bytesInUse: this.inUse,
      heapBytes: this.top - this.base,
      memoryBytes: this.memory.buffer.byteLength,
      freeBlocks: this.freeList.length,
    };
  }

  private takePooled(size: number): number | undefined {
    const ptr = this.pools.get(size)?.pop();
    if (ptr !== undefined) this.pooledBytes -= size;
    return ptr;
  }

  /** Returns every pooled block to the free list (coalescing it); whether there were any. */
  private flushPools(): boolean {
    if (this.pooledBytes === 0) return false;
    for (const [size, ptrs] of this.pools) for (const ptr of ptrs) this.release(ptr, size);
    this.pools.clear();
    this.pooledBytes = 0;
    return true;
  }

  private takeFree(size: number): number | undefined {
    let best = -1;
    for (let i = 0; i < this.freeList.length; i++) {
      const block = this.freeList[i];
      if (block.size >= size && (best < 0 || block.size < this.freeList[best].size)) {
        best = i;
        if (block.size === size) break;
      }
    }
    if (best < 0) return undefined;
    const block = this.freeList[best];
    if (block.size === size) this.freeList.splice(best, 1);
    else {
      block.ptr += size;
      block.size -= size;
      return block.ptr - size;
    }
    return block.ptr;
  }

  private bump(size: number): number {
    const ptr = this.top;
    const end = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      // Grow by at least half the current size so repeated growth stays amortised O(1).
      const pages = Math.max(Math.ceil((end - have) / PAGE), Math.ceil(have / PAGE / 2));
      try {
        this.memory.grow(pages);
      } catch {
        try {
          this.memory.grow(Math.ceil((end - have) / PAGE));
        } catch {
          throw new KindlingError(`alloc: out of WebAssembly memory allocating ${size} bytes (heap holds ${have} bytes)`);
        }
      }
    }
    this.top = end;
    return ptr;
  }

  private release(ptr: number, size: number): void {
    const list = this.freeList;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].ptr < ptr) lo = mid + 1;
      else hi = mid;
    }
    let block: FreeBlock = { ptr, size };
    const prev = list[lo - 1];
    if (prev && prev.ptr + prev.size === ptr) {
      prev.size += size;
      block = prev;
      lo -= 1;
    } else list.splice(lo, 0, block);
    const next = list[lo + 1];
    if (next && block.ptr + block.size === next.ptr) {
      block.size += next.size;
      list.splice(lo + 1, 1);
    }
    // A free block at the top goes back to the bump region.
    if (block.ptr + block.size === this.top) {
      this.top = block.ptr;
      list.splice(lo, 1);
    }
  }
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
