import type { StorageHandle, View } from '@kindling/tensor/backend';
import type { WasmKernels } from '../wasm/kernels.js';
import { dataOf, elementOffsets, freeStorage, newStorage, ptrIn } from './storage.js';

/** Blocks inside the scratch area start on cache lines, like the heap's own blocks. */
const ALIGN = 64;
/**
 * A view whose storage span is at most this many times its element count is
 * copied as one span (a memcpy) and read through its own strides; sparser or
 * negatively strided views are gathered densely element by element instead.
 */
const MAX_SPAN_RATIO = 2;

/** How one operand is laid out in the scratch area. */
interface Staged {
  /** Floats the operand occupies in the scratch area. */
  readonly elems: number;
  /** Element offset of each batch matrix inside the staged block. */
  readonly bases: Int32Array;
  readonly rowStride: number;
  readonly colStride: number;
  /** Writes the operand at float index `at` of `heap`. */
  write(heap: Float32Array, at: number): void;
}

/** Storage offsets of each matrix of a `[...batch, R, C]` view. */
function batchOffsets(v: View): Int32Array {
  const rank = v.shape.length;
  // One matrix (a Linear layer's products): its offset, without building a rank-0 view.
  if (rank === 2) return Int32Array.of(v.offset);
  return elementOffsets({ ...v, shape: v.shape.slice(0, rank - 2), strides: v.strides.slice(0, rank - 2) });
}

function stage(v: View, rows: number, cols: number): Staged {
  const src = dataOf(v.handle) as Float32Array;
  const offsets = batchOffsets(v);
  const rank = v.shape.length;
  const rowStride = v.strides[rank - 2];
  const colStride = v.strides[rank - 1];
  let lo = v.offset;
  let hi = v.offset;
  let elems = 1;
  for (let d = 0; d < rank; d++) {
    const reach = v.strides[d] * (v.shape[d] - 1);
    if (reach < 0) lo += reach;
    else hi += reach;
    elems *= v.shape[d];
  }
  const span = hi - lo + 1;
  if (lo === v.offset && span <= MAX_SPAN_RATIO * elems) {
    // Copy the covered span once; the kernel reads it through the view's own strides (0 broadcasts).
    const bases = offsets.map((o) => o - lo);
    return { elems: span, bases, rowStride, colStride, write: (heap, at) => heap.set(src.subarray(lo, hi + 1), at) };
  }
  const size = rows * cols;
  const bases = offsets.map((_, i) => i * size);
  const write = (heap: Float32Array, at: number) => {
    for (let i = 0; i < offsets.length; i++) {
      let dst = at + i * size;
      for (let r = 0; r < rows; r++) {
        const row = offsets[i] + r * rowStride;
        for (let c = 0; c < cols; c++) heap[dst++] = src[row + c * colStride];
      }
    }
  };
  return { elems: offsets.length * size, bases, rowStride: cols, colStride: 1, write };
}

/** One grow-only scratch block per kernels instance: training reuses the same sizes every step. */
const scratch = new WeakMap<WasmKernels, { ptr: number; bytes: number }>();

/** A scratch block of at least `bytes` bytes, or 0 when the kernels' memory cannot hold it. */
function scratchBlock(k: WasmKernels, bytes: number): number {
  const held = scratch.get(k);
  if (held && held.bytes >= bytes) return held.ptr;
  if (held) k.free(held.ptr);
  scratch.delete(k);
  let ptr: number;
  try {
    ptr = k.alloc(bytes);
  } catch {
    return 0; // past the memory's maximum (2 GiB): the caller falls back to the TypeScript kernel
  }
  scratch.set(k, { ptr, bytes });
  return ptr;
}

function padded(floats: number): number {
  return Math.ceil((floats * 4) / ALIGN) * ALIGN;
}

