import { KindlingError } from '@kindling/tensor';

/*
 * Arguments of the convolution and pooling layers: sizes PyTorch takes as an
 * int or a tuple, checked when the layer is built so a bad value fails where
 * the model is written, and written back the way PyTorch's reprs write them.
 */

/** A size PyTorch takes as an int or an `(h, w)` tuple: `3` or `[3, 5]`. */
export type Pair = number | readonly [number, number];

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? JSON.stringify(value) : String(value);
}

/** `value` if it is an integer ≥ `min`; otherwise a one-line error naming `owner` and `name`. */
export function checkInt(owner: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new KindlingError(`${owner}: ${name} must be an integer ≥ ${min}, got ${describe(value)}`);
  }
  return value;
}

/**
 * The `length` entries of an int-or-tuple argument, each an integer ≥ `min`
 * (`3` → `[3, 3]` for a 2-D layer).
 */
export function checkTuple(owner: string, name: string, value: unknown, length: number, min: number): number[] {
  const entries = typeof value === 'number' ? Array.from({ length }, () => value) : value;
  const ok = Array.isArray(entries) && entries.length === length && entries.every((v) => Number.isInteger(v) && v >= min);
  if (!ok) {
    const what = length === 1 ? `an integer ≥ ${min}` : `an integer ≥ ${min} or ${length} of them`;
    throw new KindlingError(`${owner}: ${name} must be ${what}, got ${describe(value)}`);
  }
  return (entries as number[]).slice();
}

/** A Python tuple's repr: `(3, 3)`, `(3,)`. */
export function pyTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}

/** An int-or-tuple argument as the user gave it, in Python: `2` or `(2, 3)`. */
export function pyIntOrTuple(value: number | readonly number[]): string {
  return typeof value === 'number' ? String(value) : pyTuple(value);
}

/** A Python bool's repr. */
export const pyBool = (b: boolean): string => (b ? 'True' : 'False');
