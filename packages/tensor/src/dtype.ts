/**
 * Element types. `float32` is the default floating type and `int32` the default
 * integer type. `float16` is IEEE half precision (`torch.float16`); JavaScript
 * sees its values as float32 numbers (see `half.ts`). PyTorch's default integer type is `int64`; JavaScript engines
 * and WebGPU have no fast 64-bit integers, so Kindling uses `int32` wherever
 * PyTorch would use `int64` (class indices, `argmax`, `arange` of integers).
 */
export type DType = 'float16' | 'float32' | 'float64' | 'int32' | 'uint8' | 'bool';

/** All dtypes, in promotion order. */
export const DTYPES: readonly DType[] = ['bool', 'uint8', 'int32', 'float16', 'float32', 'float64'];

/** The typed array that holds each dtype's elements on the host. */
export interface TypedArrayFor {
  /** Half-precision values, each exactly representable in float16 (Node 20 has no Float16Array). */
  float16: Float32Array;
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** A typed-array class, as `arrayTypeOf` returns it. */
export type TypedArrayConstructor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

const ARRAY_TYPES: Record<DType, TypedArrayConstructor> = {
  float16: Float32Array,
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/** The typed-array constructor for `dtype`. */
export function arrayTypeOf(dtype: DType): TypedArrayConstructor {
  return ARRAY_TYPES[dtype];
}

/** Allocate a zeroed host array for `size` elements of `dtype`. */
export function allocArray<D extends DType>(dtype: D, size: number): TypedArrayFor[D] {
  return new ARRAY_TYPES[dtype](size) as TypedArrayFor[D];
}

/** Bytes per element in the dtype's own format (2 for float16, whatever array carries it on the host). */
export function itemSize(dtype: DType): number {
  return dtype === 'float16' ? 2 : ARRAY_TYPES[dtype].BYTES_PER_ELEMENT;
}

export function isFloating(dtype: DType): boolean {
  return dtype === 'float16' || dtype === 'float32' || dtype === 'float64';
}

export function isIntegral(dtype: DType, includeBool = false): boolean {
  return dtype === 'int32' || dtype === 'uint8' || (includeBool && dtype === 'bool');
}

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

/** Throws unless `value` names a dtype; `what` says which argument it was. */
export function checkDType(value: unknown, what: string): DType {
  if (!isDType(value)) {
    throw new TypeError(`${what}: unknown dtype ${JSON.stringify(value)} (expected one of ${DTYPES.join(', ')})`);
  }
  return value;
}

type Category = 0 | 1 | 2; // bool, integer, floating

function category(dtype: DType): Category {
  if (dtype === 'bool') return 0;
  return isFloating(dtype) ? 2 : 1;
}

/** The smallest dtype both `a` and `b` convert to losslessly (PyTorch's `promote_types`). */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  return DTYPES.indexOf(a) > DTYPES.indexOf(b) ? a : b;
}

/**
 * Result dtype of an op on a tensor and a JavaScript number. As in PyTorch, a
 * scalar never widens a tensor within its category: `float32 * 2.5` stays
 * float32 and `uint8 + 1` stays uint8. A number crosses a category only
 * upward: an integral tensor with a non-integer number gives the default
 * float dtype, and a bool tensor with any number gives int32 or float32.
 */
export function promoteWithScalar(dtype: DType, scalar: number | boolean): DType {
  const scalarDType: DType = typeof scalar === 'boolean' ? 'bool' : Number.isInteger(scalar) ? 'int32' : 'float32';
  return category(scalarDType) > category(dtype) ? scalarDType : dtype;
}

/** Whether a value of dtype `from` may be written into a tensor of dtype `to` by an in-place op. */
export function canCast(from: DType, to: DType): boolean {
  return category(from) <= category(to);
}

/** The dtype a JavaScript value infers when no dtype is given (`tensor([1, 2])` is int32). */
export function inferDType(values: Iterable<number | boolean>): DType {
  let sawNumber = false;
  for (const v of values) {
    if (typeof v === 'boolean') continue;
    sawNumber = true;
    if (!Number.isInteger(v)) return 'float32';
  }
  return sawNumber ? 'int32' : 'bool';
}
