// 2-D convolution as im2col + the matmul's packed GEMM, per sample, in tiles
// of output positions so the column buffer stays in cache whatever the image
// size. Each export is a *task*: `part` selects a slice of the batch (D_CHUNK
// samples), so the thread pool runs parts on several threads; `scratch` is the
// calling thread's matmul scratch and `tid` picks its workspace (D_WS).
//
// Shapes: x [N, C, H, W] (any strides), weight [Cout, Kg] contiguous with
// Kg = C/groups*kh*kw, the output/gradient side [N, Cout, L] with L = OH*OW
// read through (D_YSN, D_YSC, D_YSL).

import { Descriptor, descriptor } from './descriptor';
import { gemm } from './matmul';
import { partEnd, partStart, workspace } from './parts';
import { col2imTile, im2colTile } from './window';

/**
 * Whether the window is the identity (1×1, stride 1, no padding) over an
 * image whose rows follow each other: then the image itself is the column
 * matrix and im2col is skipped.
 */
@inline
function isPointwise(g: Descriptor): bool {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0 && g.xsH == g.w * g.xsW;
}

/** y[n] = weight · im2col(x[n]) + bias for the samples of `part` (y contiguous). */
export function conv2dForward(d: usize, scratch: usize, tid: i32, part: i32): void {
  const D = descriptor(d);
  const groups = D.groups;
  const cg = D.c / groups;
  const coutg = D.cout / groups;
  const kg = D.groupRows;
  const L = D.positions;
  const xsC = D.xsC;
  const ws = workspace(D, tid);
  const pointwise = isPointwise(D);
  for (let n = partStart(D, part); n < partEnd(D, part, D.n); n++) {
    const xn = D.x + <usize>n * <usize>D.xsN * 4;
    for (let g = 0; g < groups; g++) {
      const w = D.weight + <usize>(g * coutg * kg) * 4;
      const b = D.bias != 0 ? D.bias + <usize>(g * coutg) * 4 : 0;
      const yg = D.y + (<usize>n * <usize>D.cout + <usize>(g * coutg)) * <usize>L * 4;
      if (pointwise) {
        gemm(w, kg, 1, xn + <usize>(g * cg * xsC) * 4, xsC, D.xsW, yg, L, kg, 0, b, false, scratch, 0, coutg, 0, L);
        continue;
      }
      for (let l0 = 0; l0 < L; l0 += D.tile) {
        const lb = min(D.tile, L - l0);
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
  const D = descriptor(d);
  const groups = D.groups;
  const cg = D.c / groups;
  const coutg = D.cout / groups;
  const kg = D.groupRows;
  const L = D.positions;
  const gsC = D.ysC;
  const gsL = D.ysL;
  const ws = workspace(D, tid);
  const pointwise = isPointwise(D);
  const HW = D.h * D.w;
  for (let n = partStart(D, part); n < partEnd(D, part, D.n); n++) {
    const dxn = D.x + <usize>n * <usize>D.xsN * 4;
    if (!pointwise) memory.fill(dxn, 0, <usize>(D.c * HW) * 4);
    for (let g = 0; g < groups; g++) {
      const w = D.weight + <usize>(g * coutg * kg) * 4;
      const gg = D.y + (<usize>n * <usize>D.ysN + <usize>(g * coutg) * <usize>gsC) * 4;
      if (pointwise) {
        gemm(w, 1, kg, gg, gsC, gsL, dxn + <usize>(g * cg * D.xsC) * 4, HW, coutg, 0, 0, false, scratch, 0, kg, 0, L);
        continue;
      }
      for (let l0 = 0; l0 < L; l0 += D.tile) {
        const lb = min(D.tile, L - l0);
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
  const D = descriptor(d);
  const groups = D.groups;
  const cg = D.c / groups;
  const coutg = D.cout / groups;
  const kg = D.groupRows;
  const L = D.positions;
  const xsC = D.xsC;
  const gsC = D.ysC;
  const gsL = D.ysL;
  const acc = D.weight + <usize>part * <usize>(D.cout * kg) * 4;
  const ws = workspace(D, tid);
  const pointwise = isPointwise(D);
  memory.fill(acc, 0, <usize>(D.cout * kg) * 4);
  for (let n = partStart(D, part); n < partEnd(D, part, D.n); n++) {
    const xn = D.x + <usize>n * <usize>D.xsN * 4;
    for (let g = 0; g < groups; g++) {
      const gg = D.y + (<usize>n * <usize>D.ysN + <usize>(g * coutg) * <usize>gsC) * 4;
      const ag = acc + <usize>(g * coutg * kg) * 4;
      if (pointwise) {
        // B = x[n, group]ᵀ: element (l, c) at c*xsC + l*xsW.
        gemm(gg, gsC, gsL, xn + <usize>(g * cg * xsC) * 4, D.xsW, xsC, ag, kg, L, 0, 0, true, scratch, 0, coutg, 0, kg);
        continue;
      }
      for (let l0 = 0; l0 < L; l0 += D.tile) {
        const lb = min(D.tile, L - l0);
        im2colTile(d, xn, g * cg, cg, l0, l0 + lb, ws);
        gemm(gg + <usize>(l0 * gsL) * 4, gsC, gsL, ws, 1, lb, ag, kg, lb, 0, 0, true, scratch, 0, coutg, 0, kg);
      }
    }
  }
}

/** `torch.nn.functional.unfold` of the part's samples into y (contiguous [N, C*kh*kw, L]). */
export function unfoldPart(d: usize, scratch: usize, tid: i32, part: i32): void {
  const D = descriptor(d);
  const L = D.positions;
  const rows = D.c * D.kh * D.kw;
  for (let n = partStart(D, part); n < partEnd(D, part, D.n); n++) {
    im2colTile(d, D.x + <usize>n * <usize>D.xsN * 4, 0, D.c, 0, L, D.y + <usize>n * <usize>(rows * L) * 4);
  }
}

/** `torch.nn.functional.fold` of the part's samples: cols (D_Y, strided) summed into x (D_X, contiguous, zeroed here). */
export function foldPart(d: usize, scratch: usize, tid: i32, part: i32): void {
  const D = descriptor(d);
  const L = D.positions;
  const HW = D.h * D.w;
  for (let n = partStart(D, part); n < partEnd(D, part, D.n); n++) {
    const xn = D.x + <usize>n * <usize>D.xsN * 4;
    memory.fill(xn, 0, <usize>(D.c * HW) * 4);
    col2imTile(d, xn, 0, D.c, 0, L, D.y + <usize>n * <usize>D.ysN * 4, D.ysC, D.ysL);
  }
}

@inline
function min(a: i32, b: i32): i32 {
  return a < b ? a : b;
}
