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

import { gemm } from './matmul';
import {
  D_BIAS,
  D_C,
  D_CHUNK,
  D_COUT,
  D_FLAGS,
  D_H,
  D_N,
  D_OFF_M,
  D_OFF_Q,
  D_OFF_V,
  D_OH,
  D_OW,
  D_PH,
  D_PW,
  D_TILE,
  D_W,
  D_WEIGHT,
  D_WS,
  D_WS_BYTES,
  D_X,
  D_XSC,
  D_XSH,
  D_XSN,
  D_XSW,
  D_Y,
  D_YSC,
  D_YSL,
  D_YSN,
  slot,
} from './window';
import { gradTiles, inputTiles, outputTiles, winogradWeights, winogradWeightsBack } from './winograd-transforms';

/** Tiles per tile row, rounded up to whole groups of 4 (the vector width of the transforms). */
@inline
function groupedWidth(d: usize): i32 {
  return ((((slot(d, D_OW) + 1) >> 1) + 3) >> 2) << 2;
}

/** Copies image n of D_X, zero padded by (D_PH, D_PW), into P [C][Hp][Wp] with Hp = 2·TH + 2, Wp = 2·TW4 + 2. */
function padInput(d: usize, n: i32, p: usize): void {
  const C = slot(d, D_C);
  const H = slot(d, D_H);
  const W = slot(d, D_W);
  const ph = slot(d, D_PH);
  const pw = slot(d, D_PW);
  const Hp = ((slot(d, D_OH) + 1) >> 1) * 2 + 2;
  const Wp = groupedWidth(d) * 2 + 2;
  const xsC = slot(d, D_XSC);
  const xsH = slot(d, D_XSH);
  const xsW = slot(d, D_XSW);
  const x = <usize>slot(d, D_X) + <usize>n * <usize>slot(d, D_XSN) * 4;
  memory.fill(p, 0, <usize>(C * Hp * Wp) * 4);
  const rows = min(H, Hp - ph);
  const cols = min(W, Wp - pw);
  for (let c = 0; c < C; c++) {
    for (let h = 0; h < rows; h++) {
      const src = x + <usize>(c * xsC + h * xsH) * 4;
      const dst = p + <usize>((c * Hp + h + ph) * Wp + pw) * 4;
      if (xsW == 1) memory.copy(dst, src, <usize>cols * 4);
      else for (let w = 0; w < cols; w++) store<f32>(dst + <usize>w * 4, load<f32>(src + <usize>(w * xsW) * 4));
    }
  }
}

/** V for tile rows [th0, th0 + rows) of P (tb = D_TILE·TW tiles a plane). */
function transformInput(d: usize, p: usize, th0: i32, rows: i32, v: usize): void {
  const C = slot(d, D_C);
  const TW = (slot(d, D_OW) + 1) >> 1;
  const tb = slot(d, D_TILE) * TW;
  const Hp = ((slot(d, D_OH) + 1) >> 1) * 2 + 2;
  const Wp = groupedWidth(d) * 2 + 2;
  const plane = <usize>(C * tb) * 4;
  const rowBytes = <usize>Wp * 4;
  for (let c = 0; c < C; c++) {
    const pc = p + <usize>(c * Hp * Wp) * 4;
    for (let r = 0; r < rows; r++) {
      const top = pc + <usize>((th0 + r) * 2) * rowBytes;
      const out = v + <usize>(c * tb + r * TW) * 4;
      for (let tw = 0; tw < TW; tw += 4) inputTiles(top + <usize>(tw * 8), rowBytes, out + <usize>tw * 4, plane, min(4, TW - tw));
    }
  }
}

/** Output n (contiguous [O][OH][OW] at D_Y) for tile rows [th0, th0 + rows) from M, plus the bias. */
function transformOutput(d: usize, m: usize, th0: i32, rows: i32, n: i32): void {
  const O = slot(d, D_COUT);
  const OH = slot(d, D_OH);
  const OW = slot(d, D_OW);
  const TW = (OW + 1) >> 1;
  const tb = slot(d, D_TILE) * TW;
  const bias = <usize>slot(d, D_BIAS);
  const plane = <usize>(O * tb) * 4;
  const rowBytes = <usize>OW * 4;
  const y = <usize>slot(d, D_Y) + <usize>n * <usize>(O * OH * OW) * 4;
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
  const C = slot(d, D_C);
  const O = slot(d, D_COUT);
  const TH = (slot(d, D_OH) + 1) >> 1;
  const TW = (slot(d, D_OW) + 1) >> 1;
  const blockRows = slot(d, D_TILE);
  const tb = blockRows * TW;
  const ws = <usize>slot(d, D_WS) + <usize>tid * <usize>slot(d, D_WS_BYTES);
  const p = ws;
  const v = ws + <usize>slot(d, D_OFF_V);
  const m = ws + <usize>slot(d, D_OFF_M);
  const u = <usize>slot(d, D_WEIGHT);
  const end = min(slot(d, D_N), (part + 1) * slot(d, D_CHUNK));
  for (let n = part * slot(d, D_CHUNK); n < end; n++) {
    padInput(d, n, p);
    for (let th0 = 0; th0 < TH; th0 += blockRows) {
      const rows = min(blockRows, TH - th0);
      transformInput(d, p, th0, rows, v);
      for (let xi = 0; xi < 16; xi++) {
        const ux = u + <usize>(xi * O * C) * 4;
        const vx = v + <usize>(xi * C * tb) * 4;
        const mx = m + <usize>(xi * O * tb) * 4;
        gemm(ux, C, 1, vx, tb, 1, mx, tb, C, 0, 0, false, scratch, 0, O, 0, rows * TW);
      }
      transformOutput(d, m, th0, rows, n);
    }
  }
}

