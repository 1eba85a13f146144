import { isFloating, type DType, type Tensor } from '@kindling/tensor';
import { roundToFloat16 } from '@kindling/tensor/backend';
import type { FixtureTensor } from './fixture-types.js';
import { decodeNumber } from './fixtures.js';

/** `|actual - expected| <= atol + rtol * |expected|`, elementwise. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Per floating dtype; integer and bool results are always compared exactly. */
export interface Tolerances {
  float16: Tolerance;
  float32: Tolerance;
  float64: Tolerance;
}

/**
 * float32 against PyTorch's float32 kernels; float64 much tighter; float16
 * about one half-precision ulp (2^-10), since a float32 result a hair away from
 * PyTorch's may round to the neighbouring half.
 */
export const DEFAULT_TOLERANCES: Tolerances = {
  float16: { rtol: 1e-3, atol: 1e-5 },
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-10, atol: 1e-12 },
};

const fmt = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

/** Whether `actual` is within `tol` of `expected`; NaN matches NaN and infinities match exactly. */
export function closeEnough(actual: number, expected: number, dtype: DType, tol: Tolerances, scale = 1): boolean {
  if (!isFloating(dtype)) return actual === expected;
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  const { rtol, atol } = tol[dtype as keyof Tolerances];
  return Math.abs(actual - expected) <= atol * scale + rtol * Math.abs(expected);
}

/**
 * Compares an array read from a backend with expected values. Returns null when
 * they agree, otherwise a message naming the first few mismatches.
 */
export function compareValues(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  dtype: DType,
  tol: Tolerances,
  scale = 1,
): string | null {
  if (actual.length !== expected.length) return `expected ${expected.length} elements, got ${actual.length}`;
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < expected.length; i++) {
    if (!closeEnough(actual[i], expected[i], dtype, tol, scale)) {
      count++;
      if (bad.length < 6) bad.push(`[${i}] got ${fmt(actual[i])}, expected ${fmt(expected[i])}`);
    }
  }
  if (count === 0) return null;
  return `${count} of ${expected.length} ${dtype} values differ: ${bad.join('; ')}${count > bad.length ? '; ...' : ''}`;
}

/** Checks a result tensor against a fixture: dtype, shape, then values (bool must read as exactly 0 or 1). */
export async function compareWithFixture(t: Tensor, expected: FixtureTensor, tol: Tolerances, scale = 1): Promise<string | null> {
  if (t.dtype !== expected.dtype) return `expected dtype ${expected.dtype}, got ${t.dtype}`;
  if (t.shape.length !== expected.shape.length || t.shape.some((d, i) => d !== expected.shape[i])) {
    return `expected shape [${expected.shape.join(',')}], got [${t.shape.join(',')}]`;
  }
  const data = await t.read();
  if (t.dtype === 'float16') {
    // The tolerance allows a neighbouring half; this catches results that were never rounded to one.
    const i = data.findIndex((v) => !Object.is(v, roundToFloat16(v)));
    if (i >= 0) return `float16 value [${i}] ${data[i]} is not a half-precision number (nearest: ${roundToFloat16(data[i])})`;
  }
  return compareValues(data, expected.values.map(decodeNumber), t.dtype, tol, scale);
}
