import { describe, expect, it } from 'vitest';
import { WasmHeap } from '../src/wasm/index.js';

function makeHeap(): WasmHeap {
  return new WasmHeap(new WebAssembly.Memory({ initial: 1, maximum: 1024 }), 64);
}

describe('WasmHeap', () => {
  it('hands out 64-byte-aligned, non-overlapping blocks', () => {
    const heap = makeHeap();
    const blocks = [1, 3, 64, 65, 1000, 0].map((n) => [heap.alloc(n), n] as const);
    for (const [ptr] of blocks) expect(ptr % 64).toBe(0);
    const sorted = [...blocks].sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i][0]).toBeGreaterThanOrEqual(sorted[i - 1][0] + Math.max(64, sorted[i - 1][1]));
  });

  it('reuses freed blocks and coalesces neighbours', () => {
    const heap = makeHeap();
    const a = heap.alloc(256);
    const b = heap.alloc(256);
    const c = heap.alloc(256);
    heap.alloc(64); // keeps a..c away from the top
    heap.free(a);
    heap.free(b);
    expect(heap.stats().freeBlocks).toBe(1);
    expect(heap.alloc(512)).toBe(a);
    heap.free(c);
    expect(heap.alloc(128)).toBe(c);
  });

  it('hands a freed block to the next request of its size, most recently freed first', () => {
    const heap = makeHeap();
    const a = heap.alloc(256);
    const b = heap.alloc(256);
    heap.alloc(64);
    heap.free(a);
    heap.free(b);
    // Coalesced, a and b would be one block and a best fit would start at a.
    expect(heap.alloc(256)).toBe(b);
    expect(heap.alloc(256)).toBe(a);
  });

  it('pools at most its byte budget; blocks beyond it go straight to the free list', () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1, maximum: 16 }), 64, 512);
    const [a, b, c] = [heap.alloc(256), heap.alloc(256), heap.alloc(256)];
    heap.alloc(64);
    heap.free(a);
    heap.free(b);
    heap.free(c); // past the 512-byte budget
    expect([heap.alloc(256), heap.alloc(256), heap.alloc(256)]).toEqual([b, a, c]);
  });

  it('returns a freed top block to the bump region', () => {
    const heap = makeHeap();
    const a = heap.alloc(100);
    const b = heap.alloc(100);
    heap.free(b);
    heap.free(a);
    expect(heap.stats()).toMatchObject({ bytesInUse: 0, heapBytes: 0, freeBlocks: 0 });
  });

  it('grows the memory when it runs out, keeping contents', () => {
    const heap = makeHeap();
    const a = heap.alloc(40_000);
    new Float32Array(heap.memory.buffer, a, 4).set([1, 2, 3, 4]);
    const big = heap.allocZeroed(1_000_000);
    expect(heap.memory.buffer.byteLength).toBeGreaterThanOrEqual(big + 1_000_000);
    expect(Array.from(new Float32Array(heap.memory.buffer, a, 4))).toEqual([1, 2, 3, 4]);
    expect(new Uint8Array(heap.memory.buffer, big, 1_000_000).every((v) => v === 0)).toBe(true);
  });

  it('zero-fills reused blocks with allocZeroed', () => {
    const heap = makeHeap();
    const a = heap.alloc(128);
    new Uint8Array(heap.memory.buffer, a, 128).fill(7);
    heap.alloc(64);
    heap.free(a);
    const b = heap.allocZeroed(128);
    expect(b).toBe(a);
    expect(new Uint8Array(heap.memory.buffer, b, 128).every((v) => v === 0)).toBe(true);
  });

  it('rejects double frees, foreign pointers and bad sizes by name', () => {
    const heap = makeHeap();
    const a = heap.alloc(8);
    heap.free(a);
    expect(() => heap.free(a)).toThrow(/free: .* not a live allocation/);
    expect(() => heap.free(12345)).toThrow(/free:/);
    expect(() => heap.alloc(-1)).toThrow(/alloc: expected a non-negative integer byte count, got -1/);
  });

  it('reports running out of memory clearly', () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1, maximum: 2 }), 64);
    expect(() => heap.alloc(200_000)).toThrow(/alloc: out of WebAssembly memory/);
  });
});
