import { KindlingError, type Tensor, cat, indexSelect, isTensor, stack, tensor } from '@kindling/tensor';
import type { Collated } from './dataset.js';

/**
 * PyTorch's `default_collate`: stacks tensors along a new first dim, turns
 * numbers into a 1-D tensor (int32 if all are integers, else float32) and
 * booleans into a bool tensor, and recurses into arrays and plain objects.
 */
export function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  if (samples.length === 0) throw new KindlingError('defaultCollate: expected at least one sample, got an empty batch');
  return collateAt(samples as readonly unknown[], 'batch') as Collated<T>;
}

function collateAt(values: readonly unknown[], path: string): unknown {
  const first = values[0];
  if (isTensor(first)) {
    if (!values.every(isTensor)) throw new KindlingError(`defaultCollate: ${path} mixes tensors and other values`);
    return stack(values as Tensor[], 0);
  }
  if (typeof first === 'number') {
    const nums = values as number[];
    if (!nums.every((v) => typeof v === 'number')) throw new KindlingError(`defaultCollate: ${path} mixes numbers and other values`);
    return nums.every(Number.isInteger) ? tensor(Int32Array.from(nums)) : tensor(Float32Array.from(nums));
  }
  if (typeof first === 'boolean') return tensor(Uint8Array.from(values as boolean[], Number), { dtype: 'bool' });
  if (Array.isArray(first)) {
    for (const v of values) {
      if (!Array.isArray(v) || v.length !== first.length) {
        throw new KindlingError(`defaultCollate: each sample at ${path} must be an array of length ${first.length}`);
      }
    }
    return first.map((_, i) =>
      collateAt(
        values.map((v) => (v as unknown[])[i]),
        `${path}[${i}]`,
      ),
    );
  }
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first))
      out[key] = collateAt(
        values.map((v) => (v as Record<string, unknown>)[key]),
        `${path}.${key}`,
      );
    return out;
  }
  throw new KindlingError(`defaultCollate: cannot collate ${first === null ? 'null' : typeof first} at ${path}`);
}

/** Applies `leaf` to parallel tensors of batches with one structure (arrays, objects, tensors). */
export function zipBatches(batches: readonly unknown[], leaf: (tensors: Tensor[]) => Tensor, path = 'batch'): unknown {
  const first = batches[0];
  if (isTensor(first)) return leaf(batches as Tensor[]);
  if (Array.isArray(first))
    return first.map((_, i) =>
      zipBatches(
        batches.map((b) => (b as unknown[])[i]),
        leaf,
        `${path}[${i}]`,
      ),
    );
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first))
      out[key] = zipBatches(
        batches.map((b) => (b as Record<string, unknown>)[key]),
        leaf,
        `${path}.${key}`,
      );
    return out;
  }
  throw new KindlingError(`zipBatches: expected tensors, arrays or objects at ${path}, got ${typeof first}`);
}

/** Concatenates batches of one structure along dim 0. */
export function catBatches<B>(batches: readonly B[]): B {
  return (batches.length === 1 ? batches[0] : zipBatches(batches, (ts) => cat(ts, 0))) as B;
}

/** Reorders every tensor of a batch along dim 0 by `order` (an int32 tensor). */
export function reorderBatch<B>(batch: B, order: Tensor): B {
  return zipBatches([batch], ([t]) => indexSelect(t, 0, order)) as B;
}

/** Disposes every tensor found in `value` (arrays and objects are searched). */
export function disposeTensors(value: unknown): void {
  if (isTensor(value)) value.dispose();
  else if (Array.isArray(value)) for (const v of value) disposeTensors(v);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) disposeTensors(v);
}