/** Copies gradient n (D_Y, positions D_YSL apart) zero padded into Q [O][2·TH][2·TW4]. */
function padGrad(d: usize, n: i32, q: usize): void {
  const O = slot(d, D_COUT);
  const OH = slot(d, D_OH);
  const OW = slot(d, D_OW);
  const Hq = ((OH + 1) >> 1) * 2;
  const Wq = groupedWidth(d) * 2;
  const gsC = slot(d, D_YSC);
  const gsL = slot(d, D_YSL);
  const g = <usize>slot(d, D_Y) + <usize>n * <usize>slot(d, D_YSN) * 4;
  memory.fill(q, 0, <usize>(O * Hq * Wq) * 4);
  for (let o = 0; o < O; o++) {
    for (let h = 0; h < OH; h++) {
      const src = g + <usize>(o * gsC + h * OW * gsL) * 4;
      const dst = q + <usize>((o * Hq + h) * Wq) * 4;
      if (gsL == 1) memory.copy(dst, src, <usize>OW * 4);
      else for (let w = 0; w < OW; w++) store<f32>(dst + <usize>w * 4, load<f32>(src + <usize>(w * gsL) * 4));
    }
  }
}

/** dM for tile rows [th0, th0 + rows) of Q. */
function transformGrad(d: usize, q: usize, th0: i32, rows: i32, dm: usize): void {
  const O = slot(d, D_COUT);
  const TW = (slot(d, D_OW) + 1) >> 1;
  const tb = slot(d, D_TILE) * TW;
  const Hq = ((slot(d, D_OH) + 1) >> 1) * 2;
  const Wq = groupedWidth(d) * 2;
  const plane = <usize>(O * tb) * 4;
  const rowBytes = <usize>Wq * 4;
  for (let o = 0; o < O; o++) {
    for (let r = 0; r < rows; r++) {
      const top = q + <usize>(o * Hq * Wq) * 4 + <usize>((th0 + r) * 2) * rowBytes;
      const out = dm + <usize>(o * tb + r * TW) * 4;
      for (let tw = 0; tw < TW; tw += 4) gradTiles(top + <usize>(tw * 8), rowBytes, out + <usize>tw * 4, plane, min(4, TW - tw));
    }
  }
}

/** Accumulator `part` ([16][O][C] at D_WEIGHT) = Σ over the part's samples and tiles of dM[ξ]·V[ξ]ᵀ. */
export function winogradWeightGrad(d: usize, scratch: usize, tid: i32, part: i32): void {
  const C = slot(d, D_C);
  const O = slot(d, D_COUT);
  const TH = (slot(d, D_OH) + 1) >> 1;
  const TW = (slot(d, D_OW) + 1) >> 1;
  const blockRows = slot(d, D_TILE);
  const tb = blockRows * TW;
  const ws = <usize>slot(d, D_WS) + <usize>tid * <usize>slot(d, D_WS_BYTES);
  const p = ws;
  const q = ws + <usize>slot(d, D_OFF_Q);
  const v = ws + <usize>slot(d, D_OFF_V);
  const dm = ws + <usize>slot(d, D_OFF_M);
  const acc = <usize>slot(d, D_WEIGHT) + <usize>part * <usize>(16 * O * C) * 4;
  memory.fill(acc, 0, <usize>(16 * O * C) * 4);
  const end = min(slot(d, D_N), (part + 1) * slot(d, D_CHUNK));
  for (let n = part * slot(d, D_CHUNK); n < end; n++) {
    padInput(d, n, p);
    padGrad(d, n, q);
    for (let th0 = 0; th0 < TH; th0 += blockRows) {
      const rows = min(blockRows, TH - th0);
      transformInput(d, p, th0, rows, v);
      transformGrad(d, q, th0, rows, dm);
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
  winogradWeights(<usize>slot(d, D_WEIGHT), slot(d, D_COUT), slot(d, D_C), slot(d, D_FLAGS) != 0, <usize>slot(d, D_Y));
}

/** Task form of winogradWeightsBack (one part): D_WEIGHT dU, D_COUT, D_C, D_Y dw. */
export function winogradWeightsBackPart(d: usize, scratch: usize, tid: i32, part: i32): void {
  winogradWeightsBack(<usize>slot(d, D_WEIGHT), slot(d, D_COUT), slot(d, D_C), <usize>slot(d, D_Y));
}

@inline
function min(a: i32, b: i32): i32 {
  return a < b ? a : b;
}
