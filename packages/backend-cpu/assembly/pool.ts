// Max and average pooling over NCHW images, as tasks over planes: D_N is the
// number of planes (N·C), D_C the channels, `part` covers D_CHUNK planes.
// The loops follow PyTorch's CPU kernels window by window, so results match
// them exactly: max pooling updates on `v > max || isnan(v)` (NaN wins, the
// index is the last NaN's), average pooling clips windows as PyTorch does.

import { Descriptor, descriptor } from './descriptor';
import { partEnd, partStart } from './parts';

/** avgPool2d flag: divide by the window's size including padding. */
const COUNT_INCLUDE_PAD: i32 = 1;

/** Byte address of plane p (= n·C + c) of the input. */
@inline
function planeOf(g: Descriptor, p: i32): usize {
  const n = p / g.c;
  const c = p - n * g.c;
  return g.x + (<usize>n * <usize>g.xsN + <usize>c * <usize>g.xsC) * 4;
}

/**
 * Values (D_Y) and int32 flat indices h·W + w (D_BIAS) of the maxima of the
 * part's planes, both contiguous [planes, OH, OW].
 */
export function maxPool2d(d: usize, scratch: usize, tid: i32, part: i32): void {
  const g = descriptor(d);
  const H = g.h;
  const W = g.w;
  const dh = g.dh;
  const dw = g.dw;
  const OH = g.oh;
  const OW = g.ow;
  const xsH = g.xsH;
  const xsW = g.xsW;
  // The common 2×2/2 pool, windows inside the image (ceil mode can add one that is not).
  const plain2x2 =
    g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 && dh == 1 && dw == 1 && xsW == 1 && 2 * OW <= W && 2 * OH <= H;
  for (let p = partStart(g, part); p < partEnd(g, part, g.n); p++) {
    const x = planeOf(g, p);
    const out = g.y + <usize>(p * OH * OW) * 4;
    const idx = g.bias + <usize>(p * OH * OW) * 4;
    for (let oh = 0; oh < OH; oh++) {
      let ow = 0;
      if (plain2x2) ow = max2x2Row(x + <usize>(2 * oh * xsH) * 4, xsH, 2 * oh * W, W, OW, out + <usize>(oh * OW) * 4, idx + <usize>(oh * OW) * 4);
      for (; ow < OW; ow++) {
        let ih0 = oh * g.sh - g.ph;
        let iw0 = ow * g.sw - g.pw;
        const ih1 = min(ih0 + (g.kh - 1) * dh + 1, H);
        const iw1 = min(iw0 + (g.kw - 1) * dw + 1, W);
        while (ih0 < 0) ih0 += dh;
        while (iw0 < 0) iw0 += dw;
        let best: f32 = -Infinity;
        let at = ih0 * W + iw0;
        for (let ih = ih0; ih < ih1; ih += dh) {
          for (let iw = iw0; iw < iw1; iw += dw) {
            const v = load<f32>(x + <usize>(ih * xsH + iw * xsW) * 4);
            // The first NaN wins and stays (the contract; PyTorch's CPU kernel keeps the last).
            if (v > best || (v != v && best == best)) {
              best = v;
              at = ih * W + iw;
            }
          }
        }
        store<f32>(out + <usize>(oh * OW + ow) * 4, best);
        store<i32>(idx + <usize>(oh * OW + ow) * 4, at);
      }
    }
  }
}

/**
 * Four 2×2 windows at a time along one output row (rows `r` and `r + rowStride`
 * floats, contiguous within a row; `base` the flat index of the row's first
 * element, W the plane's width); returns how many outputs it wrote (a multiple of 4).
 */
@inline
function max2x2Row(r: usize, rowStride: i32, base: i32, W: i32, OW: i32, out: usize, idx: usize): i32 {
  const r1 = r + <usize>rowStride * 4;
  let ow = 0;
  for (; ow + 4 <= OW; ow += 4) {
    const o = <usize>ow * 8;
    const a0 = v128.load(r + o);
    const a1 = v128.load(r + o, 16);
    const b0 = v128.load(r1 + o);
    const b1 = v128.load(r1 + o, 16);
    const i00 = i32x4.add(i32x4.splat(base + 2 * ow), i32x4(0, 2, 4, 6));
    // Window order: (0,0), (0,1), (1,0), (1,1); each later one replaces on >, or on NaN over a number.
    let best = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
    let at = i00;
    let v = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
    let take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
    best = v128.bitselect(v, best, take);
    at = v128.bitselect(i32x4.add(i00, i32x4.splat(1)), at, take);
    const i10 = i32x4.add(i00, i32x4.splat(W));
    v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
    take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
    best = v128.bitselect(v, best, take);
    at = v128.bitselect(i10, at, take);
    v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
    take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
    best = v128.bitselect(v, best, take);
    at = v128.bitselect(i32x4.add(i10, i32x4.splat(1)), at, take);
    v128.store(out + <usize>ow * 4, best);
    v128.store(idx + <usize>ow * 4, at);
  }
  return ow;
}

/** The part's planes' window averages into D_Y (contiguous [planes, OH, OW]). */
export function avgPool2d(d: usize, scratch: usize, tid: i32, part: i32): void {
  const g = descriptor(d);
  const H = g.h;
  const W = g.w;
  const OH = g.oh;
  const OW = g.ow;
  const xsH = g.xsH;
  const xsW = g.xsW;
  const includePad = (g.flags & COUNT_INCLUDE_PAD) != 0;
  const divisor = g.divisor;
  for (let p = partStart(g, part); p < partEnd(g, part, g.n); p++) {
    const x = planeOf(g, p);
    const out = g.y + <usize>(p * OH * OW) * 4;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let ih0 = oh * g.sh - g.ph;
        let iw0 = ow * g.sw - g.pw;
        let ih1 = min(ih0 + g.kh, H + g.ph);
        let iw1 = min(iw0 + g.kw, W + g.pw);
        const poolSize = (ih1 - ih0) * (iw1 - iw0);
        ih0 = max(ih0, 0);
        iw0 = max(iw0, 0);
        ih1 = min(ih1, H);
        iw1 = min(iw1, W);
        let value: f32 = 0;
        if (ih0 < ih1 && iw0 < iw1) {
          let sum: f32 = 0;
          for (let ih = ih0; ih < ih1; ih++) {
            for (let iw = iw0; iw < iw1; iw++) sum += load<f32>(x + <usize>(ih * xsH + iw * xsW) * 4);
          }
          const count: f32 = divisor != 0 ? divisor : <f32>(includePad ? poolSize : (ih1 - ih0) * (iw1 - iw0));
          value = sum / count;
        }
        store<f32>(out + <usize>(oh * OW + ow) * 4, value);
      }
    }
  }
}

@inline
function min(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

@inline
function max(a: i32, b: i32): i32 {
  return a > b ? a : b;
}
