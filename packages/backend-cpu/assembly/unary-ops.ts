// The unary ops the SIMD kernels implement: one function per op, named as the
// op is in the op table (UNARY_OPS of @kindling/tensor), computing it on four
// float32 lanes. scripts/build-wasm.mjs reads the names of the functions
// exported here, numbers the ops in table order and writes their dispatch
// (ops.generated.ts), so adding a kernel is adding a function. Only exports
// here are ops; the unary path passes no parameters, so ops with parameters
// (leakyRelu, softplus...) cannot have a kernel here.

import { vexp, vlog, vsigmoid, vtanh } from './vmath';

@inline export function neg(x: v128): v128 { return f32x4.neg(x); }
@inline export function abs(x: v128): v128 { return f32x4.abs(x); }
@inline export function exp(x: v128): v128 { return vexp(x); }
@inline export function log(x: v128): v128 { return vlog(x); }
@inline export function sqrt(x: v128): v128 { return f32x4.sqrt(x); }

/** Rounds twice (sqrt, then divide), as PyTorch's does. */
@inline export function rsqrt(x: v128): v128 { return f32x4.div(f32x4.splat(1.0), f32x4.sqrt(x)); }
@inline export function reciprocal(x: v128): v128 { return f32x4.div(f32x4.splat(1.0), x); }
@inline export function tanh(x: v128): v128 { return vtanh(x); }
@inline export function sigmoid(x: v128): v128 { return vsigmoid(x); }

/** f32x4.max propagates NaN, as torch.relu does. */
@inline export function relu(x: v128): v128 { return f32x4.max(x, f32x4.splat(0)); }

/** `x / (1 + e^-x)`, as PyTorch computes it (no overflow: e^-x = inf gives -0). */
@inline export function silu(x: v128): v128 { return f32x4.div(x, f32x4.add(f32x4.splat(1.0), vexp(f32x4.neg(x)))); }
@inline export function floor(x: v128): v128 { return f32x4.floor(x); }
@inline export function ceil(x: v128): v128 { return f32x4.ceil(x); }

/** Ties to even, like torch.round. */
@inline export function round(x: v128): v128 { return f32x4.nearest(x); }
@inline export function trunc(x: v128): v128 { return f32x4.trunc(x); }
