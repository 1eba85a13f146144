// Helpers shared by the kernels. `madd` is the one place the relaxed-SIMD
// build differs: a fused multiply-add there, separate mul + add otherwise.

/** `a * b + c`, lane-wise; fused (one rounding) in the relaxed-SIMD build. */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** The smaller of two integers. */
@inline
export function min(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

/** Sum of the four lanes. */
@inline
export function hsum(v: v128): f32 {
  const s = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  const t = f32x4.add(s, v128.shuffle<f32>(s, s, 1, 0, 3, 2));
  return f32x4.extract_lane(t, 0);
}

/** Largest of the four lanes (NaN wins, like f32x4.max). */
@inline
export function hmax(v: v128): f32 {
  const s = f32x4.max(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  const t = f32x4.max(s, v128.shuffle<f32>(s, s, 1, 0, 3, 2));
  return f32x4.extract_lane(t, 0);
}

/** Smallest of the four lanes (NaN wins, like f32x4.min). */
@inline
export function hmin(v: v128): f32 {
  const s = f32x4.min(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  const t = f32x4.min(s, v128.shuffle<f32>(s, s, 1, 0, 3, 2));
  return f32x4.extract_lane(t, 0);
}
