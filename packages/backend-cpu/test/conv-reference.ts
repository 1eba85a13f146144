// Naive float64 references for the sliding-window kernels, written from
// PyTorch's definitions loop by loop, over views read element by element.
import { cpuBackend } from '@kindling/backend-cpu';
import type { View, Window2d } from '@kindling/tensor/backend';
import { dataOf } from '../src/kernels/storage.js';
import { randomFloats } from './wasm-helpers.js';

/** A reference result: values and, per element, the sum of |terms| (for a float32 error bound). */
export interface Reference {
  readonly values: Float64Array;
  readonly scale: Float64Array;
}

/** Element at multi-index `idx` of `v`. */
export function at(v: View, ...idx: number[]): number {
  let o = v.offset;
  for (let d = 0; d < idx.length; d++) o += idx[d] * v.strides[d];
  return dataOf(v.handle)[o];
}

/** Row-major strides of `shape`. */
export function contiguous(shape: readonly number[]): number[] {
  const strides = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/** A view of `shape` with the given strides (default row-major) and offset over fresh random storage. */
export function randomView(shape: number[], seed: number, strides = contiguous(shape), offset = 0): View {
  let hi = offset;
  shape.forEach((d, i) => {
    hi += strides[i] * Math.max(0, d - 1);
  });
  const handle = cpuBackend.upload('float32', randomFloats(hi + 1, seed));
  return { handle, dtype: 'float32', shape, strides, offset };
}

/**
 * A `[N, C, H, W]` view whose storage is laid out `[N, H, W, C]` (channels
 * last: non-contiguous, every stride different).
 */
export function channelsLast(shape: [number, number, number, number], seed: number): View {
  const [, c, h, w] = shape;
  return randomView(shape, seed, [h * w * c, 1, w * c, c]);
}

/** Output size of a window along one dim, as PyTorch computes it. */
export function outSize(size: number, k: number, s: number, p: number, d: number, ceil = false): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  if (!ceil) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  if ((out - 1) * s >= size + p) out--;
  return out;
}

/** A window from [kh, kw] and optional stride/padding/dilation pairs. */
export function win(
  kernel: [number, number],
  stride: [number, number] = [1, 1],
  padding: [number, number] = [0, 0],
  dilation: [number, number] = [1, 1],
): Window2d {
  return { kernel, stride, padding, dilation };
}

/** Calls `f(n, c, oh, ow, ih, iw, i, j)` for every input tap of every output position of the window over x [N, C, H, W]. */
function forEachTap(
  shape: readonly number[],
  w: Window2d,
  f: (n: number, c: number, oh: number, ow: number, ih: number, iw: number, i: number, j: number) => void,
): [number, number] {
  const [N, C, H, W] = shape;
  const OH = outSize(H, w.kernel[0], w.stride[0], w.padding[0], w.dilation[0]);
  const OW = outSize(W, w.kernel[1], w.stride[1], w.padding[1], w.dilation[1]);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++)
          for (let i = 0; i < w.kernel[0]; i++)
            for (let j = 0; j < w.kernel[1]; j++) {
              const ih = oh * w.stride[0] - w.padding[0] + i * w.dilation[0];
              const iw = ow * w.stride[1] - w.padding[1] + j * w.dilation[1];
              if (ih >= 0 && ih < H && iw >= 0 && iw < W) f(n, c, oh, ow, ih, iw, i, j);
            }
  return [OH, OW];
}

function accumulate(values: Float64Array, scale: Float64Array, index: number, term: number): void {
  values[index] += term;
  scale[index] += Math.abs(term);
}

