import { tensor } from '@kindling/tensor';
import type { Backend, StorageHandle, View, Window2d } from '@kindling/tensor/backend';
import { windowOutputSize } from '@kindling/tensor/backend';
import type { WebGPUBackend } from '../src/backend.js';
import { rowMajor } from '../src/layout.js';

/*
 * Naive host definitions of the sliding-window kernels (float64 loops over
 * float32-rounded inputs), written straight from PyTorch's documentation,
 * and a way to put a logical NCHW array on a backend as a non-contiguous view.
 */

export interface Image {
  data: number[];
  shape: [number, number, number, number];
}

const at = (s: readonly number[], n: number, c: number, h: number, w: number) => ((n * s[1] + c) * s[2] + h) * s[3] + w;

export function outSize(h: number, w: number, win: Window2d, ceilMode = false): [number, number] {
  return [0, 1].map((d) => windowOutputSize([h, w][d], win.kernel[d], win.stride[d], win.padding[d], win.dilation[d], ceilMode)) as [
    number,
    number,
  ];
}

/** Calls `f(tap h, tap w, i, j)` for every tap of window `(oh, ow)`, padding included. */
function taps(win: Window2d, oh: number, ow: number, f: (ih: number, iw: number, i: number, j: number) => void): void {
  for (let i = 0; i < win.kernel[0]; i++)
    for (let j = 0; j < win.kernel[1]; j++)
      f(oh * win.stride[0] - win.padding[0] + i * win.dilation[0], ow * win.stride[1] - win.padding[1] + j * win.dilation[1], i, j);
}

export function conv2dRef(x: Image, w: Image, bias: number[] | null, win: Window2d, groups: number): number[] {
  const [n, , h, wd] = x.shape;
  const [cout, cinG] = w.shape;
  const [oh, ow] = outSize(h, wd, win);
  const out = new Array<number>(n * cout * oh * ow).fill(0);
  const coutG = cout / groups;
  for (let b = 0; b < n; b++)
    for (let co = 0; co < cout; co++)
      for (let y = 0; y < oh; y++)
        for (let z = 0; z < ow; z++) {
          let s = bias ? bias[co] : 0;
          const g = Math.floor(co / coutG);
          for (let ci = 0; ci < cinG; ci++)
            taps(win, y, z, (ih, iw, i, j) => {
              if (ih >= 0 && iw >= 0 && ih < h && iw < wd)
                s += w.data[at(w.shape, co, ci, i, j)] * x.data[at(x.shape, b, g * cinG + ci, ih, iw)];
            });
          out[at([n, cout, oh, ow], b, co, y, z)] = s;
        }
  return out;
}

/** The adjoint of conv2d in its input: every output gradient spread back over its window. */
export function conv2dInputGradRef(grad: Image, w: Image, size: [number, number], win: Window2d, groups: number): number[] {
  const [n, cout, oh, ow] = grad.shape;
  const cinG = w.shape[1];
  const c = cinG * groups;
  const coutG = cout / groups;
  const out = new Array<number>(n * c * size[0] * size[1]).fill(0);
  for (let b = 0; b < n; b++)
    for (let co = 0; co < cout; co++)
      for (let y = 0; y < oh; y++)
        for (let z = 0; z < ow; z++) {
          const g = Math.floor(co / coutG);
          const gv = grad.data[at(grad.shape, b, co, y, z)];
          for (let ci = 0; ci < cinG; ci++)
            taps(win, y, z, (ih, iw, i, j) => {
              if (ih >= 0 && iw >= 0 && ih < size[0] && iw < size[1])
                out[at([n, c, size[0], size[1]], b, g * cinG + ci, ih, iw)] += gv * w.data[at(w.shape, co, ci, i, j)];
            });
        }
  return out;
}

export function conv2dWeightGradRef(x: Image, grad: Image, win: Window2d, groups: number): number[] {
  const [n, c, h, wd] = x.shape;
  const [, cout, oh, ow] = grad.shape;
  const cinG = c / groups;
  const coutG = cout / groups;
  const wShape = [cout, cinG, win.kernel[0], win.kernel[1]];
  const out = new Array<number>(cout * cinG * win.kernel[0] * win.kernel[1]).fill(0);
  for (let b = 0; b < n; b++)
    for (let co = 0; co < cout; co++)
      for (let y = 0; y < oh; y++)
        for (let z = 0; z < ow; z++) {
          const g = Math.floor(co / coutG);
          const gv = grad.data[at(grad.shape, b, co, y, z)];
          for (let ci = 0; ci < cinG; ci++)
            taps(win, y, z, (ih, iw, i, j) => {
              if (ih >= 0 && iw >= 0 && ih < h && iw < wd)
                out[at(wShape, co, ci, i, j)] += gv * x.data[at(x.shape, b, g * cinG + ci, ih, iw)];
            });
        }
  return out;
}

export function im2colRef(x: Image, win: Window2d): number[] {
  const [n, c, h, w] = x.shape;
  const [oh, ow] = outSize(h, w, win);
  const k = win.kernel[0] * win.kernel[1];
  const L = oh * ow;
  const out = new Array<number>(n * c * k * L).fill(0);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < oh; y++)
        for (let z = 0; z < ow; z++)
          taps(win, y, z, (ih, iw, i, j) => {
            const row = ch * k + i * win.kernel[1] + j;
            if (ih >= 0 && iw >= 0 && ih < h && iw < w) out[(b * c * k + row) * L + y * ow + z] = x.data[at(x.shape, b, ch, ih, iw)];
          });
  return out;
}

