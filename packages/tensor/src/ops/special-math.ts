// Special functions JavaScript's Math lacks, to double precision: the
// reference math of the op table (`op-table.ts`) calls them.

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/** erf(x) by its Maclaurin series: for |x| < 2 the alternating terms lose under one digit to cancellation. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 60; n++) {
    term *= -x2 / n;
    const next = sum + term / (2 * n + 1);
    if (next === sum) break;
    sum = next;
  }
  return TWO_OVER_SQRT_PI * sum;
}

/**
 * erfc(x) for x ≥ 2 by Laplace's continued fraction
 * `e^{-x²}/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + …))))`, evaluated from the tail:
 * 80 levels converge to double precision from x = 2 on.
 */
function erfcFraction(x: number): number {
  let f = x;
  for (let n = 80; n >= 1; n--) f = x + n / 2 / f;
  return (Math.exp(-x * x) * ONE_OVER_SQRT_PI) / f;
}

/** The error function `2/√π ∫₀ˣ e^{-t²} dt` (`torch.erf`), odd, NaN for NaN. */
export function erf(x: number): number {
  if (x !== x) return x;
  const a = Math.abs(x);
  if (a < 2) return erfSeries(x);
  if (a >= 6) return Math.sign(x);
  const r = 1 - erfcFraction(a);
  return x < 0 ? -r : r;
}
