// Blocked single-precision matrix product C = A·B (GotoBLAS loop order).
//
// A and B are arbitrary strided matrices (strides in elements), so A·B, A·Bᵀ
// and Aᵀ·B are the same call with swapped strides. Each K×N block of B is
// packed into NR-column panels and each M×K block of A into MR-row panels, both
// k-major and zero-padded, so the micro-kernel reads two contiguous streams
// whatever the source layout. The 4×8 micro-kernel keeps a 4×8 tile of C in
// eight f32x4 registers.

import { packA, packB } from './pack';
import { madd, min } from './simd';

/** Rows of C per micro-kernel call. */
export const MR: i32 = 4;
/** Columns of C per micro-kernel call (two f32x4 vectors). */
export const NR: i32 = 8;
/** Depth of one packed block; a kc×NR panel of B (8 KiB) stays in L1. */
const KC: i32 = 256;
/** Rows of one packed A block (MC×KC×4 = 128 KiB, kept in L2). */
const MC: i32 = 128;
/** Columns of one packed B block. */
const NC: i32 = 1024;

// Epilogue modes of the micro-kernel: k-blocks after the first add onto C;
// the last one adds the bias, when there is one.
/** Add the product to C's contents (every k-block after the first). */
const ACCUMULATE: i32 = 1;
/** Add `bias[n]` to every row (the last k-block, with a bias). */
const BIAS: i32 = 2;
/** Add `bias[m]` to every column (convolution's per-channel bias, the last k-block). */
const ROW_BIAS: i32 = 4;

const PACK_B_BYTES: i32 = KC * NC * 4;
const PACK_A_BYTES: i32 = MC * KC * 4;
const TILE_BYTES: i32 = MR * NR * 4;

/** Bytes of scratch one matmul call (one thread) needs for its packed panels. */
export function matmulScratchBytes(): i32 {
  return PACK_B_BYTES + PACK_A_BYTES + TILE_BYTES;
}

// C[0:4, 0:8] (row stride ldc bytes) = or += packedA · packedB over kc, then
// the epilogue selected by `mode` (bias at `bias`).
@inline
function kernel4x8(pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, mode: i32, bias: usize): void {
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
    pb += 32;
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

// Copies the top-left rows×cols of a raw 4×8 tile into C with the epilogue
// (`bias` points at the tile's first column, or its first row for ROW_BIAS).
function storeTile(tile: usize, c: usize, ldc: usize, rows: i32, cols: i32, mode: i32, bias: usize): void {
  for (let i = 0; i < rows; i++) {
    const crow = c + <usize>i * ldc;
    for (let j = 0; j < cols; j++) {
      const p = crow + <usize>j * 4;
      let v = load<f32>(tile + <usize>(i * NR + j) * 4);
      if (mode & ACCUMULATE) v += load<f32>(p);
      if (mode & BIAS) v += load<f32>(bias + <usize>j * 4);
      if (mode & ROW_BIAS) v += load<f32>(bias + <usize>i * 4);
      store<f32>(p, v);
    }
  }
}

// C = bias (or 0) over a rectangle, for K == 0.
function fillEmpty(c: usize, ldc: usize, m0: i32, m1: i32, n0: i32, n1: i32, bias: usize, rowBias: usize): void {
  for (let i = m0; i < m1; i++) {
    for (let j = n0; j < n1; j++) {
      // 0 + bias, not bias: a -0 bias gives +0, as the product's zero plus the bias does.
      let v: f32 = 0;
      if (bias) v += load<f32>(bias + <usize>j * 4);
      if (rowBias) v += load<f32>(rowBias + <usize>i * 4);
      store<f32>(c + <usize>i * ldc + <usize>j * 4, v);
    }
  }
}

/**
 * C[m0:m1, n0:n1] = A·B (+ bias[n] on every row when `bias` is not 0) for A
 * M×K, B K×N, C contiguous M×N. Pointers are byte addresses, strides count
 * elements. `scratch` holds matmulScratchBytes() bytes owned by this call
 * (one per thread).
 */
export function matmul(
  a: usize,
  rsA: i32,
  csA: i32,
  b: usize,
  rsB: i32,
  csB: i32,
  c: usize,
  M: i32,
  K: i32,
  N: i32,
  bias: usize,
  scratch: usize,
  m0: i32,
  m1: i32,
  n0: i32,
  n1: i32,
): void {
  gemm(a, rsA, csA, b, rsB, csB, c, N, K, bias, 0, false, scratch, m0, m1, n0, n1);
}

/**
 * The product behind `matmul`, for kernels that call it on parts of their
 * operands (convolution): C[m0:m1, n0:n1] = A·B, or += when `accumulate`,
 * with C's rows `ldcFloats` apart; `bias` (0: none) holds N floats added to
 * every row, else `rowBias` (0: none) M floats added to every column.
 */
export function gemm(
  a: usize,
  rsA: i32,
  csA: i32,
  b: usize,
  rsB: i32,
  csB: i32,
  c: usize,
  ldcFloats: i32,
  K: i32,
  bias: usize,
  rowBias: usize,
  accumulate: bool,
  scratch: usize,
  m0: i32,
  m1: i32,
  n0: i32,
  n1: i32,
): void {
  const ldc = <usize>ldcFloats * 4;
  if (K == 0) {
    if (!accumulate) fillEmpty(c, ldc, m0, m1, n0, n1, bias, rowBias);
    return;
  }
  const pb = scratch;
  const pa = scratch + PACK_B_BYTES;
  const tile = pa + PACK_A_BYTES;
  // Equal k-blocks (a multiple of 4 deep) avoid a short last block.
  const kBlocks = (K + KC - 1) / KC;
  const kcStep = min(KC, (((K + kBlocks - 1) / kBlocks + 3) >> 2) << 2);
  for (let jc = n0; jc < n1; jc += NC) {
    const nc = min(NC, n1 - jc);
    for (let pc = 0; pc < K; pc += kcStep) {
      const kc = min(kcStep, K - pc);
      packB(b + <usize>(pc * rsB + jc * csB) * 4, rsB, csB, kc, nc, pb);
      let mode = pc > 0 || accumulate ? ACCUMULATE : 0;
      if (pc + kc >= K) {
        if (bias != 0) mode |= BIAS;
        else if (rowBias != 0) mode |= ROW_BIAS;
      }
      for (let ic = m0; ic < m1; ic += MC) {
        const mc = min(MC, m1 - ic);
        packA(a + <usize>(ic * rsA + pc * csA) * 4, rsA, csA, mc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const panelB = pb + <usize>(jr * kc) * 4;
          const cCol = c + <usize>(jc + jr) * 4;
          const biasCol = bias + <usize>(jc + jr) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const panelA = pa + <usize>(ir * kc) * 4;
            const cTile = cCol + <usize>(ic + ir) * ldc;
            // The epilogue reads the bias of this tile's columns, or of its rows.
            const tileBias = mode & ROW_BIAS ? rowBias + <usize>(ic + ir) * 4 : biasCol;
            if (mr == MR && nr == NR) {
              kernel4x8(panelA, panelB, kc, cTile, ldc, mode, tileBias);
            } else {
              kernel4x8(panelA, panelB, kc, tile, NR * 4, 0, 0);
              storeTile(tile, cTile, ldc, mr, nr, mode, tileBias);
            }
          }
        }
      }
    }
  }
}
