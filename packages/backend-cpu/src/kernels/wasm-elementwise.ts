import type { DType } from '@kindling/tensor';
import { type BinaryOp, type ReduceOp, type StorageHandle, type UnaryOp, type View, coalesceDims } from '@kindling/tensor/backend';
import {
  COMPARE_CODES,
  type KernelBinaryOp,
  type KernelCompareOp,
  type KernelReduceOp,
  type KernelUnaryOp,
  type WasmKernels,
} from '../wasm/kernels.js';
import { BINARY_CODES, REDUCE_CODES, UNARY_CODES } from '../wasm/ops.generated.js';
import { freeStorage, isDense, newStorage, ptrIn, ptrOf, sizeOf } from './storage.js';
import { heldBlock } from './window-desc.js';

/**
 * The float32 elementwise ops, reductions and softmax on the WebAssembly SIMD
 * kernels, for the layouts those kernels take: contiguous operands, and for
 * binary ops any operand that is a full matrix, a row vector, a column vector
 * or a scalar once dims are merged (the broadcasts of bias adds and scalings).
 * Each function returns null when the case is not one of those (another dtype,
 * a sparse view, an operand outside the kernels' memory), and the caller runs
 * the TypeScript kernel instead.
 */

// Whether an op has a kernel: the generated code maps list exactly those.
const isUnary = (op: UnaryOp): op is KernelUnaryOp => Object.hasOwn(UNARY_CODES, op);
const isBinary = (op: BinaryOp): op is KernelBinaryOp => Object.hasOwn(BINARY_CODES, op);
const isReduce = (op: ReduceOp): op is KernelReduceOp => Object.hasOwn(REDUCE_CODES, op);

/** Byte address of a dense float32 view's first element in `k`'s memory, or 0. */
function densePtr(v: View, k: WasmKernels): number {
  const ptr = ptrIn(v.handle, k);
  return ptr !== 0 && v.dtype === 'float32' && isDense(v) ? ptr + 4 * v.offset : 0;
}

/** A fresh float32 result in `k`'s memory, or null when it does not fit there. */
function output(k: WasmKernels, size: number): StorageHandle | null {
  const out = newStorage('float32', size, false, k);
  return out.ptr !== 0 ? out : null;
}

export function wasmUnary(k: WasmKernels, op: UnaryOp, x: View, outDtype: DType): StorageHandle | null {
  const n = sizeOf(x.shape);
  const src = densePtr(x, k);
  if (outDtype !== 'float32' || !isUnary(op) || src === 0 || n === 0) return null;
  const out = output(k, n);
  if (out) k.unary(op, src, ptrOf(out), n);
  return out;
}

/**
 * An operand's row stride and column step in the kernel's `rows × cols` walk
 * (`strides` are its merged strides, at most two), or null when its columns
 * are neither contiguous nor broadcast.
 */
function rowWalk(strides: readonly number[]): { rowStride: number; colStep: 0 | 1 } | null {
  const colStep = strides.length >= 1 ? strides[strides.length - 1] : 0;
  if (colStep !== 0 && colStep !== 1) return null;
  return { rowStride: strides.length === 2 ? strides[0] : 0, colStep };
}

/** How a binary kernel walks its two operands: addresses, row strides and column steps, and the rows×cols grid. */
interface RowWalks {
  a: number;
  aRow: number;
  aStep: 0 | 1;
  b: number;
  bRow: number;
  bStep: 0 | 1;
  rows: number;
  cols: number;
}

/**
 * `a` and `b` (one shape, float32, in the wasm heap) as row walks over at
 * most two coalesced dims; null when the layout needs the generic path.
 */
function rowWalks(k: WasmKernels, a: View, b: View): RowWalks | null {
  const pa = ptrIn(a.handle, k);
  const pb = ptrIn(b.handle, k);
  if (pa === 0 || pb === 0) return null;
  const walk = coalesceDims(a.shape, [a.strides, b.strides]);
  if (walk.shape.length > 2) return null;
  const wa = rowWalk(walk.strides[0]);
  const wb = rowWalk(walk.strides[1]);
  if (!wa || !wb) return null;
  const rows = walk.shape.length === 2 ? walk.shape[0] : 1;
  const cols = walk.shape.length >= 1 ? walk.shape[walk.shape.length - 1] : 1;
  return {
    a: pa + 4 * a.offset,
    aRow: wa.rowStride,
    aStep: wa.colStep,
    b: pb + 4 * b.offset,
    bRow: wb.rowStride,
    bStep: wb.colStep,
    rows,
    cols,
  };
}

export function wasmBinary(k: WasmKernels, op: BinaryOp, a: View, b: View, outDtype: DType): StorageHandle | null {
  const n = sizeOf(a.shape);
  if (outDtype !== 'float32' || a.dtype !== 'float32' || !isBinary(op) || n === 0) return null;
  const w = rowWalks(k, a, b);
  if (!w) return null;
  const out = output(k, n);
  if (!out) return null;
  k.binary(op, w.a, w.aRow, w.aStep, w.b, w.bRow, w.bStep, ptrOf(out), w.rows, w.cols);
  return out;
}

/** Comparisons of float32 operands into bools, walked like {@link wasmBinary}'s operands. */
export function wasmCompare(k: WasmKernels, op: BinaryOp, a: View, b: View, outDtype: DType): StorageHandle | null {
  const n = sizeOf(a.shape);
  if (outDtype !== 'bool' || a.dtype !== 'float32' || b.dtype !== 'float32' || !Object.hasOwn(COMPARE_CODES, op) || n === 0) return null;
  const w = rowWalks(k, a, b);
  if (!w) return null;
  const out = newStorage('bool', n, false, k);
  if (out.ptr === 0) return null;
  k.compare(op as KernelCompareOp, w.a, w.aRow, w.aStep, w.b, w.bRow, w.bStep, out.ptr, w.rows, w.cols);
  return out;
}

