// Elementwise float32 kernels over contiguous (or row/scalar-broadcast) data.
// The op is a constant inside each specialised loop: the dispatchers below
// switch once and call an @inline loop, which the optimiser folds per op.

import { vexp, vlog, vsigmoid, vtanh } from './vmath';

export const U_NEG: i32 = 0;
export const U_ABS: i32 = 1;
export const U_SQRT: i32 = 2;
export const U_RSQRT: i32 = 3;
export const U_RECIPROCAL: i32 = 4;
export const U_RELU: i32 = 5;
export const U_EXP: i32 = 6;
export const U_LOG: i32 = 7;
export const U_SIGMOID: i32 = 8;
export const U_TANH: i32 = 9;
export const U_FLOOR: i32 = 10;
export const U_CEIL: i32 = 11;
export const U_ROUND: i32 = 12;
export const U_TRUNC: i32 = 13;

@inline
function unaryVec(op: i32, x: v128): v128 {
  const one = f32x4.splat(1.0);
  if (op == U_NEG) return f32x4.neg(x);
  if (op == U_ABS) return f32x4.abs(x);
  if (op == U_SQRT) return f32x4.sqrt(x);
  if (op == U_RSQRT) return f32x4.div(one, f32x4.sqrt(x));
  if (op == U_RECIPROCAL) return f32x4.div(one, x);
  if (op == U_RELU) return f32x4.max(x, f32x4.splat(0));
  if (op == U_EXP) return vexp(x);
  if (op == U_LOG) return vlog(x);
  if (op == U_SIGMOID) return vsigmoid(x);
  if (op == U_TANH) return vtanh(x);
  if (op == U_FLOOR) return f32x4.floor(x);
  if (op == U_CEIL) return f32x4.ceil(x);
  if (op == U_ROUND) return f32x4.nearest(x);
  return f32x4.trunc(x);
}

@inline
function unaryLoop(op: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(out + o, unaryVec(op, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(out + o, f32x4.extract_lane(unaryVec(op, f32x4.splat(load<f32>(x + o))), 0));
  }
}

/** out[i] = op(x[i]) for n contiguous floats (out may equal x). */
export function unary(op: i32, x: usize, out: usize, n: i32): void {
  switch (op) {
    case U_NEG: unaryLoop(U_NEG, x, out, n); break;
    case U_ABS: unaryLoop(U_ABS, x, out, n); break;
    case U_SQRT: unaryLoop(U_SQRT, x, out, n); break;
    case U_RSQRT: unaryLoop(U_RSQRT, x, out, n); break;
    case U_RECIPROCAL: unaryLoop(U_RECIPROCAL, x, out, n); break;
    case U_RELU: unaryLoop(U_RELU, x, out, n); break;
    case U_EXP: unaryLoop(U_EXP, x, out, n); break;
    case U_LOG: unaryLoop(U_LOG, x, out, n); break;
    case U_SIGMOID: unaryLoop(U_SIGMOID, x, out, n); break;
    case U_TANH: unaryLoop(U_TANH, x, out, n); break;
    case U_FLOOR: unaryLoop(U_FLOOR, x, out, n); break;
    case U_CEIL: unaryLoop(U_CEIL, x, out, n); break;
    case U_ROUND: unaryLoop(U_ROUND, x, out, n); break;
    default: unaryLoop(U_TRUNC, x, out, n);
  }
}

export const B_ADD: i32 = 0;
export const B_SUB: i32 = 1;
export const B_MUL: i32 = 2;
export const B_DIV: i32 = 3;
export const B_MAXIMUM: i32 = 4;
export const B_MINIMUM: i32 = 5;

@inline
function binaryVec(op: i32, a: v128, b: v128): v128 {
  if (op == B_ADD) return f32x4.add(a, b);
  if (op == B_SUB) return f32x4.sub(a, b);
  if (op == B_MUL) return f32x4.mul(a, b);
  if (op == B_DIV) return f32x4.div(a, b);
  if (op == B_MAXIMUM) return f32x4.max(a, b);
  return f32x4.min(a, b);
}

@inline
function binaryScalar(op: i32, a: f32, b: f32): f32 {
  return f32x4.extract_lane(binaryVec(op, f32x4.splat(a), f32x4.splat(b)), 0);
}

// One row of `cols` outputs; a and b step 1 (contiguous) or 0 (repeated).
@inline
function binaryRow(op: i32, a: usize, aStep: i32, b: usize, bStep: i32, out: usize, cols: i32): void {
  let i = 0;
  if (aStep != 0 && bStep != 0) {
    for (; i + 4 <= cols; i += 4) {
      const o = <usize>i * 4;
      v128.store(out + o, binaryVec(op, v128.load(a + o), v128.load(b + o)));
    }
  } else if (aStep != 0) {
    const vb = v128.load32_splat(b);
    for (; i + 4 <= cols; i += 4) {
      const o = <usize>i * 4;
      v128.store(out + o, binaryVec(op, v128.load(a + o), vb));
    }
  } else if (bStep != 0) {
    const va = v128.load32_splat(a);
    for (; i + 4 <= cols; i += 4) {
      const o = <usize>i * 4;
      v128.store(out + o, binaryVec(op, va, v128.load(b + o)));
    }
  }
  for (; i < cols; i++) {
    const o = <usize>i * 4;
    store<f32>(out + o, binaryScalar(op, load<f32>(a + o * aStep), load<f32>(b + o * bStep)));
  }
}

@inline
function binaryLoop(op: i32, a: usize, aRow: i32, aStep: i32, b: usize, bRow: i32, bStep: i32, out: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    binaryRow(op, a + <usize>(r * aRow) * 4, aStep, b + <usize>(r * bRow) * 4, bStep, out + <usize>(r * cols) * 4, cols);
  }
}

