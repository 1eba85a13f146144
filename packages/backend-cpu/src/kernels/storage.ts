import {
  type DType,
  type StorageHandle,
  type TypedArray,
  type TypedArrayConstructor,
  type View,
  allocArray,
  arrayTypeOf,
} from '@kindling/tensor';
import type { WasmKernels } from '../wasm/kernels.js';

/**
 * A CPU storage: one typed array (bool is a Uint8Array of 0/1). Normally the
 * array is a window onto the WebAssembly kernels' memory (`ptr` is its byte
 * address there), so the kernels run on tensors in place; before the kernels
 * load, without WebAssembly SIMD, or when that memory is full, it is an
 * ordinary array (`ptr` 0), and the TypeScript kernels serve it.
 */
export interface CpuStorage {
  readonly data: TypedArray;
  /** Byte address in the kernels' memory, or 0 for an ordinary array. */
  readonly ptr: number;
}

class HostStorage implements CpuStorage {
  readonly ptr = 0;
  constructor(readonly data: TypedArray) {}
}

class HeapStorage implements CpuStorage {
  private view: TypedArray;
  constructor(
    readonly kernels: WasmKernels,
    readonly ptr: number,
    private readonly type: TypedArrayConstructor,
    private readonly length: number,
  ) {
    this.view = new type(kernels.memory.buffer, ptr, length);
  }

  /** The elements; a fresh window after the memory grew (growth detaches unshared views). */
  get data(): TypedArray {
    if (this.view.length !== this.length) this.view = new this.type(this.kernels.memory.buffer, this.ptr, this.length);
    return this.view;
  }

  free(): void {
    this.kernels.free(this.ptr);
  }
}

let heap: WasmKernels | null = null;

/** @internal Puts new storages in `kernels`' memory (null: ordinary arrays). Called when the kernels load. */
export function useKernelMemory(kernels: WasmKernels | null): void {
  heap = kernels;
}

export function dataOf(handle: StorageHandle): TypedArray {
  return (handle as CpuStorage).data;
}

/** The byte address of the storage in the kernels' memory, or 0 when it is an ordinary array. */
export function ptrOf(handle: StorageHandle): number {
  return (handle as CpuStorage).ptr;
}

/** The storage's byte address in `kernels`' memory, or 0 when it lives elsewhere. */
export function ptrIn(handle: StorageHandle, kernels: WasmKernels): number {
  return handle instanceof HeapStorage && handle.kernels === kernels ? handle.ptr : 0;
}

export function wrap(data: TypedArray): CpuStorage {
  return new HostStorage(data);
}

/**
 * A storage for `size` elements of `dtype`, in the kernels' memory when they
 * have loaded (or in `k`'s, when given). Contents are unspecified unless `zeroed`. Take `data` after
 * every allocation a kernel makes: growing the memory moves unshared windows.
 */
export function newStorage(dtype: DType, size: number, zeroed = false, k: WasmKernels | null = heap): CpuStorage {
  if (k !== null && size > 0) {
    const type = arrayTypeOf(dtype);
    const bytes = size * type.BYTES_PER_ELEMENT;
    let ptr = 0;
    try {
      ptr = zeroed ? k.allocZeroed(bytes) : k.alloc(bytes);
    } catch {
      // The memory is at its maximum (2 GiB): this storage lives in an ordinary array instead.
    }
    if (ptr !== 0) return new HeapStorage(k, ptr, type, size);
  }
  return new HostStorage(allocArray(dtype, size));
}

export function allocStorage(dtype: DType, size: number): CpuStorage {
  return newStorage(dtype, size, true);
}

/** Gives a storage's memory back (ordinary arrays are left to the garbage collector). */
export function freeStorage(handle: StorageHandle): void {
  if (handle instanceof HeapStorage) handle.free();
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