/** col2im of `cols` `[N, C*k, L]` as a flat array. */
export function col2imRef(cols: number[], n: number, c: number, size: [number, number], win: Window2d): number[] {
  const [oh, ow] = outSize(size[0], size[1], win);
  const k = win.kernel[0] * win.kernel[1];
  const L = oh * ow;
  const out = new Array<number>(n * c * size[0] * size[1]).fill(0);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < oh; y++)
        for (let z = 0; z < ow; z++)
          taps(win, y, z, (ih, iw, i, j) => {
            const row = ch * k + i * win.kernel[1] + j;
            if (ih >= 0 && iw >= 0 && ih < size[0] && iw < size[1])
              out[at([n, c, size[0], size[1]], b, ch, ih, iw)] += cols[(b * c * k + row) * L + y * ow + z];
          });
  return out;
}

/** Max pooling: the first maximum (a NaN beats any number; the first NaN is kept), padding never wins. */
export function maxPoolRef(x: Image, win: Window2d, ceilMode: boolean): [number[], number[]] {
  const [n, c, h, w] = x.shape;
  const [oh, ow] = outSize(h, w, win, ceilMode);
  const values: number[] = [];
  const indices: number[] = [];
  for (let p = 0; p < n * c; p++)
    for (let y = 0; y < oh; y++)
      for (let z = 0; z < ow; z++) {
        let best = Number.NEGATIVE_INFINITY;
        let idx = -1;
        taps(win, y, z, (ih, iw) => {
          if (ih < 0 || iw < 0 || ih >= h || iw >= w) return;
          const v = x.data[p * h * w + ih * w + iw];
          if (idx < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
            best = v;
            idx = ih * w + iw;
          }
        });
        values.push(best);
        indices.push(idx);
      }
  return [values, indices];
}

/** PyTorch's avg_pool2d (aten's CPU kernel), window clipped to the padded image for its size. */
export function avgPoolRef(x: Image, win: Window2d, ceilMode: boolean, countIncludePad: boolean, divisor: number | null): number[] {
  const [n, c, h, w] = x.shape;
  const [oh, ow] = outSize(h, w, win, ceilMode);
  const out: number[] = [];
  for (let p = 0; p < n * c; p++)
    for (let y = 0; y < oh; y++)
      for (let z = 0; z < ow; z++) {
        let h0 = y * win.stride[0] - win.padding[0];
        let w0 = z * win.stride[1] - win.padding[1];
        let h1 = Math.min(h0 + win.kernel[0], h + win.padding[0]);
        let w1 = Math.min(w0 + win.kernel[1], w + win.padding[1]);
        const padded = (h1 - h0) * (w1 - w0);
        h0 = Math.max(h0, 0);
        w0 = Math.max(w0, 0);
        h1 = Math.min(h1, h);
        w1 = Math.min(w1, w);
        let s = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += x.data[p * h * w + ih * w + iw];
        out.push(s / (divisor ?? (countIncludePad ? padded : (h1 - h0) * (w1 - w0))));
      }
  return out;
}

/**
 * Uploads logical row-major `data` of `shape` so that it is read through a
 * non-contiguous view: dims stored in the order `order` (outermost first),
 * `offset` elements in, with a gap of one element after each stored row.
 */
export function stridedView(b: Backend, data: readonly number[], shape: readonly number[], order: readonly number[], offset = 1): View {
  const strides = new Array<number>(shape.length).fill(0);
  let s = 1;
  for (let k = order.length - 1; k >= 0; k--) {
    strides[order[k]] = s;
    s *= shape[order[k]] + (k === order.length - 1 ? 1 : 0);
  }
  const storage = new Float32Array(offset + s).fill(Number.NaN);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < data.length; i++) {
    let rem = i;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
    }
    storage[offset + idx.reduce((a, v, d) => a + v * strides[d], 0)] = data[i];
  }
  return { handle: b.upload('float32', storage), dtype: 'float32', shape, strides, offset };
}

/** A contiguous float32 view of `data`. */
export function denseView(b: Backend, data: readonly number[], shape: readonly number[], dtype: 'float32' | 'float16' = 'float32'): View {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, v) => a * v, 1));
  return { handle: b.upload(dtype, Float32Array.from(data)), dtype, shape, strides, offset: 0 };
}

const backends = new Map<boolean, Promise<WebGPUBackend>>();

/** A backend on the shared device with the given kernel variants, one per variant (pipelines compile once). */
export function backendFor(software: boolean): Promise<WebGPUBackend> {
  let b = backends.get(software);
  if (!b) {
    b = (async () => {
      const { WebGPUBackend } = await import('../src/backend.js');
      const { GpuRuntime } = await import('../src/runtime.js');
      const shared = tensor([0], { device: 'webgpu' }).storage.backend as WebGPUBackend;
      return new WebGPUBackend(new GpuRuntime(shared.runtime.device, { software }));
    })();
    backends.set(software, b);
  }
  return b;
}

/** A window; stride, padding and dilation default to PyTorch's. */
export const win = (
  kernel: [number, number],
  stride: [number, number] = [1, 1],
  padding: [number, number] = [0, 0],
  dilation: [number, number] = [1, 1],
): Window2d => ({ kernel, stride, padding, dilation });

/** A fresh contiguous float32 result read back. */
export async function readDense(b: WebGPUBackend, handle: StorageHandle | null, shape: number[]): Promise<number[]> {
  if (!handle) throw new Error('the fused kernel declined');
  const view: View = { handle, dtype: 'float32', shape, strides: rowMajor(shape), offset: 0 };
  return Array.from(await b.read(view));
}
