// Elementwise float32 loops over contiguous (or row/scalar-broadcast) data.
// The ops are in unary-ops.ts and binary-ops.ts; the entry points that pick
// one (unary, binary) are generated into ops.generated.ts and call the loops
// here with the op's code as a constant, so the optimiser folds the op's
// kernel into each specialised loop.

import { binaryVec, unaryVec } from './ops.generated';

/** out[i] = op(x[i]) for n contiguous floats (out may equal x). */
@inline
export function unaryLoop(op: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(out + o, unaryVec(op, v128.load(x + o)));
  }
  // The tail goes through the same vector arithmetic, so every element rounds alike.
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(out + o, f32x4.extract_lane(unaryVec(op, f32x4.splat(load<f32>(x + o))), 0));
  }
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

/**
 * out[r, c] = op(a[r*aRow + c*aStep], b[r*bRow + c*bStep]) for a contiguous
 * rows×cols output; steps are 1 (contiguous) or 0 (broadcast), so full arrays,
 * scalars, row vectors (bias) and column vectors (keepdim reductions) all fit.
 */
@inline
export function binaryLoop(op: i32, a: usize, aRow: i32, aStep: i32, b: usize, bRow: i32, bStep: i32, out: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    binaryRow(op, a + <usize>(r * aRow) * 4, aStep, b + <usize>(r * bRow) * 4, bStep, out + <usize>(r * cols) * 4, cols);
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
