import { ShapeError, fmtShape } from './errors.js';

export type Shape = readonly number[];

/** Number of elements of a tensor of `shape` (1 for a scalar). */
export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Whether `strides` describe a row-major layout of `shape` (size-1 dims may have any stride). */
export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy/PyTorch broadcasting of two or more shapes. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const shape of shapes) {
    for (let i = 0; i < shape.length; i++) {
      const o = rank - shape.length + i;
      const d = shape[i];
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) {
        out[o] = d;
        continue;
      }
      throw new ShapeError(
        `${op}: shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast together (dim ${o - rank}: ${out[o]} vs ${d})`,
      );
    }
  }
  return out;
}

/** Resolves a possibly negative `dim` against `rank`; `what` names the op. */
export function normalizeDim(op: string, dim: number, rank: number, allowEnd = false): number {
  const bound = allowEnd ? rank + 1 : rank;
  if (!Number.isInteger(dim)) throw new ShapeError(`${op}: dim must be an integer, got ${dim}`);
  const lo = -Math.max(bound, 1);
  const hi = Math.max(bound, 1) - 1;
  if (dim < lo || dim > hi) {
    throw new ShapeError(`${op}: dim ${dim} is out of range for a tensor of rank ${rank} (expected ${lo}..${hi})`);
  }
  return dim < 0 ? dim + Math.max(bound, 1) : dim;
}

/** Resolves `dim` (undefined = all dims, a number, or a list) into sorted unique dims. */
export function normalizeDims(op: string, dim: number | readonly number[] | undefined, rank: number): number[] {
  if (dim === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof dim === 'number' ? [dim] : dim;
  const dims = list.map((d) => normalizeDim(op, d, rank));
  const unique = [...new Set(dims)].sort((a, b) => a - b);
  if (unique.length !== dims.length) throw new ShapeError(`${op}: dim ${fmtShape(list)} repeats a dimension`);
  return unique;
}

/** Checks that `shape` is a list of non-negative integers and returns a copy. */
export function checkShape(op: string, shape: readonly number[]): number[] {
  for (const [i, d] of shape.entries()) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: shape ${fmtShape(shape)} must hold non-negative integers, got ${d} at dim ${i}`);
    }
  }
  return [...shape];
}

/** Resolves a single `-1` in a view/reshape target shape. */
export function inferShape(op: string, target: readonly number[], size: number, from: Shape): number[] {
  let inferred = -1;
  let known = 1;
  for (let i = 0; i < target.length; i++) {
    const d = target[i];
    if (d === -1) {
      if (inferred >= 0) throw new ShapeError(`${op}: only one dimension can be -1, got ${fmtShape(target)}`);
      inferred = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid size ${d} in shape ${fmtShape(target)}`);
    } else {
      known *= d;
    }
  }
  const out = [...target];
  if (inferred >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(`${op}: shape ${fmtShape(target)} is invalid for input of shape ${fmtShape(from)} (${size} elements)`);
    }
    out[inferred] = size / known;
  } else if (known !== size) {
    throw new ShapeError(`${op}: shape ${fmtShape(target)} is invalid for input of shape ${fmtShape(from)} (${size} elements)`);
  }
  return out;
}
