// Blocked single-precision matrix product C = A·B (GotoBLAS loop order).
//
// A and B are arbitrary strided matrices (strides in elements), so A·B, A·Bᵀ
// and Aᵀ·B are the same call with swapped strides. Each K×N block of B is
// packed into NR-column panels and each M×K block of A into MR-row panels, both
// k-major and zero-padded, so the micro-kernel reads two contiguous streams
// whatever the source layout. The 4×8 micro-kernel keeps a 4×8 tile of C in
// eight f32x4 registers.

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

/** Flag: add A·B to the existing contents of C instead of overwriting. */
export const ACCUMULATE: i32 = 1;
/** Flag: add `bias[n]` to every row of the result. */
export const BIAS: i32 = 2;
/** Flag: clamp the result at zero (after the bias). */
export const RELU: i32 = 4;

const PACK_B_BYTES: i32 = KC * NC * 4;
const PACK_A_BYTES: i32 = MC * KC * 4;
const TILE_BYTES: i32 = MR * NR * 4;

/** Bytes of scratch one matmul call (one thread) needs for its packed panels. */
export function matmulScratchBytes(): i32 {
  return PACK_B_BYTES + PACK_A_BYTES + TILE_BYTES;
}

// Packs a kc×nc block of B (element (k, n) at b + (k*rs + n*cs)*4) into
// ceil(nc/NR) panels of kc×NR floats, zero-padding the last panel.
function packB(b: usize, rs: i32, cs: i32, kc: i32, nc: i32, dst: usize): void {
  for (let j = 0; j < nc; j += NR) {
    const nr = min(NR, nc - j);
    const src = b + <usize>(j * cs) * 4;
    if (nr == NR && cs == 1) {
      for (let k = 0; k < kc; k++) {
        const p = src + <usize>(k * rs) * 4;
        v128.store(dst, v128.load(p));
        v128.store(dst, v128.load(p, 16), 16);
        dst += 32;
      }
    } else if (nr == NR && rs == 1) {
      // Bᵀ layout: each column is contiguous in k; transpose 4×4 tiles.
      const ld = <usize>cs * 4;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const p = src + <usize>k * 4;
        const r0 = v128.load(p);
        const r1 = v128.load(p + ld);
        const r2 = v128.load(p + 2 * ld);
        const r3 = v128.load(p + 3 * ld);
        const r4 = v128.load(p + 4 * ld);
        const r5 = v128.load(p + 5 * ld);
        const r6 = v128.load(p + 6 * ld);
        const r7 = v128.load(p + 7 * ld);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
        const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        const u0 = v128.shuffle<f32>(r4, r5, 0, 4, 1, 5);
        const u1 = v128.shuffle<f32>(r4, r5, 2, 6, 3, 7);
        const u2 = v128.shuffle<f32>(r6, r7, 0, 4, 1, 5);
        const u3 = v128.shuffle<f32>(r6, r7, 2, 6, 3, 7);
        v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
        v128.store(dst, v128.shuffle<f32>(u0, u2, 0, 1, 4, 5), 16);
        v128.store(dst, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 32);
        v128.store(dst, v128.shuffle<f32>(u0, u2, 2, 3, 6, 7), 48);
        v128.store(dst, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 64);
        v128.store(dst, v128.shuffle<f32>(u1, u3, 0, 1, 4, 5), 80);
        v128.store(dst, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 96);
        v128.store(dst, v128.shuffle<f32>(u1, u3, 2, 3, 6, 7), 112);
        dst += 128;
      }
      for (; k < kc; k++) {
        const p = src + <usize>k * 4;
        for (let jj = 0; jj < NR; jj++) store<f32>(dst + <usize>jj * 4, load<f32>(p + <usize>jj * ld));
        dst += 32;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const p = src + <usize>(k * rs) * 4;
        let jj = 0;
        for (; jj < nr; jj++) store<f32>(dst + <usize>jj * 4, load<f32>(p + <usize>(jj * cs) * 4));
        for (; jj < NR; jj++) store<f32>(dst + <usize>jj * 4, 0);
        dst += 32;
      }
    }
  }
}

