import type { DType, TypedArray } from '@kindling/tensor';
import {
  type AllocationLimits,
  type StorageHandle,
  type TypedArrayConstructor,
  type View,
  allocArray,
  arrayTypeOf,
  checkAllocation,
  storageTooLarge,
} from '@kindling/tensor/backend';
import type { WasmKernels } from '../wasm/kernels.js';

/**
 * A CPU storage: one typed array (bool is a Uint8Array of 0/1). Normally the
 * array is a window onto the WebAssembly kernels' memory (`ptr` is its byte
 * address there), so the kernels run on tensors in place. A storage made
 * before the kernels loaded, without WebAssembly SIMD, or when that memory was
 * full is an ordinary array (`ptr` 0), which the TypeScript kernels serve; the
 * first time a WebAssembly kernel needs it, it moves into the kernels' memory
 * (one copy), so tensors made early (model weights, say) run in place too.
 */
/** One empty array per element type: the placeholder window of a storage whose window is not made yet. */
const empties = new Map<TypedArrayConstructor, TypedArray>();

function emptyOf(type: TypedArrayConstructor): TypedArray {
  let empty = empties.get(type);
  if (!empty) {
    empty = new type(0);
    empties.set(type, empty);
  }
  return empty;
}

export class CpuStorage {
  private view: TypedArray;
  private readonly length: number;
  private kernels: WasmKernels | null = null;
  private address = 0;

  constructor(data: TypedArray, length = data.length) {
    this.view = data;
    this.length = length;
  }

  /**
   * A storage over `length` elements at `ptr` in `kernels`' memory. Its window
   * is made on the first `data` read: most results only ever meet WebAssembly
   * kernels, which take the address, and a typed array per op result is garbage.
   */
  static inKernelMemory(kernels: WasmKernels, ptr: number, type: TypedArrayConstructor, length: number): CpuStorage {
    const s = new CpuStorage(emptyOf(type), length);
    s.kernels = kernels;
    s.address = ptr;
    return s;
  }

  /** Byte address in the kernels' memory, or 0 for an ordinary array. */
  get ptr(): number {
    return this.address;
  }

  /** The elements; a fresh window after the memory grew (growth detaches unshared views). */
  get data(): TypedArray {
    const k = this.kernels;
    // Not made yet (an empty placeholder), or detached by a growing unshared memory (length 0).
    if (k !== null && this.view.length !== this.length) {
      const type = this.view.constructor as TypedArrayConstructor;
      this.view = new type(k.memory.buffer, this.address, this.length);
    }
    return this.view;
  }

  /**
   * The byte address in `kernels`' memory, moving the elements there first if
   * they are in an ordinary array; 0 when they live in another kernels'
   * memory or there is no room.
   */
  addressIn(kernels: WasmKernels): number {
    if (this.kernels !== null) return this.kernels === kernels ? this.address : 0;
    const old = this.view;
    if (old.length === 0 || kernels !== heap) return 0;
    let ptr = 0;
    try {
      ptr = kernels.alloc(old.byteLength);
    } catch {
      return 0; // the memory is at its maximum: stay an ordinary array
    }
    const type = old.constructor as TypedArrayConstructor;
    const moved = new type(kernels.memory.buffer, ptr, old.length);
    moved.set(old);
    this.view = moved;
    this.kernels = kernels;
    this.address = ptr;
    return ptr;
  }

  /** Returns the block to the kernels' memory (ordinary arrays are left to the garbage collector). */
  free(): void {
    if (this.kernels !== null) this.kernels.free(this.address);
    this.kernels = null;
    this.address = 0;
  }
}

/**
 * Largest CPU storage: V8's typed arrays hold at most 2^32 elements, 16 GiB
 * of float32 (smaller element types reach the element limit first, which
 * `newStorage` reports the same way).
 */
export const CPU_MAX_STORAGE_BYTES = 2 ** 34;
const CPU_LIMITS: AllocationLimits = {
  name: 'cpu',
  maxStorageBytes: CPU_MAX_STORAGE_BYTES,
  bytesPerElement: (dtype) => (dtype === 'float16' ? 4 : arrayTypeOf(dtype).BYTES_PER_ELEMENT),
};

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

/**
 * The storage's byte address in `kernels`' memory for a kernel about to read
 * or write it in place (moving an ordinary array there first); 0 when it
 * cannot be there.
 */
export function ptrIn(handle: StorageHandle, kernels: WasmKernels): number {
  return handle instanceof CpuStorage ? handle.addressIn(kernels) : 0;
}

export function wrap(data: TypedArray): CpuStorage {
  return new CpuStorage(data);
}

/**
 * A storage for `size` elements of `dtype`, in the kernels' memory when they
 * have loaded (or in `k`'s, when given). Contents are unspecified unless
 * `zeroed`. Take `data` after every allocation a kernel makes: growing the
 * memory moves unshared windows.
 */
export function newStorage(dtype: DType, size: number, zeroed = false, k: WasmKernels | null = heap): CpuStorage {
  checkAllocation(CPU_LIMITS, dtype, size);
  if (k !== null && size > 0) {
    const type = arrayTypeOf(dtype);
    const bytes = size * type.BYTES_PER_ELEMENT;
    let ptr = 0;
    try {
      ptr = zeroed ? k.allocZeroed(bytes) : k.alloc(bytes);
    } catch {
      // The memory is at its maximum (2 GiB): this storage lives in an ordinary array instead.
    }
    if (ptr !== 0) return CpuStorage.inKernelMemory(k, ptr, type, size);
  }
  try {
    return new CpuStorage(allocArray(dtype, size));
  } catch (e) {
    // Below the limit but still refused: more elements than a typed array holds, or no memory left.
    if (e instanceof RangeError) throw storageTooLarge(CPU_LIMITS, dtype, size);
    throw e;
  }
}

export function allocStorage(dtype: DType, size: number): CpuStorage {
  return newStorage(dtype, size, true);
}

/** Gives a storage's memory back (ordinary arrays are left to the garbage collector). */
export function freeStorage(handle: StorageHandle): void {
  if (handle instanceof CpuStorage) handle.free();
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
