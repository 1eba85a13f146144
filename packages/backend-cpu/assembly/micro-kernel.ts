// The matrix product's micro-kernels (matmul.ts): C[0:rows, 0:8] (row stride
// ldc bytes) = or += packedA · packedB over kc, then the epilogue selected by
// `mode`. One accumulator per row and 4-column vector, kept in registers.
//
// Why 5×8 (measured on Zen 4, Node 20 / V8 11.3, tools/bench/README.md): an
// FMA whose chain runs through its addend (c = a·b + c) needs about 12
// independent chains to keep both FMA pipes busy (8 give 94%, 10 give 95–96%),
// and V8 issues all of an iteration's loads before its FMAs, so every loaded
// vector takes a register for the whole iteration; with 15 allocatable xmm
// registers, 5×8 is the largest tile that does not spill: 10 accumulators,
// two B vectors, four A values loaded as one vector and splat by shuffles
// (computed next to their FMAs, so one register), the fifth as a load-splat.
// 6×8 or 5×8 with five load-splats spill and run at half speed. The 4×8
// kernel (8 chains) takes the panels a 5-row tiling leaves over.
//
// Each kernel writes its epilogue out, loading all of C before storing any:
// one inlined helper per row (load, add, store, next row) measured 3% slower
// on the seeds' step's products, alternated in one process.

import { madd } from './simd';

/** Add the product to C's contents (every k-block after the first). */
export const ACCUMULATE: i32 = 1;
/** Add `bias[n]` to every row (the last k-block, with a bias). */
export const BIAS: i32 = 2;
/** Add `bias[m]` to every column (convolution's per-channel bias, the last k-block). */
export const ROW_BIAS: i32 = 4;

/**
 * The 5×8 tile over a packed panel of A (5 floats per k) and B's 8 values of
 * each k, `bStep` bytes apart (a packed panel, or B's rows read in place).
 */
@inline
export function kernel5x8(pa: usize, pb: usize, bStep: usize, kc: i32, c: usize, ldc: usize, mode: i32, bias: usize): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0);
  let c41 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const av = v128.load(pa);
    let a = v128.shuffle<f32>(av, av, 0, 0, 0, 0);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.shuffle<f32>(av, av, 1, 1, 1, 1);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.shuffle<f32>(av, av, 2, 2, 2, 2);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.shuffle<f32>(av, av, 3, 3, 3, 3);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = madd(a, b0, c40);
    c41 = madd(a, b1, c41);
    pa += 20;
    pb += bStep;
  }
  const c1 = c + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  const c4 = c3 + ldc;
  if (mode & ACCUMULATE) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c1));
    c11 = f32x4.add(c11, v128.load(c1, 16));
    c20 = f32x4.add(c20, v128.load(c2));
    c21 = f32x4.add(c21, v128.load(c2, 16));
    c30 = f32x4.add(c30, v128.load(c3));
    c31 = f32x4.add(c31, v128.load(c3, 16));
    c40 = f32x4.add(c40, v128.load(c4));
    c41 = f32x4.add(c41, v128.load(c4, 16));
  }
  if (mode & BIAS) {
    const b0 = v128.load(bias);
    const b1 = v128.load(bias, 16);
    c00 = f32x4.add(c00, b0);
    c01 = f32x4.add(c01, b1);
    c10 = f32x4.add(c10, b0);
    c11 = f32x4.add(c11, b1);
    c20 = f32x4.add(c20, b0);
    c21 = f32x4.add(c21, b1);
    c30 = f32x4.add(c30, b0);
    c31 = f32x4.add(c31, b1);
    c40 = f32x4.add(c40, b0);
    c41 = f32x4.add(c41, b1);
  }
  if (mode & ROW_BIAS) {
    let r = v128.load32_splat(bias);
    c00 = f32x4.add(c00, r);
    c01 = f32x4.add(c01, r);
    r = v128.load32_splat(bias, 4);
    c10 = f32x4.add(c10, r);
    c11 = f32x4.add(c11, r);
    r = v128.load32_splat(bias, 8);
    c20 = f32x4.add(c20, r);
    c21 = f32x4.add(c21, r);
    r = v128.load32_splat(bias, 12);
    c30 = f32x4.add(c30, r);
    c31 = f32x4.add(c31, r);
    r = v128.load32_splat(bias, 16);
    c40 = f32x4.add(c40, r);
    c41 = f32x4.add(c41, r);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c1, c10);
  v128.store(c1, c11, 16);
  v128.store(c2, c20);
  v128.store(c2, c21, 16);
  v128.store(c3, c30);
  v128.store(c3, c31, 16);
  v128.store(c4, c40);
  v128.store(c4, c41, 16);
}

/** The 4×8 tile, over a packed panel of A holding 4 floats per k. */
@inline
export function kernel4x8(pa: usize, pb: usize, bStep: usize, kc: i32, c: usize, ldc: usize, mode: i32, bias: usize): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 16;
    pb += bStep;
  }
  const c1 = c + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  if (mode & ACCUMULATE) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c1));
    c11 = f32x4.add(c11, v128.load(c1, 16));
    c20 = f32x4.add(c20, v128.load(c2));
    c21 = f32x4.add(c21, v128.load(c2, 16));
    c30 = f32x4.add(c30, v128.load(c3));
    c31 = f32x4.add(c31, v128.load(c3, 16));
  }
  if (mode & BIAS) {
    const b0 = v128.load(bias);
    const b1 = v128.load(bias, 16);
    c00 = f32x4.add(c00, b0);
    c01 = f32x4.add(c01, b1);
    c10 = f32x4.add(c10, b0);
    c11 = f32x4.add(c11, b1);
    c20 = f32x4.add(c20, b0);
    c21 = f32x4.add(c21, b1);
    c30 = f32x4.add(c30, b0);
    c31 = f32x4.add(c31, b1);
  }
  if (mode & ROW_BIAS) {
    let r = v128.load32_splat(bias);
    c00 = f32x4.add(c00, r);
    c01 = f32x4.add(c01, r);
    r = v128.load32_splat(bias, 4);
    c10 = f32x4.add(c10, r);
    c11 = f32x4.add(c11, r);
    r = v128.load32_splat(bias, 8);
    c20 = f32x4.add(c20, r);
    c21 = f32x4.add(c21, r);
    r = v128.load32_splat(bias, 12);
    c30 = f32x4.add(c30, r);
    c31 = f32x4.add(c31, r);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c1, c10);
  v128.store(c1, c11, 16);
  v128.store(c2, c20);
  v128.store(c2, c21, 16);
  v128.store(c3, c30);
  v128.store(c3, c31, 16);
}
