import type { DType } from '@kindling/tensor';

/**
 * WGSL element type a dtype is stored as: uint8 and bool take one u32 each;
 * float16 is `f16` with `shader-f16` (`nativeFloat16`), else an f32 slot.
 */
export type WgslType = 'f16' | 'f32' | 'i32' | 'u32';

export function wgslType(dtype: DType, nativeFloat16 = false): WgslType {
  if (dtype === 'float32') return 'f32';
  if (dtype === 'float16') return nativeFloat16 ? 'f16' : 'f32';
  if (dtype === 'int32') return 'i32';
  return 'u32';
}

/**
 * `expr` (a value of dtype `from`) converted to dtype `to`, as torch converts.
 * Kernels compute float16 in f32: a float16 value in an expression is already
 * an f32 (map kernels widen loads), and a result bound for float16 is rounded
 * to the nearest half here; storing it as `f16` is then exact.
 */
export function convert(expr: string, from: DType, to: DType): string {
  if (from === to) return expr;
  if (from === 'float16') return convert(expr, 'float32', to);
  switch (to) {
    case 'float16':
      return `k_round_f16(${convert(expr, from, 'float32')})`;
    case 'float32':
      return from === 'float32' ? expr : `f32(${expr})`;
    case 'int32':
      return from === 'float32' ? `k_f2i(${expr})` : `i32(${expr})`;
    case 'uint8':
      if (from === 'float32') return `(bitcast<u32>(k_f2i(${expr})) & 255u)`;
      if (from === 'int32') return `(bitcast<u32>(${expr}) & 255u)`;
      return `${expr}`;
    case 'bool':
      if (from === 'float32') return `select(0u, 1u, !(${expr} == 0.0))`; // NaN is true
      if (from === 'int32') return `select(0u, 1u, ${expr} != 0)`;
      return `select(0u, 1u, ${expr} != 0u)`;
    default:
      throw new Error(`webgpu: no conversion to ${to}`);
  }
}

/** A computed value made storable: uint8 wraps to 8 bits and bool to 0/1. */
export function normalize(expr: string, dtype: DType): string {
  if (dtype === 'uint8') return `((${expr}) & 255u)`;
  if (dtype === 'bool') return `select(0u, 1u, (${expr}) != 0u)`;
  if (dtype === 'float16') return `k_round_f16(${expr})`;
  return expr;
}

/**
 * Helpers every kernel may call; unused ones cost nothing after compilation.
 * Typed `string`: a literal type would copy the whole WGSL into the published .d.ts.
 */
export const HELPERS: string = /* wgsl */ `
// a·b as (low word, high word): WGSL has no 64-bit integers (Philox, Payne-Hanek reduction).
fn k_mul_wide(a: u32, b: u32) -> vec2u {
  let aLo = a & 0xffffu;
  let aHi = a >> 16u;
  let bLo = b & 0xffffu;
  let bHi = b >> 16u;
  let lo = aLo * bLo;
  let mid1 = aHi * bLo;
  let mid2 = aLo * bHi;
  let carry = ((lo >> 16u) + (mid1 & 0xffffu) + (mid2 & 0xffffu)) >> 16u;
  return vec2u(a * b, aHi * bHi + (mid1 >> 16u) + (mid2 >> 16u) + carry);
}
fn k_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
// Through a var, since WGSL constant evaluation rejects non-finite values.
fn k_inf() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
fn k_nan() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
// Float to int32 truncates; NaN gives 0 and out-of-range values saturate.
fn k_f2i(x: f32) -> i32 {
  if (k_isnan(x)) { return 0; }
  if (x >= 2147483647.0) { return 2147483647; }
  if (x <= -2147483648.0) { return i32(-2147483647) - 1; }
  return i32(x);
}
// x rounded to the nearest float16 (ties to even, overflow to inf, gradual
// underflow) and kept as an f32; bit arithmetic, since WGSL leaves the
// rounding of f16() and pack2x16float() to the implementation.
fn k_round_f16(x: f32) -> f32 {
  let bits = bitcast<u32>(x);
  let sign = bits & 0x80000000u;
  let a = bits & 0x7fffffffu;
  if (a >= 0x7f800000u) { return x; }
  if (a >= 0x477ff000u) { return bitcast<f32>(sign | 0x7f800000u); }
  if (a <= 0x33000000u) { return bitcast<f32>(sign); }
  if (a < 0x38800000u) {
    // Subnormal halves are multiples of 2^-24: scaling by 2^24 is exact, round() ties to even.
    return bitcast<f32>(sign | bitcast<u32>(round(bitcast<f32>(a) * 16777216.0) * 5.9604644775390625e-8));
  }
  let lsb = (a >> 13u) & 1u;
  return bitcast<f32>(sign | ((a + 0xfffu + lsb) & 0xffffe000u));
}
fn k_linear(wid: vec3u, nwg: vec3u, lid: u32, size: u32) -> u32 { return (wid.y * nwg.x + wid.x) * size + lid; }
`;

/** The `main` signature of a 1-D kernel over a 2-D workgroup grid. */
export function mainHeader(workgroup: number): string {
  return `@compute @workgroup_size(${workgroup})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lidx: u32) {`;
}

/** Declares storage bindings in order, then the `prm` parameter words (laid out by `paramLayout`). */
export function bindings(list: readonly { name: string; type: string; write?: boolean }[]): string {
  const lines = list.map(
    (b, i) => `@group(0) @binding(${i}) var<storage, ${b.write ? 'read_write' : 'read'}> ${b.name}: array<${b.type}>;`,
  );
  lines.push(`@group(0) @binding(${list.length}) var<storage, read> prm: array<u32>;`);
  return lines.join('\n');
}
