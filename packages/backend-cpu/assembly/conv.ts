// 2-D convolution as im2col + the matmul's packed GEMM, per sample, in tiles
// of output positions so the column buffer stays in cache whatever the image
// size. Each export is a *task*: `part` selects a slice of the batch (D_CHUNK
// samples), so the thread pool runs parts on several threads; `scratch` is the
// calling thread's matmul scratch and `tid` picks its workspace (D_WS).
//
// Shapes: x [N, C, H, W] (any strides), weight [Cout, Kg] contiguous with
// Kg = C/groups*kh*kw, the output/gradient side [N, Cout, L] with L = OH*OW
// read through (D_YSN, D_YSC, D_YSL).

import { gemm } from './matmul';
import {
  D_BIAS,
  D_C,
  D_CHUNK,
  D_COUT,
  D_DH,
  D_DW,
  D_GROUPS,
  D_H,
  D_KH,
  D_KW,
  D_N,
  D_OH,
  D_OW,
  D_PH,
  D_PW,
  D_SH,
  D_SW,
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
  col2imTile,
  im2colTile,
  slot,
} from './window';

/** The samples [first, end) of part `part`. */
@inline
function partStart(d: usize, part: i32): i32 {
  return part * slot(d, D_CHUNK);
}

@inline
function partEnd(d: usize, part: i32): i32 {
  const end = (part + 1) * slot(d, D_CHUNK);
  const n = slot(d, D_N);
  return end < n ? end : n;
}

/** This thread's workspace. */
@inline
function workspace(d: usize, tid: i32): usize {
  return <usize>slot(d, D_WS) + <usize>tid * <usize>slot(d, D_WS_BYTES);
}

/**
 * Whether the window is the identity (1×1, stride 1, no padding) over an
 * image whose rows follow each other: then the image itself is the column
 * matrix and im2col is skipped.
 */
@inline
function isPointwise(d: usize): bool {
  return (
    slot(d, D_KH) == 1 &&
    slot(d, D_KW) == 1 &&
    slot(d, D_SH) == 1 &&
    slot(d, D_SW) == 1 &&
    slot(d, D_PH) == 0 &&
    slot(d, D_PW) == 0 &&
    slot(d, D_XSH) == slot(d, D_W) * slot(d, D_XSW)
  );
}

/** y[n] = weight · im2col(x[n]) + bias for the samples of `part` (y contiguous). */
export function conv2dForward(d: usize, scratch: usize, tid: i32, part: i32): void {
  const C = slot(d, D_C);
  const cout = slot(d, D_COUT);
  const groups = slot(d, D_GROUPS);
  const cg = C / groups;
  const coutg = cout / groups;
  const kg = cg * slot(d, D_KH) * slot(d, D_KW);
  const L = slot(d, D_OH) * slot(d, D_OW);
  const tile = slot(d, D_TILE);
  const x = <usize>slot(d, D_X);
  const weight = <usize>slot(d, D_WEIGHT);
  const bias = <usize>slot(d, D_BIAS);
  const y = <usize>slot(d, D_Y);
  const xsN = slot(d, D_XSN);
  const xsC = slot(d, D_XSC);
  const xsW = slot(d, D_XSW);
  const ws = workspace(d, tid);
  const pointwise = isPointwise(d);
  for (let n = partStart(d, part); n < partEnd(d, part); n++) {
    const xn = x + <usize>n * <usize>xsN * 4;
    for (let g = 0; g < groups; g++) {
      const w = weight + <usize>(g * coutg * kg) * 4;
      const b = bias != 0 ? bias + <usize>(g * coutg) * 4 : 0;
      const yg = y + (<usize>n * <usize>cout + <usize>(g * coutg)) * <usize>L * 4;
      if (pointwise) {
        gemm(w, kg, 1, xn + <usize>(g * cg * xsC) * 4, xsC, xsW, yg, L, kg, 0, b, false, scratch, 0, coutg, 0, L);
        continue;
      }
      for (let l0 = 0; l0 < L; l0 += tile) {
        const lb = min(tile, L - l0);
        im2colTile(d, xn, g * cg, cg, l0, l0 + lb, ws);
        gemm(w, kg, 1, ws, lb, 1, yg + <usize>l0 * 4, L, kg, 0, b, false, scratch, 0, coutg, 0, lb);
      }
    }
  }
}

/**
 * dx[n] = col2im(weightᵀ · grad[n]) for the samples of `part`; dx (D_X,
 * contiguous) is written whole, padding-free.
 */
