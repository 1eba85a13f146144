import { SPECIAL } from './special.js';
import { TRIG } from './trig.js';

/**
 * WGSL for the elementwise math, matching torch where WGSL leaves a case
 * undefined (pow of negatives, NaN in max/min, integer division by zero) or is
 * imprecise (expm1/log1p near 0, tanh for large |x|).
 * Typed `string`: a literal type would copy the whole WGSL into the published .d.ts.
 */
export const MATH: string = /* wgsl */ `
// Software drivers (SwiftShader) approximate sin/cos/log coarsely and send
// exp(NaN) to inf, so these follow Cephes' float32 routines (about 1 ulp).
fn k_exp(x: f32) -> f32 {
  if (k_isnan(x)) { return x; }
  if (x > 88.72283905206835) { return k_inf(); }
  if (x < -103.972077) { return 0.0; }
  let n = floor(1.44269504088896341 * x + 0.5);
  let r = (x - n * 0.693359375) - n * -2.12194440e-4;
  let z = r * r;
  let y = (((((1.9875691500e-4 * r + 1.3981999507e-3) * r + 8.3334519073e-3) * r + 4.1665795894e-2) * r
    + 1.6666665459e-1) * r + 5.0000001201e-1) * z + r + 1.0;
  // Two steps keep each scale factor representable near the ends of the range.
  let ni = i32(n);
  return ldexp(ldexp(y, ni / 2), ni - ni / 2);
}
fn k_log(x: f32) -> f32 {
  if (k_isnan(x) || x < 0.0) { return k_nan(); }
  if (x == 0.0) { return -k_inf(); }
  if (x == k_inf()) { return x; }
  let fr = frexp(x);
  var m = fr.fract;
  var e = f32(fr.exp);
  if (m < 0.707106781186547524) { e -= 1.0; m = m + m - 1.0; } else { m = m - 1.0; }
  let z = m * m;
  var y = ((((((((7.0376836292e-2 * m - 1.1514610310e-1) * m + 1.1676998740e-1) * m - 1.2420140846e-1) * m
    + 1.4249322787e-1) * m - 1.6668057665e-1) * m + 2.0000714765e-1) * m - 2.4999993993e-1) * m + 3.3333331174e-1) * m * z;
  y += -2.12194440e-4 * e;
  y += -0.5 * z;
  return m + y + 0.693359375 * e;
}
fn k_expm1(x: f32) -> f32 {
  let u = k_exp(x);
  if (u == 1.0 || k_isnan(x)) { return x; }
  let um1 = u - 1.0;
  if (um1 == -1.0) { return -1.0; }
  if (abs(x) > 0.5) { return um1; }
  return um1 * x / k_log(u);
}
// log(1 + x). Near 0 as 2·atanh(s) = 2s(1 + s²/3 + s⁴/5 + ...), s = x/(2 + x), |s| < 0.172
// while 1 + x is in [1/√2, √2]: the usual log(u)·x/(u - 1) correction is folded
// to log(u) by compilers that reassociate ((1 + x) - 1 = x), as SwiftShader's does.
fn k_log1p(x: f32) -> f32 {
  if (x > -0.29289321881 && x < 0.41421356237) {
    let s = x / (2.0 + x);
    let z = s * s;
    return 2.0 * s + 2.0 * s * z * ((((1.0 / 9.0) * z + (1.0 / 7.0)) * z + 0.2) * z + (1.0 / 3.0));
  }
  return k_log(1.0 + x);
}
fn k_sqrt(x: f32) -> f32 {
  if (x < 0.0) { return k_nan(); }
  return sqrt(x);
}
fn k_tanh(x: f32) -> f32 {
  // NaN, and zeros, which the polynomial below would turn into +0.
  if (k_isnan(x) || x == 0.0) { return x; }
  let a = abs(x);
  if (a < 0.625) {
    let s = x * x;
    return ((((-5.70498872745e-3 * s + 2.06390887954e-2) * s - 5.37397155531e-2) * s + 1.33314422036e-1) * s - 3.33332819422e-1) * s * x + x;
  }
  if (a > 44.0) { return sign(x); }
  let t = k_exp(2.0 * a);
  return sign(x) * (1.0 - 2.0 / (t + 1.0));
}
fn k_sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + k_exp(-x)); }
fn k_powf(a: f32, b: f32) -> f32 {
  // C's pow, which torch follows: 1 to any power and -1 to ±inf are 1.
  if (b == 0.0 || a == 1.0 || (a == -1.0 && abs(b) == k_inf())) { return 1.0; }
  if (k_isnan(a) || k_isnan(b)) { return k_nan(); }
  let bInt = b == floor(b);
  let bOdd = bInt && abs(b) < 16777216.0 && (i32(abs(b)) & 1) == 1;
  if (a == 0.0) {
    if (b > 0.0) { return select(0.0, a, bOdd); }
    return select(k_inf(), -k_inf(), bOdd && bitcast<u32>(a) == 0x80000000u);
  }
  if (bInt && abs(b) <= 64.0) {
    // Small integer exponents by repeated squaring: exact where torch's powf is.
    var result = 1.0;
    var base = a;
    var e = u32(abs(b));
    loop {
      if (e == 0u) { break; }
      if ((e & 1u) == 1u) { result = result * base; }
      base = base * base;
      e = e >> 1u;
    }
    return select(1.0 / result, result, b > 0.0);
  }
  if (abs(a) == k_inf()) {
    // (+-inf)^b: 0 or inf by the sign of b, negative only for odd integer b.
    let mag = select(0.0, k_inf(), b > 0.0);
    return select(mag, -mag, a < 0.0 && bOdd);
  }
  if (a < 0.0) {
    if (!bInt) { return k_nan(); }
    let m = k_exp(b * k_log(-a));
    return select(m, -m, bOdd);
  }
  if (abs(b) == 1.0) { return select(1.0 / a, a, b > 0.0); }
  if (b == 2.0) { return a * a; }
  if (b == 0.5) { return sqrt(a); }
  return k_exp(b * k_log(a));
}
fn k_maxf(a: f32, b: f32) -> f32 {
  if (k_isnan(a)) { return a; }
  if (k_isnan(b)) { return b; }
  return max(a, b);
}
fn k_minf(a: f32, b: f32) -> f32 {
  if (k_isnan(a)) { return a; }
  if (k_isnan(b)) { return b; }
  return min(a, b);
}
// A zero with the sign of x (through bits: compilers may fold -0.0 and 0.0 * x to +0).
fn k_signed_zero(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) & 0x80000000u); }
// C's fmod, exactly (a - b·trunc(a/b) goes wrong once the quotient passes
// 2^24): the remainder of the 24-bit significands, shifted up to a's exponent
// 8 bits at a time. It has a's sign, a zero one too.
fn k_fmod(a: f32, b: f32) -> f32 {
  if (k_isnan(a) || k_isnan(b) || abs(a) == k_inf() || b == 0.0) { return k_nan(); }
  if (abs(b) == k_inf() || abs(a) < abs(b)) { return a; }
  let fa = frexp(abs(a));
  let fb = frexp(abs(b));
  let mb = u32(fb.fract * 16777216.0);
  var r = u32(fa.fract * 16777216.0) % mb;
  var shift = fa.exp - fb.exp;
  loop {
    if (shift <= 0 || r == 0u) { break; }
    let step = min(shift, 8);
    r = (r << u32(step)) % mb;
    shift -= step;
  }
  if (r == 0u) { return k_signed_zero(a); }
  let m = ldexp(f32(r), fb.exp - 24);
  return select(m, -m, a < 0.0);
}
fn k_remf(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return k_nan(); }
  var m = k_fmod(a, b);
  if (m != 0.0 && ((b < 0.0) != (m < 0.0))) { m = m + b; }
  return m;
}
fn k_floordivf(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return a / b; }
  let m = k_fmod(a, b);
  var d = (a - m) / b;
  if (m != 0.0 && ((b < 0.0) != (m < 0.0))) { d = d - 1.0; }
  if (d == 0.0) { return k_signed_zero(a / b); }
  var f = floor(d);
  if (d - f > 0.5) { f = f + 1.0; }
  return f;
}
fn k_powi(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(1, -1, (b & 1) == 1); }
    return 0;
  }
  var result = 1;
  var base = a;
  var e = b;
  loop {
    if (e == 0) { break; }
    if ((e & 1) == 1) { result = result * base; }
    base = base * base;
    e = e >> 1u;
  }
  return result;
}
fn k_powu(a: u32, b: u32) -> u32 {
  var result = 1u;
  var base = a;
  var e = b;
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) == 1u) { result = result * base; }
    base = base * base;
    e = e >> 1u;
  }
  return result;
}
fn k_remi(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  var m = a % b;
  if (m != 0 && ((m < 0) != (b < 0))) { m = m + b; }
  return m;
}
fn k_floordivi(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  var q = a / b;
  if ((a % b) != 0 && ((a < 0) != (b < 0))) { q = q - 1; }
  return q;
}
fn k_remu(a: u32, b: u32) -> u32 { if (b == 0u) { return 0u; } return a % b; }
fn k_floordivu(a: u32, b: u32) -> u32 { if (b == 0u) { return 0u; } return a / b; }
${TRIG}
${SPECIAL}`;
