// 3×3, stride-1, undilated convolution by Winograd's F(2×2, 3×3)
// (winograd-transforms.ts): per sample, the input is copied zero padded into
// P [C][Hp][Wp]; per block of D_TILE tile rows, its tiles are transformed
// into V [16][C][tb], the 16 products M[ξ] = U[ξ]·V[ξ] run on the matmul's
// GEMM, and M [16][O][tb] is transformed back into the output. That is 2.25×
// fewer multiply-adds than im2col. The input gradient is the same
// convolution of the gradient, padded by 2 - padding, with the flipped,
// transposed kernel (winogradWeights' `flip`); the weight gradient is the
// adjoint of the factorisation: dU[ξ] = Σ_t dM[ξ]·V[ξ]ᵀ with dM = A·dY·Aᵀ,
// then dw = Gᵀ·dU·G (winogradWeightsBack).
//
// Descriptor (window.ts): D_N, D_C (input channels), D_H, D_W, D_COUT (output
// channels), D_PH, D_PW, D_OH, D_OW, D_X (+ strides), D_WEIGHT (U [16][O][C],
// or the weight gradient's per-part accumulators [16][O][C]), D_BIAS, D_Y
// (+ D_YSN, D_YSC, D_YSL), D_WS, D_WS_BYTES, D_OFF_Q/V/M, D_CHUNK, D_TILE.

import { Descriptor, descriptor } from './descriptor';
import { gemm } from './matmul';
import { partEnd, partStart, workspace } from './parts';
import { gradTiles, inputTiles, outputTiles, winogradWeights, winogradWeightsBack } from './winograd-transforms';

/** Tiles per tile column (TH) and per tile row (TW): each tile is 2×2 outputs. */
@inline
function tileRows(g: Descriptor): i32 {
  return (g.oh + 1) >> 1;
}

@inline
function tileCols(g: Descriptor): i32 {
  return (g.ow + 1) >> 1;
}

/** Tiles per tile row, rounded up to whole groups of 4 (the vector width of the transforms). */
@inline
function groupedWidth(g: Descriptor): i32 {
  return ((tileCols(g) + 3) >> 2) << 2;
}

/** P's rows and columns: the tiles' inputs overlap by 2, so 2·TH + 2 by 2·TW4 + 2. */
@inline
function paddedHeight(g: Descriptor): i32 {
  return tileRows(g) * 2 + 2;
}

@inline
function paddedWidth(g: Descriptor): i32 {
  return groupedWidth(g) * 2 + 2;
}

/**
 * Copies `planes` planes of `rows`×`cols` floats (plane, row and column
 * strides in floats) into the zeroed dense block [planes][Hd][Wd] at `dst`,
 * starting at row `top`, column `left`: P and Q are both built this way.
 */
function copyPadded(src: usize, planes: i32, rows: i32, cols: i32, sPlane: i32, sRow: i32, sCol: i32, dst: usize, Hd: i32, Wd: i32, top: i32, left: i32): void {
  memory.fill(dst, 0, <usize>(planes * Hd * Wd) * 4);
  for (let c = 0; c < planes; c++) {
    for (let h = 0; h < rows; h++) {
      const from = src + <usize>(c * sPlane + h * sRow) * 4;
      const to = dst + <usize>((c * Hd + h + top) * Wd + left) * 4;
      if (sCol == 1) memory.copy(to, from, <usize>cols * 4);
      else for (let w = 0; w < cols; w++) store<f32>(to + <usize>w * 4, load<f32>(from + <usize>(w * sCol) * 4));
    }
  }
}

/** Copies image n of D_X, zero padded by (D_PH, D_PW), into P [C][Hp][Wp] with Hp = 2·TH + 2, Wp = 2·TW4 + 2. */
function padInput(g: Descriptor, n: i32, p: usize): void {
  const Hp = paddedHeight(g);
  const Wp = paddedWidth(g);
  const x = g.x + <usize>n * <usize>g.xsN * 4;
  const rows = min(g.h, Hp - g.ph);
  const cols = min(g.w, Wp - g.pw);
  copyPadded(x, g.c, rows, cols, g.xsC, g.xsH, g.xsW, p, Hp, Wp, g.ph, g.pw);
}

/**
 * The transformed tiles of tile rows [th0, th0 + rows) of the padded block
 * `src` [planes][Hs][Ws] into `out` [16][planes][tb], by inputTiles (V) or,
 * for `grad`, gradTiles (dM): the two differ only in the transform.
 */
@inline
function transformTiles(g: Descriptor, src: usize, planes: i32, Hs: i32, Ws: i32, th0: i32, rows: i32, out: usize, grad: bool): void {
  const TW = tileCols(g);
  const tb = g.tile * TW;
  const plane = <usize>(planes * tb) * 4;
  const rowBytes = <usize>Ws * 4;
  for (let c = 0; c < planes; c++) {
    const pc = src + <usize>(c * Hs * Ws) * 4;
    for (let r = 0; r < rows; r++) {
      const top = pc + <usize>((th0 + r) * 2) * rowBytes;
      const o = out + <usize>(c * tb + r * TW) * 4;
      for (let tw = 0; tw < TW; tw += 4) {
        if (grad) gradTiles(top + <usize>(tw * 8), rowBytes, o + <usize>tw * 4, plane, min(4, TW - tw));
        else inputTiles(top + <usize>(tw * 8), rowBytes, o + <usize>tw * 4, plane, min(4, TW - tw));
      }
    }
  }
}

/** V for tile rows [th0, th0 + rows) of P (tb = D_TILE·TW tiles a plane). */
function transformInput(g: Descriptor, p: usize, th0: i32, rows: i32, v: usize): void {
  transformTiles(g, p, g.c, paddedHeight(g), paddedWidth(g), th0, rows, v, false);
}

