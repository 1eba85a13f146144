import type { DType } from '@kindling/tensor';

/** WGSL element type a dtype is stored as: uint8 and bool take one u32 each. */
export type WgslType = 'f32' | 'i32' | 'u32';

export function wgslType(dtype: DType): WgslType {
  if (dtype === 'float32') return 'f32';
  if (dtype === 'int32') return 'i32';
  return 'u32';
}

/** `expr` (a value of dtype `from`) converted to dtype `to`, as torch converts. */
export function convert(expr: string, from: DType, to: DType): string {
  if (from === to) return expr;
  switch (to) {
    case 'float32':
      return `f32(${expr})`;
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
  return expr;
}

/** Helpers every kernel may call; unused ones cost nothing after compilation. */
export const HELPERS = /* wgsl */ `
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
fn k_linear(wid: vec3u, nwg: vec3u, lid: u32, size: u32) -> u32 { return (wid.y * nwg.x + wid.x) * size + lid; }
`;

/** The `main` signature of a 1-D kernel over a 2-D workgroup grid. */
export function mainHeader(workgroup: number): string {
  return `@compute @workgroup_size(${workgroup})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lidx: u32) {`;
}

/** Declares storage bindings in order, then the `prm` parameter words. */
export function bindings(list: readonly { name: string; type: string; write?: boolean }[]): string {
  const lines = list.map(
    (b, i) => `@group(0) @binding(${i}) var<storage, ${b.write ? 'read_write' : 'read'}> ${b.name}: array<${b.type}>;`,
  );
  lines.push(`@group(0) @binding(${list.length}) var<storage, read> prm: array<u32>;`);
  return lines.join('\n');
}

/** Reads meta word `i` as a signed stride/offset. */
export const mi = (i: number | string): string => `bitcast<i32>(prm[${i}])`;
