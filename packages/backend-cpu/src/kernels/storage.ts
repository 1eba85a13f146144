import { type DType, type StorageHandle, type TypedArray, type View, allocArray } from '@kindling/tensor';

/** A CPU storage: one typed array (bool is a Uint8Array of 0/1). */
export interface CpuStorage {
  readonly data: TypedArray;
}

export function dataOf(handle: StorageHandle): TypedArray {
  return (handle as CpuStorage).data;
}

export function wrap(data: TypedArray): CpuStorage {
  return { data };
}

export function allocStorage(dtype: DType, size: number): CpuStorage {
  return { data: allocArray(dtype, size) };
}

/** Whether the view covers `size` consecutive elements starting at its offset. */
export function isDense(view: View): boolean {
  let expected = 1;
  for (let i = view.shape.length - 1; i >= 0; i--) {
    if (view.shape[i] !== 1 && view.strides[i] !== expected) return false;
    expected *= view.shape[i];
  }
  return true;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * The storage offset of every element of `view`, in row-major order. Kernels
 * loop over these instead of recomputing multi-indices per element; dense
 * views skip this (see `isDense`).
 */
export function elementOffsets(view: View): Int32Array {
  const { shape, strides } = view;
  const n = sizeOf(shape);
  const out = new Int32Array(n);
  const rank = shape.length;
  if (n === 0) return out;
  if (rank === 0) {
    out[0] = view.offset;
    return out;
  }
  const last = rank - 1;
  const inner = shape[last];
  const innerStride = strides[last];
  const counter = new Int32Array(rank);
  let base = view.offset;
  for (let i = 0; i < n; i += inner) {
    for (let j = 0; j < inner; j++) out[i + j] = base + j * innerStride;
    // Odometer over the outer dims.
    for (let d = last - 1; d >= 0; d--) {
      counter[d]++;
      base += strides[d];
      if (counter[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      counter[d] = 0;
    }
  }
  return out;
}

/** Reads the view's elements into a new dense array of its dtype. */
export function gatherDense(view: View): TypedArray {
  const src = dataOf(view.handle);
  const n = sizeOf(view.shape);
  if (isDense(view)) return src.slice(view.offset, view.offset + n) as TypedArray;
  const out = allocArray(view.dtype, n);
  const offsets = elementOffsets(view);
  for (let i = 0; i < n; i++) out[i] = src[offsets[i]];
  return out;
}

/** A function that turns a number into what a `dtype` array should store (bool → 0/1). */
export function storeConverter(dtype: DType): ((x: number) => number) | null {
  return dtype === 'bool' ? (x) => (x !== 0 ? 1 : 0) : null;
}
