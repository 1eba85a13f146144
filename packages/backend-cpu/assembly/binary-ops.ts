// The binary ops the SIMD kernels implement: one function per op, named as the
// op is in the op table (BINARY_OPS of @kindling/tensor), computing it on four
// float32 lanes. scripts/build-wasm.mjs reads the names of the functions
// exported here, numbers the ops in table order and writes their dispatch
// (ops.generated.ts), so adding a kernel is adding a function. Only exports
// here are ops.

@inline export function add(a: v128, b: v128): v128 { return f32x4.add(a, b); }
@inline export function sub(a: v128, b: v128): v128 { return f32x4.sub(a, b); }
@inline export function mul(a: v128, b: v128): v128 { return f32x4.mul(a, b); }
@inline export function div(a: v128, b: v128): v128 { return f32x4.div(a, b); }

/** f32x4.max propagates NaN, as torch.maximum does. */
@inline export function maximum(a: v128, b: v128): v128 { return f32x4.max(a, b); }

/** f32x4.min propagates NaN, as torch.minimum does. */
@inline export function minimum(a: v128, b: v128): v128 { return f32x4.min(a, b); }
