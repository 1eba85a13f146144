import { type DType, KindlingError, type TypedArray } from '@kindling/tensor';
import { type StorageHandle, type View, allocArray, numel, roundToFloat16 } from '@kindling/tensor/backend';
import { type Strided, walk } from './strided.js';

/*
 * Storage: where a backend keeps elements, and the rule for writing one.
 *
 * This backend keeps every storage in a plain typed array of the dtype's host
 * type (`allocArray`): Float32Array for float32, Int32Array for int32,
 * Uint8Array of 0/1 for bool. float16 has no array type in Node 20, so it
 * lives in a Float32Array whose values are all exactly representable in half
 * precision. A GPU backend would hold a buffer instead; the frontend never
 * looks inside a handle, it only hands it back to the backend that made it.
 */

/** A storage of this backend: the handle the frontend carries around. */
export class TemplateStorage {
  #array: TypedArray | null;

  constructor(array: TypedArray) {
    this.#array = array;
  }

  /** The elements; a freed storage refuses, so a use after `free` fails loudly instead of reading stale data. */
  get array(): TypedArray {
    if (this.#array === null) throw new KindlingError('template backend: storage used after it was freed');
    return this.#array;
  }

  /** Drops the array so the garbage collector can take it; a device backend would release memory here. */
  free(): void {
    this.#array = null;
  }
}

/** The storage behind a handle, after checking the handle is one of ours. */
export function storageOf(handle: StorageHandle): TemplateStorage {
  if (!(handle instanceof TemplateStorage)) throw new KindlingError('template backend: got a storage handle of another backend');
  return handle;
}

/** The typed array behind a handle. */
export function arrayOf(handle: StorageHandle): TypedArray {
  return storageOf(handle).array;
}

/**
 * The value a number becomes when stored as `dtype`: every kernel computes
 * in float64 (JavaScript numbers) and passes each result through this on the
 * way out, which gives PyTorch's conversions. float32 rounds to nearest,
 * float16 rounds to half precision (as PyTorch's half kernels compute in
 * float and round each result), int32 truncates and wraps modulo 2^32, uint8
 * modulo 2^8, bool is `!= 0` (NaN included).
 */
export function converter(dtype: DType): (x: number) => number {
  switch (dtype) {
    case 'float64':
      return (x) => x;
    case 'float32':
      return Math.fround;
    case 'float16':
      return roundToFloat16;
    case 'int32':
      return (x) => x | 0;
    case 'uint8':
      return (x) => x & 0xff;
    case 'bool':
      return (x) => (x !== 0 ? 1 : 0);
  }
}

/**
 * A fresh contiguous storage of `dtype` and `shape`: walks `shape` over the
 * `operands` and stores `element(at)` (converted to `dtype`) as the next
 * output element. Most primitives are one call of this.
 */
export function produce(
  dtype: DType,
  shape: readonly number[],
  operands: readonly Strided[],
  element: (at: readonly number[]) => number,
): TemplateStorage {
  const out = allocArray(dtype, numel(shape));
  const store = converter(dtype);
  walk(shape, operands, (i, at) => {
    out[i] = store(element(at));
  });
  return new TemplateStorage(out);
}

/** The view's elements in row-major order, as a new array of its dtype (the `read` primitive). */
export function dense(view: View): TypedArray {
  const src = arrayOf(view.handle);
  const out = allocArray(view.dtype, numel(view.shape));
  walk(view.shape, [view], (i, at) => {
    out[i] = src[at[0]];
  });
  return out;
}
