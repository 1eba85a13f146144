/**
 * WGSL for the special functions and activations of the op table, in f32 on
 * top of MATH's exp/log/tanh. Where a formula has a more accurate twin it is
 * used (gelu through erfc, tanh-gelu through exp), with the NaN and infinity
 * results of the table's math.
 * Typed `string`: a literal type would copy the whole WGSL into the published .d.ts.
 */
export const SPECIAL: string = /* wgsl */ `
// erf(x) for |x| < 0.84375 as x + x·P(x²): P is a degree-5 minimax fit of
// erf(x)/x - 1 (relative error 6e-9), and adding x last keeps the leading
// term exact. Tiny x use the slope alone, before x·P underflows.
fn k_erf_small(x: f32) -> f32 {
  if (abs(x) < 1e-20) { return 1.1283791671 * x; }
  let z = x * x;
  let p = ((((-0.0006342865 * z + 0.005055614) * z - 0.0268051) * z + 0.112827756) * z - 0.37612575) * z + 0.12837917;
  return x + x * p;
}
// exp(-s·a²) for a in [0, 16) and s = 1 or 1/2, a² split as hi² + (a - hi)(a + hi)
// with hi of 12 significant bits: hi² is exact, so exp does not see the
// square's rounding error (6e-6 relative at a = 10).
fn k_exp_neg_sq(a: f32, s: f32) -> f32 {
  let hi = floor(a * 256.0) / 256.0;
  return k_exp(-s * hi * hi) * k_exp(-s * (a - hi) * (a + hi));
}
// erfc(a)·exp(a²) for a in [0.84375, 10), of t = 1/(1 + a/2): a degree-8
// minimax fit (relative error 1e-8).
fn k_erfc_scaled(t: f32) -> f32 {
  return (((((((0.07014975 * t - 0.15116471) * t - 0.020359423) * t + 0.13909929) * t + 0.14285381) * t
    + 0.25719792) * t + 0.28027883) * t + 0.28226557) * t - 6.7034666e-06;
}
fn k_erfc_large(a: f32) -> f32 {
  // erfc(10) is 2e-45, the end of the float32 range.
  if (a >= 10.0) { return 0.0; }
  return k_exp_neg_sq(a, 1.0) * k_erfc_scaled(1.0 / (1.0 + 0.5 * a));
}
fn k_erf(x: f32) -> f32 {
  if (k_isnan(x)) { return x; }
  let a = abs(x);
  if (a < 0.84375) { return k_erf_small(x); }
  return sign(x) * (1.0 - k_erfc_large(a));
}
// 1 - erf(x), without the cancellation for large x.
fn k_erfc(x: f32) -> f32 {
  if (k_isnan(x)) { return x; }
  let a = abs(x);
  if (a < 0.84375) { return 1.0 - k_erf_small(x); }
  let c = k_erfc_large(a);
  return select(c, 2.0 - c, x < 0.0);
}
// x·Φ(x) = x/2·(1 + erf(x/√2)) = x/2·erfc(-x/√2): accurate where 1 + erf
// cancels (x << 0), and there with exp(-x²/2) from x itself rather than from
// the rounded x/√2, whose error erfc would amplify by 2a².
fn k_gelu(x: f32) -> f32 {
  let a = -0.70710678118654752 * x;
  if (!(a >= 0.84375) || a >= 10.0) { return 0.5 * x * k_erfc(a); }
  return 0.5 * x * k_exp_neg_sq(-x, 0.5) * k_erfc_scaled(1.0 / (1.0 + 0.5 * a));
}
// x/2·(1 + tanh(y)) = x·sigmoid(2y), y = √(2/π)(x + 0.044715x³), without 1 + tanh's cancellation.
fn k_gelu_tanh(x: f32) -> f32 {
  let y = 0.79788456080286536 * (x + 0.044715 * x * x * x);
  return x / (1.0 + k_exp(-2.0 * y));
}
fn k_softplus(x: f32, beta: f32, threshold: f32) -> f32 {
  let bx = x * beta;
  return select(k_log1p(k_exp(bx)) / beta, x, bx > threshold);
}
fn k_logsigmoid(x: f32) -> f32 { return k_minf(x, 0.0) - k_log1p(k_exp(-abs(x))); }
// torch.sign: 0 for NaN, and a zero keeps its sign.
fn k_sign(x: f32) -> f32 { return select(select(select(0.0, x, x == 0.0), -1.0, x < 0.0), 1.0, x > 0.0); }
// relu(-0) is +0; NaN stays NaN (x <= 0 is false for it).
fn k_relu(x: f32) -> f32 { return select(x, 0.0, x <= 0.0); }
fn k_hardtanh(x: f32, lo: f32, hi: f32) -> f32 { return select(min(max(x, lo), hi), x, k_isnan(x)); }
`;
