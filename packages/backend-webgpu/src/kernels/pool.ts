import type { Window2d } from '@kindling/tensor/backend';
import { type GpuRuntime, WORKGROUP } from '../runtime.js';
import { f32, i32, i32s, paramLayout, u32 } from './params.js';
import type { StridedInput } from './reduce.js';
import { HELPERS, bindings, mainHeader } from './wgsl.js';
import { IMAGE_WINDOW_PARAMS, windowParams } from './window-params.js';

/**
 * Max and average pooling over f32 `[N, C, H, W]` (any strides): a thread
 * per output element walks its window, with the padding implicit.
 */
const P = paramLayout({
  ...IMAGE_WINDOW_PARAMS,
  xOffset: i32,
  xStrides: i32s(4),
  countIncludePad: u32,
  /** 0 when the window's own size divides. */
  divisor: f32,
});
const p = (name: Parameters<typeof P.get>[0]): string => P.get(name);
const s = (d: number): string => P.at('xStrides', d);

/** Thread `i`'s output pixel and the top-left corner of its window (which may lie in the padding). */
const PIXEL = `  let i = k_linear(wid, nwg, lidx, ${WORKGROUP}u);
  if (i >= ${p('total')}) { return; }
  let ohw = ${p('OH')} * ${p('OW')};
  let plane = i / ohw;
  let base = ${p('xOffset')} + i32(plane / ${p('C')}) * ${s(0)} + i32(plane % ${p('C')}) * ${s(1)};
  let H = i32(${p('H')});
  let W = i32(${p('W')});
  let h0 = i32((i % ohw) / ${p('OW')}) * ${p('sh')} - ${p('ph')};
  let w0 = i32(i % ${p('OW')}) * ${p('sw')} - ${p('pw')};`;

/**
 * The first maximum of the window and its flat index `h*W + w`; a NaN
 * replaces any number (the first NaN is kept, as argmax keeps the first),
 * and padding never wins. A window wholly in the padding gives -inf at 0.
 */
const MAX_POOL = `${bindings([
  { name: 'out', type: 'f32', write: true },
  { name: 'idx', type: 'i32', write: true },
  { name: 'x', type: 'f32' },
])}
${HELPERS}
${mainHeader(WORKGROUP)}
${PIXEL}
  var best = -k_inf();
  var at = -1;
  for (var ki = 0u; ki < ${p('kh')}; ki++) {
    let ih = h0 + i32(ki) * ${p('dh')};
    if (ih < 0 || ih >= H) { continue; }
    for (var kj = 0u; kj < ${p('kw')}; kj++) {
      let iw = w0 + i32(kj) * ${p('dw')};
      if (iw < 0 || iw >= W) { continue; }
      let v = x[base + ih * ${s(2)} + iw * ${s(3)}];
      if (at < 0 || v > best || (k_isnan(v) && !k_isnan(best))) {
        best = v;
        at = ih * W + iw;
      }
    }
  }
  out[i] = best;
  idx[i] = max(at, 0);
}`;

/**
 * PyTorch's average: the window is clipped to the padded image (windows
 * `ceilMode` adds hang past it), its size counted there, then clipped to the
 * image for the sum; the divisor is the override, the padded size, or the
 * clipped one.
 */
const AVG_POOL = `${bindings([
  { name: 'out', type: 'f32', write: true },
  { name: 'x', type: 'f32' },
])}
${HELPERS}
${mainHeader(WORKGROUP)}
${PIXEL}
  let h1 = min(h0 + i32(${p('kh')}), H + ${p('ph')});
  let w1 = min(w0 + i32(${p('kw')}), W + ${p('pw')});
  let padded = f32((h1 - h0) * (w1 - w0));
  let hs = max(h0, 0);
  let ws = max(w0, 0);
  let he = min(h1, H);
  let we = min(w1, W);
  var acc = 0.0;
  for (var ih = hs; ih < he; ih++) {
    for (var iw = ws; iw < we; iw++) { acc += x[base + ih * ${s(2)} + iw * ${s(3)}]; }
  }
  var divisor = ${p('divisor')};
  if (divisor == 0.0) { divisor = select(f32(max(he - hs, 0) * max(we - ws, 0)), padded, ${p('countIncludePad')} != 0u); }
  out[i] = acc / divisor;
}`;

function pack(x: StridedInput, outSize: readonly [number, number], window: Window2d, countIncludePad: boolean, divisor: number) {
  const [n, c, h, w] = x.shape;
  return P.pack({
    total: n * c * outSize[0] * outSize[1],
    C: c,
    H: h,
    W: w,
    OH: outSize[0],
    OW: outSize[1],
    ...windowParams(window),
    xOffset: x.offset,
    xStrides: x.strides,
    countIncludePad: countIncludePad ? 1 : 0,
    divisor,
  });
}

/** Max pooling of f32 `x` into fresh `[N, C, OH, OW]` values (f32) and indices (i32). */
export function runMaxPool(
  rt: GpuRuntime,
  x: StridedInput,
  outSize: readonly [number, number],
  window: Window2d,
  values: GPUBuffer,
  indices: GPUBuffer,
): void {
  const total = x.shape[0] * x.shape[1] * outSize[0] * outSize[1];
  if (total === 0) return;
  const pipeline = rt.pipeline('maxPool2d', () => MAX_POOL);
  rt.dispatch(pipeline, [values, indices, x.buffer], pack(x, outSize, window, false, 0), rt.grid(Math.ceil(total / WORKGROUP)));
}

/** Average pooling of f32 `x` (dilation 1) into a fresh `[N, C, OH, OW]`; `divisor` 0 means none given. */
export function runAvgPool(
  rt: GpuRuntime,
  x: StridedInput,
  outSize: readonly [number, number],
  window: Window2d,
  countIncludePad: boolean,
  divisor: number,
  out: GPUBuffer,
): void {
  const total = x.shape[0] * x.shape[1] * outSize[0] * outSize[1];
  if (total === 0) return;
  const pipeline = rt.pipeline('avgPool2d', () => AVG_POOL);
  rt.dispatch(pipeline, [out, x.buffer], pack(x, outSize, window, countIncludePad, divisor), rt.grid(Math.ceil(total / WORKGROUP)));
}