/** conv2d: y[n, co, oh, ow] = bias[co] + Σ x[n, g*cg + c, ih, iw] * w[co, c, i, j]. */
export function refConv2d(x: View, weight: View, bias: View | null, w: Window2d, groups: number): Reference {
  const N = x.shape[0];
  const [Cout, cg] = weight.shape;
  const coutg = Cout / groups;
  const OH = outSize(x.shape[2], w.kernel[0], w.stride[0], w.padding[0], w.dilation[0]);
  const OW = outSize(x.shape[3], w.kernel[1], w.stride[1], w.padding[1], w.dilation[1]);
  const values = new Float64Array(N * Cout * OH * OW);
  const scale = new Float64Array(values.length);
  forEachTap(x.shape, w, (n, c, oh, ow, ih, iw, i, j) => {
    const g = Math.floor(c / cg);
    for (let o = g * coutg; o < (g + 1) * coutg; o++)
      accumulate(values, scale, ((n * Cout + o) * OH + oh) * OW + ow, at(x, n, c, ih, iw) * at(weight, o, c - g * cg, i, j));
  });
  if (bias) for (let e = 0; e < values.length; e++) accumulate(values, scale, e, at(bias, Math.floor(e / (OH * OW)) % Cout));
  return { values, scale };
}

/** conv2d's input gradient: dx[n, c, ih, iw] = Σ grad[n, co, oh, ow] * w[co, c - g*cg, i, j]. */
export function refConv2dInputGrad(grad: View, weight: View, xShape: number[], w: Window2d, groups: number): Reference {
  const [, C, H, W] = xShape;
  const [Cout, cg] = weight.shape;
  const coutg = Cout / groups;
  const values = new Float64Array(xShape[0] * C * H * W);
  const scale = new Float64Array(values.length);
  forEachTap(xShape, w, (n, c, oh, ow, ih, iw, i, j) => {
    const g = Math.floor(c / cg);
    for (let o = g * coutg; o < (g + 1) * coutg; o++)
      accumulate(values, scale, ((n * C + c) * H + ih) * W + iw, at(grad, n, o, oh, ow) * at(weight, o, c - g * cg, i, j));
  });
  return { values, scale };
}

/** conv2d's weight gradient: dw[co, c, i, j] = Σ_n,oh,ow grad[n, co, oh, ow] * x[n, g*cg + c, ih, iw]. */
export function refConv2dWeightGrad(x: View, grad: View, w: Window2d, groups: number): Reference {
  const Cout = grad.shape[1];
  const cg = x.shape[1] / groups;
  const coutg = Cout / groups;
  const [kh, kw] = w.kernel;
  const values = new Float64Array(Cout * cg * kh * kw);
  const scale = new Float64Array(values.length);
  forEachTap(x.shape, w, (n, c, oh, ow, ih, iw, i, j) => {
    const g = Math.floor(c / cg);
    for (let o = g * coutg; o < (g + 1) * coutg; o++)
      accumulate(values, scale, ((o * cg + (c - g * cg)) * kh + i) * kw + j, at(grad, n, o, oh, ow) * at(x, n, c, ih, iw));
  });
  return { values, scale };
}

/** F.unfold: cols[n, (c*kh + i)*kw + j, oh*OW + ow] = x[n, c, ih, iw] (0 in the padding). */
export function refUnfold(x: View, w: Window2d): Reference {
  const [N, C] = x.shape;
  const [kh, kw] = w.kernel;
  const OH = outSize(x.shape[2], kh, w.stride[0], w.padding[0], w.dilation[0]);
  const OW = outSize(x.shape[3], kw, w.stride[1], w.padding[1], w.dilation[1]);
  const L = OH * OW;
  const values = new Float64Array(N * C * kh * kw * L);
  forEachTap(x.shape, w, (n, c, oh, ow, ih, iw, i, j) => {
    values[(n * C * kh * kw + (c * kh + i) * kw + j) * L + oh * OW + ow] = at(x, n, c, ih, iw);
  });
  return { values, scale: values.map(Math.abs) };
}

/** F.fold, the adjoint of unfold: x[n, c, ih, iw] = Σ cols[n, (c*kh + i)*kw + j, oh*OW + ow]. */
export function refFold(cols: View, xShape: number[], w: Window2d): Reference {
  const [, C, H, W] = xShape;
  const [kh, kw] = w.kernel;
  const OW = outSize(W, kw, w.stride[1], w.padding[1], w.dilation[1]);
  const values = new Float64Array(xShape[0] * C * H * W);
  const scale = new Float64Array(values.length);
  forEachTap(xShape, w, (n, c, oh, ow, ih, iw, i, j) => {
    accumulate(values, scale, ((n * C + c) * H + ih) * W + iw, at(cols, n, (c * kh + i) * kw + j, oh * OW + ow));
  });
  return { values, scale };
}
