import type { DType } from '@kindling/tensor';
import type { BinaryOp, UnaryOp } from '@kindling/tensor/backend';

/**
 * WGSL for the elementwise math, matching torch where WGSL leaves a case
 * undefined (pow of negatives, NaN in max/min, integer division by zero) or is
 * imprecise (expm1/log1p near 0, tanh for large |x|).
 */
export const MATH = /* wgsl */ `
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
fn k_sin_poly(x: f32, z: f32) -> f32 { return ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * x + x; }
fn k_cos_poly(z: f32) -> f32 { return ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0; }
// Octant of |x| and the reduced argument (Cody-Waite with three parts of pi/4).
fn k_reduce(ax: f32) -> vec2f {
  var j = u32(ax * 1.27323954473516);
  var y = f32(j);
  if ((j & 1u) == 1u) { j += 1u; y += 1.0; }
  let r = ((ax - y * 0.78515625) - y * 2.4187564849853515625e-4) - y * 3.77489497744594108e-8;
  return vec2f(r, f32(j & 7u));
}
fn k_sin(x: f32) -> f32 {
  if (k_isnan(x) || abs(x) == k_inf()) { return k_nan(); }
  var sgn = select(1.0, -1.0, x < 0.0);
  let red = k_reduce(abs(x));
  var j = u32(red.y);
  if (j > 3u) { sgn = -sgn; j -= 4u; }
  let z = red.x * red.x;
  let y = select(k_sin_poly(red.x, z), k_cos_poly(z), j == 1u || j == 2u);
  return sgn * y;
}
fn k_cos(x: f32) -> f32 {
  if (k_isnan(x) || abs(x) == k_inf()) { return k_nan(); }
  var sgn = 1.0;
  let red = k_reduce(abs(x));
  var j = u32(red.y);
  if (j > 3u) { sgn = -sgn; j -= 4u; }
  if (j > 1u) { sgn = -sgn; }
  let z = red.x * red.x;
  let y = select(k_cos_poly(z), k_sin_poly(red.x, z), j == 1u || j == 2u);
  return sgn * y;
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
fn k_log1p(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (abs(x) > 0.5 || k_isnan(x)) { return k_log(u); }
  return k_log(u) * x / (u - 1.0);
}
fn k_sqrt(x: f32) -> f32 {
  if (x < 0.0) { return k_nan(); }
  return sqrt(x);
}
fn k_tanh(x: f32) -> f32 {
  if (k_isnan(x)) { return x; }
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
// torch.sign is (0 < x) - (x < 0): 0 for NaN.
fn k_sign(x: f32) -> f32 { return select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0); }
fn k_relu(x: f32) -> f32 { return select(x, 0.0, x < 0.0); }
fn k_powf(a: f32, b: f32) -> f32 {
  if (b == 0.0 || a == 1.0) { return 1.0; }
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
fn k_fmod(a: f32, b: f32) -> f32 {
  if (abs(b) == k_inf() && abs(a) != k_inf()) { return a; }
  return a - b * trunc(a / b);
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
  if (d == 0.0) { return select(0.0, -0.0, (a < 0.0) != (b < 0.0)); }
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
`;

const FLOAT_UNARY: Partial<Record<UnaryOp, (x: string) => string>> = {
  neg: (x) => `-${x}`,
  abs: (x) => `abs(${x})`,
  sign: (x) => `k_sign(${x})`,
  exp: (x) => `k_exp(${x})`,
  expm1: (x) => `k_expm1(${x})`,
  log: (x) => `k_log(${x})`,
  log1p: (x) => `k_log1p(${x})`,
  sqrt: (x) => `k_sqrt(${x})`,
  rsqrt: (x) => `(1.0 / k_sqrt(${x}))`,
  reciprocal: (x) => `(1.0 / ${x})`,
  sin: (x) => `k_sin(${x})`,
  cos: (x) => `k_cos(${x})`,
  tanh: (x) => `k_tanh(${x})`,
  sigmoid: (x) => `k_sigmoid(${x})`,
  relu: (x) => `k_relu(${x})`,
  floor: (x) => `floor(${x})`,
  ceil: (x) => `ceil(${x})`,
  round: (x) => `round(${x})`,
  trunc: (x) => `trunc(${x})`,
};

