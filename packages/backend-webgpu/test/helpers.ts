import { expect } from 'vitest';

/** Deterministic pseudo-random floats in [lo, hi) (a small LCG, so tests need no RNG). */
export function seeded(n: number, seed = 1, lo = -2, hi = 2): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + ((s >>> 8) / 16777216) * (hi - lo));
  }
  return out;
}

/** Elementwise closeness with float32 tolerances; NaNs must match NaNs and infinities must match exactly. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) {
      expect(a, `element ${i}`).toBeNaN();
    } else if (!Number.isFinite(e)) {
      expect(a, `element ${i}`).toBe(e);
    } else if (Math.abs(a - e) > atol + rtol * Math.abs(e)) {
      expect.fail(`element ${i}: ${a} is not close to ${e}`);
    }
  }
}

/** float32 rounding of a host value, as the GPU stores it. */
export const f32 = (x: number): number => Math.fround(x);

/** `x · wᵀ` on the host from float32-rounded operands: x `[rows, k]`, w `[cols, k]`, every product added (0 · inf is NaN). */
export function hostLinear(x: readonly number[], w: readonly number[], rows: number, k: number, cols: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += f32(x[i * k + p]) * f32(w[j * k + p]);
      out.push(s);
    }
  return out;
}