/**
 * out[r, c] = op(a[r*aRow + c*aStep], b[r*bRow + c*bStep]) for a contiguous
 * rows×cols output; steps are 1 (contiguous) or 0 (broadcast), so full arrays,
 * scalars, row vectors (bias) and column vectors (keepdim reductions) all fit.
 */
export function binary(op: i32, a: usize, aRow: i32, aStep: i32, b: usize, bRow: i32, bStep: i32, out: usize, rows: i32, cols: i32): void {
  switch (op) {
    case B_ADD: binaryLoop(B_ADD, a, aRow, aStep, b, bRow, bStep, out, rows, cols); break;
    case B_SUB: binaryLoop(B_SUB, a, aRow, aStep, b, bRow, bStep, out, rows, cols); break;
    case B_MUL: binaryLoop(B_MUL, a, aRow, aStep, b, bRow, bStep, out, rows, cols); break;
    case B_DIV: binaryLoop(B_DIV, a, aRow, aStep, b, bRow, bStep, out, rows, cols); break;
    case B_MAXIMUM: binaryLoop(B_MAXIMUM, a, aRow, aStep, b, bRow, bStep, out, rows, cols); break;
    default: binaryLoop(B_MINIMUM, a, aRow, aStep, b, bRow, bStep, out, rows, cols);
  }
}

/** out[i] = y[i] <= 0 ? 0 : grad[i]: relu's backward from its output y (PyTorch's threshold_backward; a NaN output passes the gradient). */
export function reluBackward(grad: usize, y: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(out + o, v128.andnot(v128.load(grad + o), f32x4.le(v128.load(y + o), zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(out + o, load<f32>(y + o) <= 0 ? 0 : load<f32>(grad + o));
  }
}

/** y[i] += alpha * x[i] (SGD steps, gradient accumulation). */
export function axpy(alpha: f32, x: usize, y: usize, n: i32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

@inline
function affineVec(q: v128, scale: v128, shift: v128): v128 {
  return f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(q), scale), shift);
}

/**
 * out[i] = f32(x[i]) * scale + shift for n bytes x: torchvision's ToTensor +
 * Normalize in one pass. A multiply then an add (never fused), so every
 * build rounds as the unfused ops do.
 */
export function affineBytes(x: usize, out: usize, n: i32, scale: f32, shift: f32): void {
  const vs = f32x4.splat(scale);
  const vt = f32x4.splat(shift);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const bytes = v128.load(x + <usize>i);
    const lo = i16x8.extend_low_i8x16_u(bytes);
    const hi = i16x8.extend_high_i8x16_u(bytes);
    const o = out + <usize>i * 4;
    v128.store(o, affineVec(i32x4.extend_low_i16x8_u(lo), vs, vt));
    v128.store(o + 16, affineVec(i32x4.extend_high_i16x8_u(lo), vs, vt));
    v128.store(o + 32, affineVec(i32x4.extend_low_i16x8_u(hi), vs, vt));
    v128.store(o + 48, affineVec(i32x4.extend_high_i16x8_u(hi), vs, vt));
  }
  for (; i < n; i++) {
    store<f32>(out + <usize>i * 4, <f32>load<u8>(x + <usize>i) * scale + shift);
  }
}