const ROUNDING = new Set<UnaryOp>(['floor', 'ceil', 'round', 'trunc']);

/**
 * The value of unary `op` on `x` (already converted to `dtype`), as `dtype`'s
 * storage type. `isnan` and `logicalNot` produce bool words.
 */
export function unaryExpr(op: UnaryOp, dtype: DType, x: string): string {
  // The integer form still names x: bindings a shader never uses vanish from its layout.
  if (op === 'isnan') return dtype === 'float32' ? `select(0u, 1u, k_isnan(${x}))` : `select(0u, 1u, false && ${x} != ${x})`;
  if (op === 'logicalNot') {
    const zero = dtype === 'float32' ? '0.0' : dtype === 'int32' ? '0' : '0u';
    return `select(0u, 1u, ${x} == ${zero})`;
  }
  if (dtype === 'float32') {
    const f = FLOAT_UNARY[op];
    if (!f) throw new Error(`webgpu: unary ${op} has no float kernel`);
    return f(x);
  }
  if (ROUNDING.has(op) || (op === 'relu' && dtype !== 'int32')) return x;
  if (dtype === 'int32') {
    if (op === 'neg') return `-${x}`;
    if (op === 'abs') return `abs(${x})`;
    if (op === 'sign') return `sign(${x})`;
    if (op === 'relu') return `max(${x}, 0)`;
  } else {
    if (op === 'neg') return `(0u - ${x})`;
    if (op === 'abs') return x;
    if (op === 'sign') return `select(0u, 1u, ${x} != 0u)`;
  }
  throw new Error(`webgpu: unary ${op} is not defined for ${dtype}`);
}

/** The value of binary `op` on `a` and `b` of `dtype`: a `dtype` value, or a bool word for comparisons. */
export function binaryExpr(op: BinaryOp, dtype: DType, a: string, b: string): string {
  const zero = dtype === 'float32' ? '0.0' : dtype === 'int32' ? '0' : '0u';
  const cmp = (c: string) => `select(0u, 1u, ${c})`;
  switch (op) {
    case 'eq':
      return cmp(`${a} == ${b}`);
    case 'ne':
      // Drivers may compile != as an ordered comparison, which is false for NaN.
      return dtype === 'float32' ? cmp(`!(${a} == ${b})`) : cmp(`${a} != ${b}`);
    case 'lt':
      return cmp(`${a} < ${b}`);
    case 'le':
      return cmp(`${a} <= ${b}`);
    case 'gt':
      return cmp(`${a} > ${b}`);
    case 'ge':
      return cmp(`${a} >= ${b}`);
    // !(x == 0) rather than x != 0: NaN is truthy, and drivers may compile != as an ordered compare.
    case 'logicalAnd':
      return cmp(`!(${a} == ${zero}) && !(${b} == ${zero})`);
    case 'logicalOr':
      return cmp(`!(${a} == ${zero}) || !(${b} == ${zero})`);
    case 'add':
      return `(${a} + ${b})`;
    case 'sub':
      return `(${a} - ${b})`;
    case 'mul':
      return `(${a} * ${b})`;
    default:
      break;
  }
  if (dtype === 'float32') {
    const f: Record<string, string> = {
      div: `(${a} / ${b})`,
      pow: `k_powf(${a}, ${b})`,
      maximum: `k_maxf(${a}, ${b})`,
      minimum: `k_minf(${a}, ${b})`,
      remainder: `k_remf(${a}, ${b})`,
      floorDivide: `k_floordivf(${a}, ${b})`,
    };
    return f[op];
  }
  const suffix = dtype === 'int32' ? 'i' : 'u';
  switch (op) {
    case 'div':
      throw new Error(`webgpu: div is only defined for float operands, got ${dtype}`);
    case 'pow':
      return `k_pow${suffix}(${a}, ${b})`;
    case 'maximum':
      return `max(${a}, ${b})`;
    case 'minimum':
      return `min(${a}, ${b})`;
    case 'remainder':
      return `k_rem${suffix}(${a}, ${b})`;
    case 'floorDivide':
      return `k_floordiv${suffix}(${a}, ${b})`;
    default:
      throw new Error(`webgpu: unknown binary op ${op}`);
  }
}
