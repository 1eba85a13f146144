import { KindlingError } from '@kindling/tensor';

/** Throws unless every index is an integer in [0, length), naming `op`. */
export function checkIndices(op: string, indices: ArrayLike<number>, length: number): void {
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    if (!(k >= 0 && k < length) || !Number.isInteger(k)) {
      throw new RangeError(`${op}: index ${k} is out of range for a dataset of length ${length}`);
    }
  }
}

/** Throws unless `index` is an integer in [0, length). */
export function checkIndex(op: string, index: number, length: number): void {
  if (!(index >= 0 && index < length) || !Number.isInteger(index)) {
    throw new RangeError(`${op}: index ${index} is out of range for a dataset of length ${length}`);
  }
}

/** Copies any list of indices into an Int32Array. */
export function toInt32(op: string, indices: ArrayLike<number> | Iterable<number>): Int32Array {
  const out = indices instanceof Int32Array ? indices : Int32Array.from(indices as Iterable<number>);
  for (let i = 0; i < out.length; i++) {
    if (out[i] < 0) throw new KindlingError(`${op}: indices must be non-negative, got ${out[i]} at position ${i}`);
  }
  return out;
}