/** Output n (contiguous [O][OH][OW] at D_Y) for tile rows [th0, th0 + rows) from M, plus the bias. */
function transformOutput(g: Descriptor, m: usize, th0: i32, rows: i32, n: i32): void {
  const O = g.cout;
  const OH = g.oh;
  const OW = g.ow;
  const TW = tileCols(g);
  const tb = g.tile * TW;
  const bias = g.bias;
  const plane = <usize>(O * tb) * 4;
  const rowBytes = <usize>OW * 4;
  const y = g.y + <usize>n * <usize>(O * OH * OW) * 4;
  for (let o = 0; o < O; o++) {
    const b: f32 = bias != 0 ? load<f32>(bias + <usize>o * 4) : 0;
    for (let r = 0; r < rows; r++) {
      const oh = (th0 + r) * 2;
      const src = m + <usize>(o * tb + r * TW) * 4;
      const dst = y + <usize>((o * OH + oh) * OW) * 4;
      for (let tw = 0; tw < TW; tw += 4) {
        outputTiles(src + <usize>tw * 4, plane, b, dst + <usize>(tw * 8), rowBytes, min(4, TW - tw), OW - tw * 2, OH - oh);
      }
    }
  }
}

/** Output = winograd(input) for the samples of `part`. */
export function winogradForward(d: usize, scratch: usize, tid: i32, part: i32): void {
  const g = descriptor(d);
  const C = g.c;
  const O = g.cout;
  const TH = tileRows(g);
  const TW = tileCols(g);
  const blockRows = g.tile;
  const tb = blockRows * TW;
  const p = workspace(g, tid);
  const v = p + <usize>g.offV;
  const m = p + <usize>g.offM;
  const u = g.weight;
  const end = partEnd(g, part, g.n);
  for (let n = partStart(g, part); n < end; n++) {
    padInput(g, n, p);
    for (let th0 = 0; th0 < TH; th0 += blockRows) {
      const rows = min(blockRows, TH - th0);
      transformInput(g, p, th0, rows, v);
      for (let xi = 0; xi < 16; xi++) {
        const ux = u + <usize>(xi * O * C) * 4;
        const vx = v + <usize>(xi * C * tb) * 4;
        const mx = m + <usize>(xi * O * tb) * 4;
        gemm(ux, C, 1, vx, tb, 1, mx, tb, C, 0, 0, false, scratch, 0, O, 0, rows * TW);
      }
      transformOutput(g, m, th0, rows, n);
    }
  }
}

/** Copies gradient n (D_Y, positions D_YSL apart) zero padded into Q [O][2·TH][2·TW4]. */
function padGrad(g: Descriptor, n: i32, q: usize): void {
  const grad = g.y + <usize>n * <usize>g.ysN * 4;
  copyPadded(grad, g.cout, g.oh, g.ow, g.ysC, g.ow * g.ysL, g.ysL, q, tileRows(g) * 2, groupedWidth(g) * 2, 0, 0);
}

/** dM for tile rows [th0, th0 + rows) of Q. */
function transformGrad(g: Descriptor, q: usize, th0: i32, rows: i32, dm: usize): void {
  transformTiles(g, q, g.cout, tileRows(g) * 2, groupedWidth(g) * 2, th0, rows, dm, true);
}

/** Accumulator `part` ([16][O][C] at D_WEIGHT) = Σ over the part's samples and tiles of dM[ξ]·V[ξ]ᵀ. */
export function winogradWeightGrad(d: usize, scratch: usize, tid: i32, part: i32): void {
  const g = descriptor(d);
  const C = g.c;
  const O = g.cout;
  const TH = tileRows(g);
  const TW = tileCols(g);
  const blockRows = g.tile;
  const tb = blockRows * TW;
  const p = workspace(g, tid);
  const q = p + <usize>g.offQ;
  const v = p + <usize>g.offV;
  const dm = p + <usize>g.offM;
  const acc = g.weight + <usize>part * <usize>(16 * O * C) * 4;
  memory.fill(acc, 0, <usize>(16 * O * C) * 4);
  const end = partEnd(g, part, g.n);
  for (let n = partStart(g, part); n < end; n++) {
    padInput(g, n, p);
    padGrad(g, n, q);
    for (let th0 = 0; th0 < TH; th0 += blockRows) {
      const rows = min(blockRows, TH - th0);
      transformInput(g, p, th0, rows, v);
      transformGrad(g, q, th0, rows, dm);
      for (let xi = 0; xi < 16; xi++) {
        const dmx = dm + <usize>(xi * O * tb) * 4;
        const vx = v + <usize>(xi * C * tb) * 4;
        gemm(dmx, tb, 1, vx, 1, tb, acc + <usize>(xi * O * C) * 4, C, rows * TW, 0, 0, true, scratch, 0, O, 0, C);
      }
    }
  }
}

/** Task form of winogradWeights (one part): D_WEIGHT w, D_COUT, D_C, D_FLAGS 1 to flip, D_Y U. */
export function winogradWeightsPart(d: usize, scratch: usize, tid: i32, part: i32): void {
  const g = descriptor(d);
  winogradWeights(g.weight, g.cout, g.c, g.flags != 0, g.y);
}

/** Task form of winogradWeightsBack (one part): D_WEIGHT dU, D_COUT, D_C, D_Y dw. */
export function winogradWeightsBackPart(d: usize, scratch: usize, tid: i32, part: i32): void {
  const g = descriptor(d);
  winogradWeightsBack(g.weight, g.cout, g.c, g.y);
}

@inline
function min(a: i32, b: i32): i32 {
  return a < b ? a : b;
}
