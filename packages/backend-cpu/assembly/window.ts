// The geometry of a 2-D sliding window over NCHW images, as the convolution
// and pooling kernels read it: an int32 descriptor in memory (written by
// src/kernels/window-desc.ts, whose slot numbers must match these; kernels
// read it through descriptor.ts's typed view), and the im2col/col2im loops
// over a tile of output positions.

import { Descriptor, descriptor } from './descriptor';

// Descriptor slots (int32). Sizes first, then pointers (byte addresses) and
// strides (elements).
export const D_N: i32 = 0;
export const D_C: i32 = 1;
export const D_H: i32 = 2;
export const D_W: i32 = 3;
export const D_COUT: i32 = 4;
export const D_GROUPS: i32 = 5;
export const D_KH: i32 = 6;
export const D_KW: i32 = 7;
export const D_SH: i32 = 8;
export const D_SW: i32 = 9;
export const D_PH: i32 = 10;
export const D_PW: i32 = 11;
export const D_DH: i32 = 12;
export const D_DW: i32 = 13;
export const D_OH: i32 = 14;
export const D_OW: i32 = 15;
/** The image: conv input, pooling input, or the input gradient being written. */
export const D_X: i32 = 16;
export const D_XSN: i32 = 17;
export const D_XSC: i32 = 18;
export const D_XSH: i32 = 19;
export const D_XSW: i32 = 20;
/** The weight `[Cout, Cin/groups*kh*kw]`, contiguous; for the weight gradient, its per-part accumulators. */
export const D_WEIGHT: i32 = 21;
/** Per-channel bias (0: none); for pooling, the int32 indices out. */
export const D_BIAS: i32 = 22;
/** The `[N, Cout, outH*outW]` side: conv output, or the gradient read through its strides. */
export const D_Y: i32 = 23;
export const D_YSN: i32 = 24;
export const D_YSC: i32 = 25;
export const D_YSL: i32 = 26;
/** Per-thread workspace: base address and bytes per thread. */
export const D_WS: i32 = 27;
export const D_WS_BYTES: i32 = 28;
/** Samples (or planes, for pooling) per part. */
export const D_CHUNK: i32 = 29;
/** Output positions per im2col tile. */
export const D_TILE: i32 = 30;
/** Mode flags (pooling: ceil mode, count-include-pad; unfold/fold: 0). */
export const D_FLAGS: i32 = 31;
/** avg pooling's divisor override (float bits, 0: none). */
export const D_DIVISOR: i32 = 32;
/** Winograd: byte offsets, inside a thread's workspace, of Q (the padded gradient), V and M. */
export const D_OFF_Q: i32 = 33;
export const D_OFF_V: i32 = 34;
export const D_OFF_M: i32 = 35;
/** Slots in a descriptor. */
export const D_LENGTH: i32 = 36;

/** D_LENGTH, for the TypeScript side to check its copy of the layout against. */
export function descriptorSlots(): i32 {
  // -1 (a count the host rejects) if descriptor.ts's view has drifted from the slot numbers.
  const viewMatches =
    offsetof<Descriptor>() == <usize>D_LENGTH * 4 &&
    offsetof<Descriptor>('x') == <usize>D_X * 4 &&
    offsetof<Descriptor>('divisor') == <usize>D_DIVISOR * 4;
  return viewMatches ? D_LENGTH : -1;
}

/** Descriptor slot `slot`. */
@inline
export function slot(d: usize, slot: i32): i32 {
  return load<i32>(d + <usize>slot * 4);
}

/** The smallest integer ≥ a / b, for b > 0 and any sign of a. */
@inline
export function ceilDiv(a: i32, b: i32): i32 {
  return a >= 0 ? (a + b - 1) / b : -(-a / b);
}

/** First ow in [lo, hi) whose input column `ow*s + off` is ≥ `bound`, or hi. */
@inline
function firstAtLeast(bound: i32, off: i32, s: i32, lo: i32, hi: i32): i32 {
  const v = ceilDiv(bound - off, s);
  return v < lo ? lo : v > hi ? hi : v;
}

/** Copies n floats (any alignment), four at a time. */
@inline
function copyFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + <usize>i * 4, v128.load(src + <usize>i * 4));
  for (; i < n; i++) store<f32>(dst + <usize>i * 4, load<f32>(src + <usize>i * 4));
}

/** dst[i] += src[i] for n floats (any alignment). */
@inline
function addFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = dst + <usize>i * 4;
    v128.store(p, f32x4.add(v128.load(p), v128.load(src + <usize>i * 4)));
  }
  for (; i < n; i++) {
    const p = dst + <usize>i * 4;
    store<f32>(p, load<f32>(p) + load<f32>(src + <usize>i * 4));
  }
}