// Packs an mc×kc block of A (element (m, k) at a + (m*rs + k*cs)*4) into
// ceil(mc/MR) panels of kc×MR floats, zero-padding the last panel.
function packA(a: usize, rs: i32, cs: i32, mc: i32, kc: i32, dst: usize): void {
  for (let i = 0; i < mc; i += MR) {
    const mr = min(MR, mc - i);
    const src = a + <usize>(i * rs) * 4;
    if (mr == MR && rs == 1) {
      // Aᵀ layout: the MR rows of one k are adjacent.
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src + <usize>(k * cs) * 4));
        dst += 16;
      }
    } else if (mr == MR && cs == 1) {
      const ld = <usize>rs * 4;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const p = src + <usize>k * 4;
        const r0 = v128.load(p);
        const r1 = v128.load(p + ld);
        const r2 = v128.load(p + 2 * ld);
        const r3 = v128.load(p + 3 * ld);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
        const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
        v128.store(dst, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
        v128.store(dst, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
        v128.store(dst, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
        dst += 64;
      }
      for (; k < kc; k++) {
        const p = src + <usize>k * 4;
        store<f32>(dst, load<f32>(p));
        store<f32>(dst, load<f32>(p + ld), 4);
        store<f32>(dst, load<f32>(p + 2 * ld), 8);
        store<f32>(dst, load<f32>(p + 3 * ld), 12);
        dst += 16;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const p = src + <usize>(k * cs) * 4;
        let ii = 0;
        for (; ii < mr; ii++) store<f32>(dst + <usize>ii * 4, load<f32>(p + <usize>(ii * rs) * 4));
        for (; ii < MR; ii++) store<f32>(dst + <usize>ii * 4, 0);
        dst += 16;
      }
    }
  }
}

// C[0:4, 0:8] (row stride ldc bytes) = or += packedA · packedB over kc, then
// the epilogue selected by `mode` (bias at `bias`, relu).
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
  if (mode & RELU) {
    const z = f32x4.splat(0);
    c00 = f32x4.max(c00, z);
    c01 = f32x4.max(c01, z);
    c10 = f32x4.max(c10, z);
    c11 = f32x4.max(c11, z);
    c20 = f32x4.max(c20, z);
    c21 = f32x4.max(c21, z);
    c30 = f32x4.max(c30, z);
    c31 = f32x4.max(c31, z);
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

// Copies the top-left rows×cols of a raw 4×8 tile into C with the epilogue.
function storeTile(tile: usize, c: usize, ldc: usize, rows: i32, cols: i32, mode: i32, bias: usize): void {
  for (let i = 0; i < rows; i++) {
    const crow = c + <usize>i * ldc;
    for (let j = 0; j < cols; j++) {
      const p = crow + <usize>j * 4;
      let v = load<f32>(tile + <usize>(i * NR + j) * 4);
      if (mode & ACCUMULATE) v += load<f32>(p);
      if (mode & BIAS) v += load<f32>(bias + <usize>j * 4);
      if (mode & RELU) v = v > 0 ? v : v == v ? 0 : v;
      store<f32>(p, v);
    }
  }
}

// C = epilogue(0) over a rectangle, for K == 0.
function fillEmpty(c: usize, ldc: usize, m0: i32, m1: i32, n0: i32, n1: i32, mode: i32, bias: usize): void {
  for (let i = m0; i < m1; i++) {
    for (let j = n0; j < n1; j++) {
      const p = c + <usize>i * ldc + <usize>j * 4;
      let v: f32 = mode & ACCUMULATE ? load<f32>(p) : 0;
      if (mode & BIAS) v += load<f32>(bias + <usize>j * 4);
      if (mode & RELU) v = v > 0 ? v : v == v ? 0 : v;
      store<f32>(p, v);
    }
  }
}

/**
 * C[m0:m1, n0:n1] (= or +=) A·B for A M×K, B K×N, C contiguous M×N, with
 * optional bias over columns and relu (see ACCUMULATE, BIAS, RELU). Pointers
 * are byte addresses, strides count elements. `scratch` holds
 * matmulScratchBytes() bytes owned by this call (one per thread).
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
  flags: i32,
  scratch: usize,
  m0: i32,
  m1: i32,
  n0: i32,
  n1: i32,
): void {
  const ldc = <usize>N * 4;
  if (K == 0) {
    fillEmpty(c, ldc, m0, m1, n0, n1, flags, bias);
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
      let mode = pc > 0 ? ACCUMULATE : flags & ACCUMULATE;
      if (pc + kc >= K) mode |= flags & (BIAS | RELU);
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
            if (mr == MR && nr == NR) {
              kernel4x8(panelA, panelB, kc, cTile, ldc, mode, biasCol);
            } else {
              kernel4x8(panelA, panelB, kc, tile, NR * 4, 0, 0);
              storeTile(tile, cTile, ldc, mr, nr, mode, biasCol);
            }
          }
        }
      }
    }
  }
}
