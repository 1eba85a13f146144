// Blocked single-precision matrix product C = A·B (GotoBLAS loop order).
//
// A and B are arbitrary strided matrices (strides in elements), so A·B, A·Bᵀ
// and Aᵀ·B are the same call with swapped strides. Each K×N block of B is
// packed into NR-column panels and each M×K block of A into panels of 5 or 4
// rows (panelRows5), both k-major and zero-padded, so the micro-kernels
// (micro-kernel.ts) read two contiguous streams whatever the source layout.

import { ACCUMULATE, BIAS, kernel4x8, kernel5x8, ROW_BIAS } from './micro-kernel';
import { packA, packB } from './pack';
import { min } from './simd';

/** Columns of C per micro-kernel call (two f32x4 vectors). */
export const NR: i32 = 8;
/**
 * Depth of one packed block: a kc×NR panel of B (16 KiB) stays in L1 with the
 * A panel it meets (10 KiB). 512 measured 2–3% faster than 256 at 1024³ and on
 * the 4096 Linear (half the passes over C), no slower on the seeds' shapes.
 */
const KC: i32 = 512;
/** Rows of one packed A block (MC×KC×4 = 280 KiB, kept in L2); a multiple of 5 and of 4. */
const MC: i32 = 140;
/** Columns of one packed B block. */
const NC: i32 = 1024;

const PACK_B_BYTES: i32 = KC * NC * 4;
const PACK_A_BYTES: i32 = MC * KC * 4;
/** One raw 5×8 tile, for edge tiles. */
const TILE_BYTES: i32 = 5 * NR * 4;

/** Bytes of scratch one matmul call (one thread) needs for its packed panels. */
export function matmulScratchBytes(): i32 {
  return PACK_B_BYTES + PACK_A_BYTES + TILE_BYTES;
}

/**
 * How many of a block's `mc` rows go in 5-row panels; the rest go in 4-row
 * panels (the last one zero-padded if short). Writing mc as 5p + 4q uses the
 * 5×8 kernel on most rows and never pads (64 = 12·5 + 4, 128 = 24·5 + 2·4);
 * the few sizes that cannot be written so (1–3, 6, 7, 11) pad one 4-row panel.
 * Blocks are MC rows but the last, so the panels of a block depend only on its
 * size. The plain-SIMD build (mul + add, whose chains run through the add)
 * keeps 4×8 everywhere: its 5×8 measured 6% slower.
 */
export function panelRows5(mc: i32): i32 {
  if (!ASC_FEATURE_RELAXED_SIMD) return 0;
  const fours = ((mc % 5) * 4) % 5;
  return fours * 4 <= mc ? mc - fours * 4 : (mc / 5) * 5;
}

// Copies the top-left rows×cols of a raw tile (rows NR floats apart) into C
// with the epilogue (`bias` points at the tile's first column, or its first
// row for ROW_BIAS).
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
  // A shallow product (K ≤ 256) reads a row-major B in place: packing would
  // copy it once for little reuse (the seeds' backward products). Not when its
  // rows are a multiple of 1 KiB apart: a panel's rows would share a few L1
  // sets. (Reading an Aᵀ in place measured 8% slower on dYᵀ·X, 512-byte rows.)
  const directB = K <= 256 && csB == 1 && (rsB & 255) != 0;
  for (let jc = n0; jc < n1; jc += NC) {
    const nc = min(NC, n1 - jc);
    for (let pc = 0; pc < K; pc += kcStep) {
      const kc = min(kcStep, K - pc);
      if (!directB) packB(b + <usize>(pc * rsB + jc * csB) * 4, rsB, csB, kc, nc, pb);
      let mode = pc > 0 || accumulate ? ACCUMULATE : 0;
      if (pc + kc >= K) {
        if (bias != 0) mode |= BIAS;
        else if (rowBias != 0) mode |= ROW_BIAS;
      }
      for (let ic = m0; ic < m1; ic += MC) {
        const mc = min(MC, m1 - ic);
        const rows5 = panelRows5(mc);
        packA(a + <usize>(ic * rsA + pc * csA) * 4, rsA, csA, mc, rows5, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          let panelB = pb + <usize>(jr * kc) * 4;
          let bStep: usize = NR * 4;
          if (directB) {
            panelB = b + <usize>(pc * rsB + jc + jr) * 4;
            bStep = <usize>rsB * 4;
            if (nr < NR) {
              // A short last panel is packed (zero-padded): reading 8 columns could pass B's end.
              packB(panelB, rsB, 1, kc, nr, pb);
              panelB = pb;
              bStep = NR * 4;
            }
          }
          // The epilogue reads the bias of a tile's columns, or of its rows.
          const tileBias = mode & ROW_BIAS ? rowBias + <usize>ic * 4 : bias + <usize>(jc + jr) * 4;
          const rowStep: usize = mode & ROW_BIAS ? 4 : 0;
          const cBlock = c + <usize>(jc + jr) * 4 + <usize>ic * ldc;
          blockColumn(pa, panelB, bStep, kc, mc, rows5, nr, cBlock, ldc, mode, tileBias, rowStep, tile);
        }
      }
    }
  }
}

// One column panel of B against every row panel of the packed A block:
// C[0:mc, 0:nr] of the block at `c`. `bias` advances `rowStep` bytes a row.
@inline
function blockColumn(
  pa: usize,
  pb: usize,
  bStep: usize,
  kc: i32,
  mc: i32,
  rows5: i32,
  nr: i32,
  c: usize,
  ldc: usize,
  mode: i32,
  bias: usize,
  rowStep: usize,
  tile: usize,
): void {
  let ir = 0;
  for (; ir < rows5; ir += 5) {
    const cTile = c + <usize>ir * ldc;
    const tileBias = bias + <usize>ir * rowStep;
    if (nr == NR) {
      kernel5x8(pa, pb, bStep, kc, cTile, ldc, mode, tileBias);
    } else {
      kernel5x8(pa, pb, bStep, kc, tile, NR * 4, 0, 0);
      storeTile(tile, cTile, ldc, 5, nr, mode, tileBias);
    }
    pa += <usize>kc * 20;
  }
  for (; ir < mc; ir += 4) {
    const mr = min(4, mc - ir);
    const cTile = c + <usize>ir * ldc;
    const tileBias = bias + <usize>ir * rowStep;
    if (mr == 4 && nr == NR) {
      kernel4x8(pa, pb, bStep, kc, cTile, ldc, mode, tileBias);
    } else {
      kernel4x8(pa, pb, bStep, kc, tile, NR * 4, 0, 0);
      storeTile(tile, cTile, ldc, mr, nr, mode, tileBias);
    }
    pa += <usize>kc * 16;
  }
}
