import type { DType } from '@kindling/tensor';
import { type RandomKey, type RandomKind, type StorageHandle, type View, philoxFill } from '@kindling/tensor/backend';
import { dataOf, elementOffsets, isDense, newStorage, sizeOf, storeConverter } from './storage.js';

/** A dense copy of `x` in `dtype`. Typed-array stores give PyTorch's conversions (truncation, uint8 wrap); bool is `!= 0`. */
export function cast(x: View, dtype: DType): StorageHandle {
  const n = sizeOf(x.shape);
  const store = storeConverter(dtype);
  const result = newStorage(dtype, n);
  const out = result.data;
  if (!store && isDense(x)) {
    // set() converts element by element exactly as `out[i] = src[i]` does (e.g. bool 0/1 to float),
    // natively: the dropout mask's cast took ~3 ns an element in the loop below.
    out.set(dataOf(x.handle).subarray(x.offset, x.offset + n));
    return result;
  }
  if (isDense(x)) {
    const o = x.offset;
    const src = dataOf(x.handle);
    for (let i = 0; i < n; i++) out[i] = store ? store(src[o + i]) : src[o + i];
  } else {
    const src = dataOf(x.handle);
    const offsets = elementOffsets(x);
    for (let i = 0; i < n; i++) out[i] = store ? store(src[offsets[i]]) : src[offsets[i]];
  }
  return result;
}

export function assign(dst: View, src: View): void {
  const target = dataOf(dst.handle);
  const values = dataOf(src.handle);
  const store = storeConverter(dst.dtype);
  const n = sizeOf(dst.shape);
  if (isDense(dst) && isDense(src) && !store) {
    // One native copy, converting like `target[i] = values[i]` when the types differ (set() copies
    // overlapping ranges correctly, also between types).
    target.set(values.subarray(src.offset, src.offset + n), dst.offset);
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
  const result = newStorage(dtype, size);
  philoxFill(kind, key, result.data);
  return result;
}
