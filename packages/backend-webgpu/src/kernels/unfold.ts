import type { Window2d } from '@kindling/tensor/backend';
import { type GpuRuntime, WORKGROUP } from '../runtime.js';
import { i32, i32s, paramLayout } from './params.js';
import type { StridedInput } from './reduce.js';
import { HELPERS, bindings, mainHeader } from './wgsl.js';
import { IMAGE_WINDOW_PARAMS, windowParams } from './window-params.js';

/**
 * im2col and col2im (`F.unfold`/`F.fold`): a thread per output element, each
 * finding its source (or, for col2im, gathering every column entry that
 * lands on its pixel, so the sum needs no atomics and is deterministic).
 */
const P = paramLayout({
  ...IMAGE_WINDOW_PARAMS,
  inOffset: i32,
  inStrides: i32s(4),
});
const p = (name: Parameters<typeof P.get>[0]): string => P.get(name);
const s = (d: number): string => P.at('inStrides', d);

function pack(
  total: number,
  c: number,
  size: readonly [number, number],
  out: readonly [number, number],
  window: Window2d,
  input: StridedInput,
) {
  const strides = input.strides.length === 3 ? [...input.strides, 0] : input.strides;
  return P.pack({
    total,
    C: c,
    H: size[0],
    W: size[1],
    OH: out[0],
    OW: out[1],
    ...windowParams(window),
    inOffset: input.offset,
    inStrides: strides,
  });
}

const IM2COL = `${bindings([
  { name: 'out', type: 'f32', write: true },
  { name: 'x', type: 'f32' },
])}
${HELPERS}
${mainHeader(WORKGROUP)}
  let i = k_linear(wid, nwg, lidx, ${WORKGROUP}u);
  if (i >= ${p('total')}) { return; }
  // out [N, C*kh*kw, OH*OW]: row c*kh*kw + ki*kw + kj, column oh*OW + ow.
  let L = ${p('OH')} * ${p('OW')};
  let khw = ${p('kh')} * ${p('kw')};
  let l = i % L;
  let row = (i / L) % (${p('C')} * khw);
  let n = i / L / (${p('C')} * khw);
  let c = row / khw;
  let tap = row % khw;
  let ih = i32(l / ${p('OW')}) * ${p('sh')} - ${p('ph')} + i32(tap / ${p('kw')}) * ${p('dh')};
  let iw = i32(l % ${p('OW')}) * ${p('sw')} - ${p('pw')} + i32(tap % ${p('kw')}) * ${p('dw')};
  var v = 0.0;
  if (ih >= 0 && iw >= 0 && ih < i32(${p('H')}) && iw < i32(${p('W')})) {
    v = x[${p('inOffset')} + i32(n) * ${s(0)} + i32(c) * ${s(1)} + ih * ${s(2)} + iw * ${s(3)}];
  }
  out[i] = v;
}`;

const COL2IM = `${bindings([
  { name: 'out', type: 'f32', write: true },
  { name: 'cols', type: 'f32' },
])}
${HELPERS}
${mainHeader(WORKGROUP)}
  let i = k_linear(wid, nwg, lidx, ${WORKGROUP}u);
  if (i >= ${p('total')}) { return; }
  // out [N, C, H, W]; cols [N, C*kh*kw, OH*OW] strided by inStrides[0..2].
  let hw = ${p('H')} * ${p('W')};
  let th = i32((i % hw) / ${p('W')}) + ${p('ph')};
  let tw = i32(i % ${p('W')}) + ${p('pw')};
  let c = (i / hw) % ${p('C')};
  let n = i / hw / ${p('C')};
  let sh = ${p('sh')};
  let sw = ${p('sw')};
  let khw = ${p('kh')} * ${p('kw')};
  var acc = 0.0;
  for (var ki = 0u; ki < ${p('kh')}; ki++) {
    let dh = th - i32(ki) * ${p('dh')};
    if (dh < 0 || dh % sh != 0 || dh / sh >= i32(${p('OH')})) { continue; }
    for (var kj = 0u; kj < ${p('kw')}; kj++) {
      let dw = tw - i32(kj) * ${p('dw')};
      if (dw < 0 || dw % sw != 0 || dw / sw >= i32(${p('OW')})) { continue; }
      let row = c * khw + ki * ${p('kw')} + kj;
      let l = (dh / sh) * i32(${p('OW')}) + dw / sw;
      acc += cols[${p('inOffset')} + i32(n) * ${s(0)} + i32(row) * ${s(1)} + l * ${s(2)}];
    }
  }
  out[i] = acc;
}`;

/** im2col of f32 `x` `[N, C, H, W]` into a fresh `[N, C*kh*kw, OH*OW]`. */
export function runIm2col(rt: GpuRuntime, x: StridedInput, outSize: readonly [number, number], window: Window2d, out: GPUBuffer): void {
  const [n, c, h, w] = x.shape;
  const total = n * c * window.kernel[0] * window.kernel[1] * outSize[0] * outSize[1];
  if (total === 0) return;
  const pipeline = rt.pipeline('im2col', () => IM2COL);
  rt.dispatch(pipeline, [out, x.buffer], pack(total, c, [h, w], outSize, window, x), rt.grid(Math.ceil(total / WORKGROUP)));
}

/**
 * col2im of f32 `cols` `[N, C*kh*kw, OH*OW]` into a fresh `[N, C, H, W]`
 * (`size` = `[H, W]`, `outSize` = `[OH, OW]` the window positions).
 */
export function runCol2im(
  rt: GpuRuntime,
  cols: StridedInput,
  channels: number,
  size: readonly [number, number],
  outSize: readonly [number, number],
  window: Window2d,
  out: GPUBuffer,
): void {
  const total = cols.shape[0] * channels * size[0] * size[1];
  if (total === 0) return;
  const pipeline = rt.pipeline('col2im', () => COL2IM);
  rt.dispatch(pipeline, [out, cols.buffer], pack(total, channels, size, outSize, window, cols), rt.grid(Math.ceil(total / WORKGROUP)));
}
