import { type DimWalk, coalesceDims } from '@kindling/tensor/backend';

/**
 * Shape/stride bookkeeping shared by kernels: merging dimensions that every
 * operand walks contiguously shrinks the index math a kernel does per element
 * and the number of distinct pipelines.
 */

/** Drops size-1 dims and merges neighbours that are contiguous for every operand. */
export const coalesce = coalesceDims;
export type Walk = DimWalk;

/** Row-major strides of `shape`. */
export function rowMajor(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i];
  }
  return out;
}

export function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Whether the view covers `size` consecutive elements from its offset in row-major order. */
export function isDense(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/** u32 words of a signed integer (strides and offsets travel as i32 bit patterns). */
export function word(n: number): number {
  return n >>> 0;
}
