import {
  type DType,
  type RandomKey,
  type RandomKind,
  type StorageHandle,
  type TypedArray,
  type View,
  allocArray,
  philoxFill,
} from '@kindling/tensor';
import { dataOf, elementOffsets, isDense, sizeOf, storeConverter, wrap } from './storage.js';

/** A dense copy of `x` in `dtype`. Typed-array stores give PyTorch's conversions (truncation, uint8 wrap); bool is `!= 0`. */
export function cast(x: View, dtype: DType): StorageHandle {
  const n = sizeOf(x.shape);
  const src = dataOf(x.handle);
  const store = storeConverter(dtype);
  if (!store && isDense(x) && x.dtype === dtype) return wrap(src.slice(x.offset, x.offset + n) as TypedArray);
  const out = allocArray(dtype, n);
  if (isDense(x)) {
    const o = x.offset;
    for (let i = 0; i < n; i++) out[i] = store ? store(src[o + i]) : src[o + i];
  } else {
    const offsets = elementOffsets(x);
    for (let i = 0; i < n; i++) out[i] = store ? store(src[offsets[i]]) : src[offsets[i]];
  }
  return wrap(out);
}

export function assign(dst: View, src: View): void {
  const target = dataOf(dst.handle);
  const values = dataOf(src.handle);
  const store = storeConverter(dst.dtype);
  const n = sizeOf(dst.shape);
  if (isDense(dst) && isDense(src) && !store) {
    for (let i = 0; i < n; i++) target[dst.offset + i] = values[src.offset + i];
    return;
  }
  const to = elementOffsets(dst);
  const from = elementOffsets(src);
  for (let i = 0; i < n; i++) target[to[i]] = store ? store(values[from[i]]) : values[from[i]];
}

export function fill(dst: View, value: number): void {
  const target = dataOf(dst.handle);
  const v = dst.dtype === 'bool' ? Number(value !== 0) : value;
  if (isDense(dst)) {
    target.fill(v, dst.offset, dst.offset + sizeOf(dst.shape));
    return;
  }
  for (const o of elementOffsets(dst)) target[o] = v;
}

export function random(kind: RandomKind, dtype: DType, size: number, key: RandomKey): StorageHandle {
  const out = allocArray(dtype, size);
  philoxFill(kind, key, out);
  return wrap(out);
}
