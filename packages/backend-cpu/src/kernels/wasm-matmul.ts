import type { StorageHandle, View } from '@kindling/tensor';
import type { WasmKernels } from '../wasm/kernels.js';
import type { MatmulEpilogue } from './matmul.js';
import { dataOf, elementOffsets, wrap } from './storage.js';

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

/**
 * The float32 batched matmul (optionally `+ bias`, then relu) on the
 * WebAssembly kernels: operands are copied into the kernels' memory (the
 * backend's storages are ordinary typed arrays), multiplied batch by batch,
 * and the result copied out into a fresh storage. Callers ensure float32
 * operands with M, N, K and the batch count all non-zero. Returns null when
 * the operands do not fit in the kernels' memory.
 */
export function wasmMatmul(k: WasmKernels, a: View, b: View, epilogue?: MatmulEpilogue): StorageHandle | null {
  const rank = a.shape.length;
  const m = a.shape[rank - 2];
  const kk = a.shape[rank - 1];
  const n = b.shape[rank - 1];
  const sa = stage(a, m, kk);
  const sb = stage(b, kk, n);
  const batches = sa.bases.length;
  const bias = epilogue?.bias ?? null;
  const outElems = batches * m * n;
  const aBytes = padded(sa.elems);
  const bBytes = padded(sb.elems);
  const biasBytes = bias ? padded(n) : 0;
  // Allocating may grow (and so replace) the memory's buffer: take views afterwards.
  const aPtr = scratchBlock(k, aBytes + bBytes + biasBytes + padded(outElems));
  if (aPtr === 0) return null;
  const bPtr = aPtr + aBytes;
  const biasPtr = bPtr + bBytes;
  const outPtr = biasPtr + biasBytes;
  const heap = new Float32Array(k.memory.buffer);
  sa.write(heap, aPtr / 4);
  sb.write(heap, bPtr / 4);
  if (bias) {
    const src = dataOf(bias.handle);
    const stride = bias.strides[0];
    for (let j = 0; j < n; j++) heap[biasPtr / 4 + j] = src[bias.offset + j * stride];
  }
  const options = { bias: bias ? biasPtr : 0, relu: epilogue?.relu ?? false };
  for (let i = 0; i < batches; i++) {
    const ap = aPtr + 4 * sa.bases[i];
    const bp = bPtr + 4 * sb.bases[i];
    k.matmul(ap, sa.rowStride, sa.colStride, bp, sb.rowStride, sb.colStride, outPtr + 4 * i * m * n, m, kk, n, options);
  }
  return wrap(k.f32View(outPtr, outElems).slice());
}