/**
 * im2col of channels [c0, c0+cg) of one image at `x` (strides from the
 * descriptor) for output positions [l0, l1): row (c*kh + i)*kw + j of `dst`
 * (rows `l1-l0` floats apart) holds the input under kernel tap (i, j) of
 * channel c0+c at each position, 0 in the padding.
 */
export function im2colTile(d: usize, x: usize, c0: i32, cg: i32, l0: i32, l1: i32, dst: usize): void {
  walkTile(descriptor(d), x, c0, cg, l0, l1, dst, l1 - l0, 1, false);
}

/**
 * col2im, the adjoint of im2colTile: adds each entry of the tile `cols`
 * (row (c*kh + i)*kw + j at `cols + 4*row*rowStride`, positions `colStride`
 * apart) into channel c0+c of the image at `x` (strides from the descriptor);
 * entries in the padding are dropped.
 */
export function col2imTile(d: usize, x: usize, c0: i32, cg: i32, l0: i32, l1: i32, cols: usize, rowStride: i32, colStride: i32): void {
  walkTile(descriptor(d), x, c0, cg, l0, l1, cols, rowStride, colStride, true);
}

/**
 * The loop im2col and col2im share, since one is the other's adjoint: every
 * kernel tap of every channel, over the tile's positions one output row
 * segment at a time, splitting each segment into the part left of the image,
 * the part inside [lo, hi) and the part right of it. im2col (`add` false)
 * copies the image into the tile (`colStride` 1) and zeroes the padding;
 * col2im (`add` true) adds the tile into the image and skips the padding.
 * The branch on `add` is per segment, not per element.
 */
@inline
function walkTile(g: Descriptor, x: usize, c0: i32, cg: i32, l0: i32, l1: i32, tile: usize, rowStride: i32, colStride: i32, add: bool): void {
  const H = g.h;
  const W = g.w;
  const sh = g.sh;
  const sw = g.sw;
  const ph = g.ph;
  const OW = g.ow;
  const xsH = g.xsH;
  const xsW = g.xsW;
  const contiguous = sw == 1 && xsW == 1 && colStride == 1;
  let row = tile;
  for (let c = 0; c < cg; c++) {
    const plane = x + <usize>((c0 + c) * g.xsC) * 4;
    for (let i = 0; i < g.kh; i++) {
      for (let j = 0; j < g.kw; j++) {
        const off = j * g.dw - g.pw;
        const rowTop = i * g.dh - ph;
        let seg = row;
        let oh = l0 / OW;
        let ow0 = l0 - oh * OW;
        for (let l = l0; l < l1; oh++) {
          const ow1 = min(OW, ow0 + (l1 - l));
          const n = ow1 - ow0;
          const ih = oh * sh + rowTop;
          if (ih >= 0 && ih < H) {
            const image = plane + <usize>(ih * xsH) * 4;
            const lo = firstAtLeast(0, off, sw, ow0, ow1);
            const hi = firstAtLeast(W, off, sw, lo, ow1);
            const t = seg + <usize>((lo - ow0) * colStride) * 4;
            if (add) {
              if (contiguous) {
                addFloats(image + <usize>(lo + off) * 4, t, hi - lo);
              } else {
                for (let ow = lo; ow < hi; ow++) {
                  const p = image + <usize>((ow * sw + off) * xsW) * 4;
                  store<f32>(p, load<f32>(p) + load<f32>(t + <usize>((ow - lo) * colStride) * 4));
                }
              }
            } else {
              if (lo > ow0) memory.fill(seg, 0, <usize>(lo - ow0) * 4);
              if (contiguous) {
                copyFloats(t, image + <usize>(lo + off) * 4, hi - lo);
              } else {
                for (let ow = lo; ow < hi; ow++) {
                  store<f32>(t + <usize>(ow - lo) * 4, load<f32>(image + <usize>((ow * sw + off) * xsW) * 4));
                }
              }
              if (ow1 > hi) memory.fill(seg + <usize>(hi - ow0) * 4, 0, <usize>(ow1 - hi) * 4);
            }
          } else if (!add) {
            memory.fill(seg, 0, <usize>n * 4);
          }
          seg += <usize>(n * colStride) * 4;
          l += n;
          ow0 = 0;
        }
        row += <usize>rowStride * 4;
      }
    }
  }
}

@inline
function min(a: i32, b: i32): i32 {
  return a < b ? a : b;
}