/**
 * `scatterAdd` along the last dim of a dense float32 `dst` with a dense int32
 * `index` and a dense float32 `src` of the index's shape (max pooling's
 * backward); false (nothing written) for anything else or an index out of
 * bounds, which the TypeScript kernel then handles (and reports).
 */
export function wasmScatterAdd(k: WasmKernels, dst: View, dim: number, index: View, src: View): boolean {
  const rank = dst.shape.length;
  if (dst.dtype !== 'float32' || src.dtype !== 'float32' || index.dtype !== 'int32' || dim !== rank - 1 || rank === 0) return false;
  if (index.shape.length !== rank || src.shape.length !== rank) return false;
  if (index.shape.some((d, i) => d !== src.shape[i] || (i < rank - 1 && d !== dst.shape[i]))) return false;
  const pd = densePtr(dst, k);
  const ps = densePtr(src, k);
  const pi = ptrIn(index.handle, k);
  if (pd === 0 || ps === 0 || pi === 0 || !isDense(index)) return false;
  const cols = index.shape[rank - 1];
  const rows = sizeOf(index.shape) / Math.max(1, cols);
  if (cols === 0 || rows === 0) return true;
  return k.scatterAddRows(pd, dst.shape[rank - 1], pi + 4 * index.offset, ps, rows, cols);
}

/**
 * Sums, maxima and minima of a contiguous float32 tensor over its leading or
 * trailing dims (all of them included), as the kernels' column and row
 * reductions, or over both at once (a per-channel sum of `[N, C, H, W]` over
 * N, H and W, a convolution's bias gradient): rows first, then columns,
 * through a scratch block.
 */
export function wasmReduce(k: WasmKernels, op: ReduceOp, x: View, axes: readonly number[], outDtype: DType): StorageHandle | null {
  const src = densePtr(x, k);
  const n = sizeOf(x.shape);
  if (outDtype !== 'float32' || !isReduce(op) || src === 0 || n === 0 || axes.length === 0) return null;
  const rank = x.shape.length;
  // Trailing axes (a full reduction among them) go through the row kernel, which sums in double precision.
  const allTrailing = axes.every((a, i) => a === rank - axes.length + i);
  let lead = 0;
  while (!allTrailing && lead < axes.length && axes[lead] === lead) lead++;
  const trailing = axes.slice(lead);
  if (!trailing.every((a, i) => a === rank - trailing.length + i)) return null;
  // x as [outer, kept, inner]: the leading reduced dims, the kept ones, the trailing reduced ones.
  const outer = sizeOf(x.shape.slice(0, lead));
  const inner = sizeOf(x.shape.slice(rank - trailing.length));
  const kept = n / (outer * inner);
  const out = output(k, kept);
  if (!out) return null;
  if (outer === 1) k.reduceRows(op, src, kept, inner, ptrOf(out));
  else if (inner === 1) k.reduceCols(op, src, outer, kept, ptrOf(out));
  else {
    const partial = heldBlock(k, 'reduce-partial', outer * kept * 4);
    if (partial === 0) {
      freeStorage(out);
      return null;
    }
    k.reduceRows(op, src, outer * kept, inner, partial);
    k.reduceCols(op, partial, outer, kept, ptrOf(out));
  }
  return out;
}

/** Softmax (or log-softmax) over the last axis of a contiguous float32 tensor. */
export function wasmSoftmax(k: WasmKernels, x: View, axis: number, log: boolean): StorageHandle | null {
  const src = densePtr(x, k);
  const n = sizeOf(x.shape);
  if (src === 0 || n === 0 || axis !== x.shape.length - 1) return null;
  const cols = x.shape[axis];
  const out = output(k, n);
  if (out) k.softmax(src, ptrOf(out), n / cols, cols, log);
  return out;
}

/**
 * `y += alpha * x` in place for dense float32 `y` and `x` of one shape (x may
 * be y itself, but no other view of y's storage: the kernel reads as it writes).
 */
export function wasmAxpy(k: WasmKernels, y: View, x: View, alpha: number): boolean {
  const py = densePtr(y, k);
  const px = densePtr(x, k);
  const n = sizeOf(y.shape);
  if (py === 0 || px === 0 || n === 0) return false;
  if (x.handle === y.handle && px !== py) return false;
  k.axpy(alpha, px, py, n);
  return true;
}

/** Relu's gradient from its output for dense float32 operands (the rule is in `relu-backward.ts`). */
export function wasmReluBackward(k: WasmKernels, grad: View, y: View): StorageHandle | null {
  const pg = densePtr(grad, k);
  const py = densePtr(y, k);
  const n = sizeOf(grad.shape);
  if (pg === 0 || py === 0 || n === 0) return null;
  const out = output(k, n);
  if (out) k.reluBackward(pg, py, ptrOf(out), n);
  return out;
}

/**
 * `float32(x) * scale + shift` of a dense uint8 tensor (ToTensor + Normalize
 * of image bytes) in one pass; other dtypes and layouts lower to cast, mul, add.
 */
export function wasmAffine(k: WasmKernels, x: View, scale: number, shift: number, dtype: DType): StorageHandle | null {
  const n = sizeOf(x.shape);
  if (x.dtype !== 'uint8' || dtype !== 'float32' || n === 0 || !isDense(x)) return null;
  const src = ptrIn(x.handle, k);
  const out = src === 0 ? null : output(k, n);
  if (out) k.affineBytes(src + x.offset, ptrOf(out), n, scale, shift);
  return out;
}