export function conv2dInputGrad(d: usize, scratch: usize, tid: i32, part: i32): void {
  const C = slot(d, D_C);
  const cout = slot(d, D_COUT);
  const groups = slot(d, D_GROUPS);
  const cg = C / groups;
  const coutg = cout / groups;
  const kg = cg * slot(d, D_KH) * slot(d, D_KW);
  const L = slot(d, D_OH) * slot(d, D_OW);
  const tile = slot(d, D_TILE);
  const dx = <usize>slot(d, D_X);
  const xsN = slot(d, D_XSN);
  const xsC = slot(d, D_XSC);
  const weight = <usize>slot(d, D_WEIGHT);
  const grad = <usize>slot(d, D_Y);
  const gsN = slot(d, D_YSN);
  const gsC = slot(d, D_YSC);
  const gsL = slot(d, D_YSL);
  const ws = workspace(d, tid);
  const pointwise = isPointwise(d);
  const HW = slot(d, D_H) * slot(d, D_W);
  for (let n = partStart(d, part); n < partEnd(d, part); n++) {
    const dxn = dx + <usize>n * <usize>xsN * 4;
    if (!pointwise) memory.fill(dxn, 0, <usize>(C * HW) * 4);
    for (let g = 0; g < groups; g++) {
      const w = weight + <usize>(g * coutg * kg) * 4;
      const gg = grad + (<usize>n * <usize>gsN + <usize>(g * coutg) * <usize>gsC) * 4;
      if (pointwise) {
        gemm(w, 1, kg, gg, gsC, gsL, dxn + <usize>(g * cg * xsC) * 4, HW, coutg, 0, 0, false, scratch, 0, kg, 0, L);
        continue;
      }
      for (let l0 = 0; l0 < L; l0 += tile) {
        const lb = min(tile, L - l0);
        gemm(w, 1, kg, gg + <usize>(l0 * gsL) * 4, gsC, gsL, ws, lb, coutg, 0, 0, false, scratch, 0, kg, 0, lb);
        col2imTile(d, dxn, g * cg, cg, l0, l0 + lb, ws, lb, 1);
      }
    }
  }
}

/**
 * Accumulator `part` (Cout×Kg floats at D_WEIGHT + part·Cout·Kg·4) =
 * Σ over the part's samples of grad[n] · im2col(x[n])ᵀ; the caller sums the
 * parts' accumulators in order, so the result does not depend on threads.
 */
export function conv2dWeightGrad(d: usize, scratch: usize, tid: i32, part: i32): void {
  const C = slot(d, D_C);
  const cout = slot(d, D_COUT);
  const groups = slot(d, D_GROUPS);
  const cg = C / groups;
  const coutg = cout / groups;
  const kg = cg * slot(d, D_KH) * slot(d, D_KW);
  const L = slot(d, D_OH) * slot(d, D_OW);
  const tile = slot(d, D_TILE);
  const x = <usize>slot(d, D_X);
  const xsN = slot(d, D_XSN);
  const xsC = slot(d, D_XSC);
  const xsW = slot(d, D_XSW);
  const grad = <usize>slot(d, D_Y);
  const gsN = slot(d, D_YSN);
  const gsC = slot(d, D_YSC);
  const gsL = slot(d, D_YSL);
  const acc = <usize>slot(d, D_WEIGHT) + <usize>part * <usize>(cout * kg) * 4;
  const ws = workspace(d, tid);
  const pointwise = isPointwise(d);
  memory.fill(acc, 0, <usize>(cout * kg) * 4);
  for (let n = partStart(d, part); n < partEnd(d, part); n++) {
    const xn = x + <usize>n * <usize>xsN * 4;
    for (let g = 0; g < groups; g++) {
      const gg = grad + (<usize>n * <usize>gsN + <usize>(g * coutg) * <usize>gsC) * 4;
      const ag = acc + <usize>(g * coutg * kg) * 4;
      if (pointwise) {
        // B = x[n, group]ᵀ: element (l, c) at c*xsC + l*xsW.
        gemm(gg, gsC, gsL, xn + <usize>(g * cg * xsC) * 4, xsW, xsC, ag, kg, L, 0, 0, true, scratch, 0, coutg, 0, kg);
        continue;
      }
      for (let l0 = 0; l0 < L; l0 += tile) {
        const lb = min(tile, L - l0);
        im2colTile(d, xn, g * cg, cg, l0, l0 + lb, ws);
        gemm(gg + <usize>(l0 * gsL) * 4, gsC, gsL, ws, 1, lb, ag, kg, lb, 0, 0, true, scratch, 0, coutg, 0, kg);
      }
    }
  }
}

/** `torch.nn.functional.unfold` of the part's samples into y (contiguous [N, C*kh*kw, L]). */
export function unfoldPart(d: usize, scratch: usize, tid: i32, part: i32): void {
  const C = slot(d, D_C);
  const L = slot(d, D_OH) * slot(d, D_OW);
  const rows = C * slot(d, D_KH) * slot(d, D_KW);
  const x = <usize>slot(d, D_X);
  const xsN = slot(d, D_XSN);
  const y = <usize>slot(d, D_Y);
  for (let n = partStart(d, part); n < partEnd(d, part); n++) {
    im2colTile(d, x + <usize>n * <usize>xsN * 4, 0, C, 0, L, y + <usize>n * <usize>(rows * L) * 4);
  }
}

/** `torch.nn.functional.fold` of the part's samples: cols (D_Y, strided) summed into x (D_X, contiguous, zeroed here). */
export function foldPart(d: usize, scratch: usize, tid: i32, part: i32): void {
  const C = slot(d, D_C);
  const L = slot(d, D_OH) * slot(d, D_OW);
  const HW = slot(d, D_H) * slot(d, D_W);
  const x = <usize>slot(d, D_X);
  const xsN = slot(d, D_XSN);
  const cols = <usize>slot(d, D_Y);
  const csN = slot(d, D_YSN);
  const csRow = slot(d, D_YSC);
  const csL = slot(d, D_YSL);
  for (let n = partStart(d, part); n < partEnd(d, part); n++) {
    const xn = x + <usize>n * <usize>xsN * 4;
    memory.fill(xn, 0, <usize>(C * HW) * 4);
    col2imTile(d, xn, 0, C, 0, L, cols + <usize>n * <usize>csN * 4, csRow, csL);
  }
}

@inline
function min(a: i32, b: i32): i32 {
  return a < b ? a : b;
}
