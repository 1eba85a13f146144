/**
 * WGSL sine and cosine after Cephes' float32 sinf/cosf (polynomials on
 * [-π/4, π/4], about 1 ulp), with their argument reduced exactly for every
 * float32: Cody-Waite below 8192, Payne-Hanek above, where the three-part
 * π/4 would leave most bits of the reduced argument wrong.
 * Typed `string`: a literal type would copy the whole WGSL into the published .d.ts.
 */
export const TRIG: string = /* wgsl */ `
fn k_sin_poly(x: f32, z: f32) -> f32 { return ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * x + x; }
fn k_cos_poly(z: f32) -> f32 { return ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0; }
// Payne-Hanek for |x| >= 8192: |x|·4/π = m·2^e·(2/π) with m the 24-bit
// significand. Bits of 2/π that would only add multiples of 8 (a whole turn)
// are skipped; the next 96 times m give, exactly, the octant (bits 93-95 of
// the product) and a 64-bit fraction, enough for the closest float32 to a
// multiple of π/4.
fn k_reduce_large(ax: f32) -> vec2f {
  // 2/π in binary after 64 zero bits, so the window may start before its point.
  var bits = array<u32, 10>(0u, 0u, 0xa2f9836eu, 0x4e441529u, 0xfc2757d1u, 0xf534ddc0u, 0xdb629599u, 0x3c439041u,
    0xfe5163abu, 0xdebbc561u);
  let b = bitcast<u32>(ax);
  let m = (b & 0x7fffffu) | 0x800000u;
  let e = i32(b >> 23u) - 149;
  // The first bit kept is 2^-(e - 2) of 2/π, padded index e + 61.
  let q = u32(e + 61);
  let i = q / 32u;
  let s = q % 32u;
  // Shifting by 32 - 0 would shift by 0 (WGSL takes shifts modulo 32): select the unshifted word instead.
  let v2 = select((bits[i] << s) | (bits[i + 1u] >> (32u - s)), bits[i], s == 0u);
  let v1 = select((bits[i + 1u] << s) | (bits[i + 2u] >> (32u - s)), bits[i + 1u], s == 0u);
  let v0 = select((bits[i + 2u] << s) | (bits[i + 3u] >> (32u - s)), bits[i + 2u], s == 0u);
  let p0 = k_mul_wide(m, v0);
  let p1 = k_mul_wide(m, v1);
  let p2 = k_mul_wide(m, v2);
  let w1 = p0.y + p1.x;
  // Carries past word 2 are whole turns.
  let w2 = p1.y + p2.x + select(0u, 1u, w1 < p0.y);
  var j = w2 >> 29u;
  var hi = (w2 << 3u) | (w1 >> 29u);
  var lo = (w1 << 3u) | (p0.x >> 29u);
  var sgn = 1.0;
  // As in k_reduce, an odd octant moves up one and the argument is (fraction - 1)·π/4: negate the fraction.
  if ((j & 1u) == 1u) {
    j = (j + 1u) & 7u;
    hi = ~hi + select(0u, 1u, lo == 0u);
    lo = 0u - lo;
    sgn = -1.0;
  }
  let f = f32(hi) * 2.3283064365386963e-10 + f32(lo) * 5.421010862427522e-20;
  return vec2f(sgn * f * 0.78539816339744831, f32(j));
}
// Octant of |x| (even: odd ones round up) and the argument reduced to [-π/4, π/4].
fn k_reduce(ax: f32) -> vec2f {
  if (ax >= 8192.0) { return k_reduce_large(ax); }
  // Cody-Waite with three parts of π/4, exact while the octant has at most 13 bits.
  var j = u32(ax * 1.27323954473516);
  var y = f32(j);
  if ((j & 1u) == 1u) { j += 1u; y += 1.0; }
  let r = ((ax - y * 0.78515625) - y * 2.4187564849853515625e-4) - y * 3.77489497744594108e-8;
  return vec2f(r, f32(j & 7u));
}
fn k_sin(x: f32) -> f32 {
  if (k_isnan(x) || abs(x) == k_inf()) { return k_nan(); }
  // From the sign bit, so sin(-0) is -0.
  var sgn = select(1.0, -1.0, (bitcast<u32>(x) & 0x80000000u) != 0u);
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
`;
