import type { DType } from './dtype.js';
import { itemSize } from './dtype.js';
import { KindlingError } from './errors.js';

/*
 * Sizes reach allocations from untrusted places (a checkpoint's shapes, a
 * broadcast of two big operands, `arange(0, 1e12)`), and the typed array
 * constructor's answer, `RangeError: Invalid typed array length`, names
 * neither the op nor the size. Every storage is checked here first, against
 * the limit its backend reports, so the error says which op asked for how
 * much and what the device can hold.
 */

/** What the check needs of a backend: its name and, optionally, its storage limit and element size. */
export interface AllocationLimits {
  readonly name: string;
  readonly maxStorageBytes?: number;
  bytesPerElement?(dtype: DType): number;
}

let currentOp: string | null = null;

/** @internal The outermost public op running now (set by `dispatch`), for allocation errors raised deep inside it. */
export function runningOp(): string | null {
  return currentOp;
}

/** @internal Sets the running op; returns the previous one, to restore. */
export function enterOp(name: string): string | null {
  const outer = currentOp;
  if (outer === null) currentOp = name;
  return outer;
}

/** @internal Restores what `enterOp` returned. */
export function leaveOp(outer: string | null): void {
  currentOp = outer;
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** `2 ** 34` as `16 GiB`. */
export function formatBytes(bytes: number): string {
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : Number(v.toPrecision(3))} ${UNITS[u]}`;
}

/** `1e12` rather than `1000000000000`. */
const count = (n: number): string => (n >= 1e7 ? n.toExponential(2).replace(/\.?0*e\+?/, 'e') : String(n));

/**
 * Throws a `KindlingError` when a storage of `size` elements of `dtype`
 * (`size` may be the tensor's shape, which the message then shows) is larger
 * than `backend` can allocate, or is not a whole number of elements. `op`
 * defaults to the public op running now.
 */
export function checkAllocation(backend: AllocationLimits, dtype: DType, size: number | readonly number[], op?: string): void {
  const elements = typeof size === 'number' ? size : size.reduce((n, d) => n * d, 1);
  const limit = backend.maxStorageBytes ?? Number.POSITIVE_INFINITY;
  const bytes = elements * (backend.bytesPerElement?.(dtype) ?? itemSize(dtype));
  if (Number.isSafeInteger(elements) && elements >= 0 && bytes <= limit) return;
  throw storageTooLarge(backend, dtype, size, op);
}

/** The error of {@link checkAllocation}, for backends whose allocation failed in a way the limit did not predict. */
export function storageTooLarge(backend: AllocationLimits, dtype: DType, size: number | readonly number[], op?: string): KindlingError {
  const name = op ?? currentOp ?? 'alloc';
  const elements = typeof size === 'number' ? size : size.reduce((n, d) => n * d, 1);
  const what = typeof size === 'number' ? `a storage of ${count(elements)} elements` : `a tensor of shape [${size.join(', ')}]`;
  // Past 2^53 elements counts stop being exact but are still counts: too large, not invalid.
  if (!Number.isInteger(elements) || elements < 0) {
    return new KindlingError(`${name}: ${what} has ${elements} elements, which is not a valid size (expected a non-negative integer)`);
  }
  const bytes = elements * (backend.bytesPerElement?.(dtype) ?? itemSize(dtype));
  const of =
    typeof size === 'number' ? `${formatBytes(bytes)} of ${dtype}` : `${count(elements)} elements, ${formatBytes(bytes)} of ${dtype}`;
  const max = backend.maxStorageBytes === undefined ? '' : ` (max ${formatBytes(backend.maxStorageBytes)} per tensor)`;
  return new KindlingError(`${name}: ${what} (${of}) is larger than the ${backend.name} backend can allocate${max}`);
}