/** Where a matmul operand is for the kernel: element offsets of each batch matrix from `ptr`, and its strides. */
interface Placed {
  readonly ptr: number;
  readonly bases: Int32Array;
  readonly rowStride: number;
  readonly colStride: number;
}

/** An operand already in the kernels' memory, read in place through its own strides (null: it must be staged). */
function inPlace(v: View, k: WasmKernels): Placed | null {
  const ptr = ptrIn(v.handle, k);
  if (ptr === 0 || v.strides.some((s) => s < 0)) return null;
  const rank = v.shape.length;
  return { ptr, bases: batchOffsets(v), rowStride: v.strides[rank - 2], colStride: v.strides[rank - 1] };
}

/**
 * The float32 batched matmul (optionally `+ bias`) on the
 * WebAssembly kernels. Operands that live in the kernels' memory are read in
 * place and the result is written into a fresh storage there; operands in
 * ordinary arrays (made before the kernels loaded) are copied into a scratch
 * block first. Callers ensure float32 operands with M, N, K and the batch
 * count all non-zero. Returns null when the kernels' memory cannot hold the
 * result (the caller then uses the TypeScript kernel).
 */
export function wasmMatmul(k: WasmKernels, a: View, b: View, bias: View | null = null): StorageHandle | null {
  const rank = a.shape.length;
  const m = a.shape[rank - 2];
  const kk = a.shape[rank - 1];
  const n = b.shape[rank - 1];
  let batches = 1;
  for (let d = 0; d < rank - 2; d++) batches *= a.shape[d];
  const result = newStorage('float32', batches * m * n, false, k);
  if (result.ptr === 0) return null;
  const directA = inPlace(a, k);
  const directB = inPlace(b, k);
  const biasPtr0 = bias ? ptrIn(bias.handle, k) : 0;
  const directBias = bias && biasPtr0 !== 0 && bias.strides[0] === 1 ? biasPtr0 + 4 * bias.offset : 0;
  // Operands in ordinary arrays go through one scratch block (allocated before any view is taken).
  const sa = directA ? null : stage(a, m, kk);
  const sb = directB ? null : stage(b, kk, n);
  const aBytes = sa ? padded(sa.elems) : 0;
  const bBytes = sb ? padded(sb.elems) : 0;
  const biasBytes = bias && !directBias ? padded(n) : 0;
  let scratchPtr = 0;
  if (aBytes + bBytes + biasBytes > 0) {
    scratchPtr = scratchBlock(k, aBytes + bBytes + biasBytes);
    if (scratchPtr === 0) {
      freeStorage(result);
      return null;
    }
  }
  const heap = new Float32Array(k.memory.buffer);
  const placeA: Placed = directA ?? {
    ptr: scratchPtr,
    bases: (sa as Staged).bases,
    rowStride: (sa as Staged).rowStride,
    colStride: (sa as Staged).colStride,
  };
  const placeB: Placed = directB ?? {
    ptr: scratchPtr + aBytes,
    bases: (sb as Staged).bases,
    rowStride: (sb as Staged).rowStride,
    colStride: (sb as Staged).colStride,
  };
  sa?.write(heap, scratchPtr / 4);
  sb?.write(heap, (scratchPtr + aBytes) / 4);
  let biasPtr = directBias;
  if (bias && !directBias) {
    biasPtr = scratchPtr + aBytes + bBytes;
    const src = dataOf(bias.handle);
    const stride = bias.strides[0];
    for (let j = 0; j < n; j++) heap[biasPtr / 4 + j] = src[bias.offset + j * stride];
  }
  const options = { bias: biasPtr };
  for (let i = 0; i < batches; i++) {
    const ap = placeA.ptr + 4 * placeA.bases[i];
    const bp = placeB.ptr + 4 * placeB.bases[i];
    k.matmul(ap, placeA.rowStride, placeA.colStride, bp, placeB.rowStride, placeB.colStride, result.ptr + 4 * i * m * n, m, kk, n, options);
  }
  return result;
}
