import { KindlingError } from '@kindling/tensor';

/*
 * Shared by the `F` functions and the modules: checks of numeric arguments,
 * and numbers written the way PyTorch's reprs write them. Python tells
 * `1` from `1.0` by type and JavaScript cannot, so each parameter is written
 * as the type of its PyTorch default: `ELU(alpha=1.0)` (a float default),
 * `Softplus(beta=1, threshold=20)` (int defaults in PyTorch 1.13).
 */

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  return typeof value;
}

/**
 * `value` if it is a number other than NaN (±Infinity are fine: `hardtanh`
 * may be unbounded on one side); otherwise a one-line error naming `owner`
 * and the argument. NaN is refused although PyTorch takes it, because it
 * only ever turns every output to NaN.
 */
export function checkNumber(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new KindlingError(`${owner}: ${name} must be a number, got ${describe(value)}`);
  }
  return value;
}

/**
 * `repr()` of a Python float: the shortest digits that round-trip (which
 * JavaScript computes too), in exponent notation below 1e-4 and from 1e16
 * up, with a two-digit signed exponent (`1e-05`, `1e+16`); `.0` on whole
 * numbers; `inf`, `-inf`, `nan`.
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = x.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  // In this range JavaScript's own notation is fixed-point, with the same digits.
  const fixed = String(x);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/** A parameter PyTorch declares `int` but also takes floats (`Softplus`'s `beta`): whole numbers as Python ints, others as floats. */
export function pyNumber(x: number): string {
  return Number.isInteger(x) ? BigInt(x).toString() : pyFloat(x);
}
