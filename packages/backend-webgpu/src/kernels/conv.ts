import type { Window2d } from '@kindling/tensor/backend';
import type { GpuRuntime } from '../runtime.js';
import { GEMM_DIRECT_TILE, GEMM_TILE, type GemmSpec, directGemm, tiledGemm } from './implicit-gemm.js';
import { i32, i32s, paramLayout, u32 } from './params.js';
import { type StridedInput, runReduce } from './reduce.js';
import { HELPERS, bindings } from './wgsl.js';
import { WINDOW_PARAMS, windowParams } from './window-params.js';

/** The sizes of one convolution: `x` `[n, c, h, w]`, weight `[cout, c/groups, kh, kw]`, output `[n, cout, oh, ow]`. */
export interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  cout: number;
  oh: number;
  ow: number;
  groups: number;
  window: Window2d;
}

/**
 * One layout serves the three conv kernels (an operand a kernel lacks gets
 * zeros): the image geometry, the window, each operand's offset and NCHW
 * strides, and the product's shape (`M`, `cols`, `K`, split-K).
 */
const P = paramLayout({
  C: u32,
  H: u32,
  W: u32,
  Cout: u32,
  OH: u32,
  OW: u32,
  cinG: u32,
  coutG: u32,
  khw: u32,
  hw: u32,
  ohw: u32,
  ...WINDOW_PARAMS,
  xOffset: i32,
  xStrides: i32s(4),
  wOffset: i32,
  wStrides: i32s(4),
  gOffset: i32,
  gStrides: i32s(4),
  biasOffset: i32,
  biasStride: i32,
  M: u32,
  cols: u32,
  K: u32,
  splits: u32,
  chunk: u32,
  partStride: u32,
});
const p = (name: Parameters<typeof P.get>[0]): string => P.get(name);
const xs = (d: number): string => P.at('xStrides', d);
const ws = (d: number): string => P.at('wStrides', d);
const gs = (d: number): string => P.at('gStrides', d);

/*
 * Loads that may fall outside their image check both bounds of a coordinate
 * with one unsigned compare (a negative i32 is a huge u32) and select rather
 * than branch: SIMD lanes on a software adapter would otherwise run both
 * sides of a divergent branch under masks. An index that fails the check is
 * replaced by the plane's start (always in range) before the load.
 */

/**
 * Input pixel `(ih, iw)` of a plane starting at `base`, 0 in the padding.
 * Without padding every tap of every window lies in the image (that is how
 * the output size is defined), so the check is dropped.
 */
function loadX(padded: boolean): string {
  const at = `base + ih * ${xs(2)} + iw * ${xs(3)}`;
  if (!padded) return `fn k_x(base: i32, ih: i32, iw: i32) -> f32 { return x[${at}]; }`;
  return `fn k_x(base: i32, ih: i32, iw: i32) -> f32 {
  let ok = (u32(ih) < ${p('H')}) & (u32(iw) < ${p('W')});
  return select(0.0, x[select(base, ${at}, ok)], ok);
}`;
}

/**
 * The gradient at the output pixel whose window puts its tap on input pixel
 * `(th, tw)` (the pixel plus padding minus the tap's offset, so `oh·sh`), 0
 * if there is none. Stride 1, the common case, needs no division.
 */
function loadGrad(unitStride: boolean): string {
  const [oh, ow] = unitStride ? ['th', 'tw'] : [`th / ${p('sh')}`, `tw / ${p('sw')}`];
  const divisible = unitStride ? '' : ` & (th % ${p('sh')} == 0) & (tw % ${p('sw')} == 0)`;
  return `fn k_g(base: i32, th: i32, tw: i32) -> f32 {
  let oh = ${oh};
  let ow = ${ow};
  let ok = (u32(oh) < ${p('OH')}) & (u32(ow) < ${p('OW')})${divisible};
  return select(0.0, gr[select(base, base + oh * ${gs(2)} + ow * ${gs(3)}, ok)], ok);
}`;
}

type Kind = 'forward' | 'inputGrad' | 'weightGrad';

/**
 * The three products (per group `g`):
 * - forward: out[co, (n,oh,ow)] = Σ_(ci,i,j) weight[co, ci, i, j] · x[n, ci, oh·sh-ph+i·dh, ow·sw-pw+j·dw], plus bias;
 * - inputGrad: dx[ci, (n,h,w)] = Σ_(co,i,j) weight[co, ci, i, j] · grad[n, co, (h+ph-i·dh)/sh, (w+pw-j·dw)/sw]
 *   over the taps that land on an output pixel (a gather, so no atomics and a deterministic sum);
 * - weightGrad: dw[co, (ci,i,j)] = Σ_(n,oh,ow) grad[n, co, oh, ow] · x[n, ci, oh·sh-ph+i·dh, ow·sw-pw+j·dw].
 */
function spec(kind: Kind, hasBias: boolean): GemmSpec {
  // Forward and input gradient reduce over (channel, tap row, tap column), the weight gradient over (n, oh, ow).
  const radix = kind === 'weightGrad' ? ([p('OH'), p('OW')] as const) : ([p('kh'), p('kw')] as const);
  const shape = { M: p('M'), N: p('cols'), K: p('K'), splits: p('splits'), chunk: p('chunk'), radix };
  if (kind === 'forward') {
    const bias = hasBias ? ` + bias[${p('biasOffset')} + i32(g * ${p('coutG')} + r) * ${p('biasStride')}]` : '';
    return {
      ...shape,
      a: {
        outer: (r, s) => `  let aBase${s} = ${p('wOffset')} + i32(g * ${p('coutG')} + ${r}) * ${ws(0)};`,
        inner: (ci, i, j) => `  let aOff = i32(${ci}) * ${ws(1)} + i32(${i}) * ${ws(2)} + i32(${j}) * ${ws(3)};`,
        load: (s) => `w[aBase${s} + aOff]`,
      },
      b: {
        outer: (c, s) => `  let bq${s} = ${c};
  let bp${s} = bq${s} % ${p('ohw')};
  let bBase${s} = ${p('xOffset')} + i32(bq${s} / ${p('ohw')}) * ${xs(0)} + i32(g * ${p('cinG')}) * ${xs(1)};
  let bh${s} = i32(bp${s} / ${p('OW')}) * ${p('sh')} - ${p('ph')};
  let bw${s} = i32(bp${s} % ${p('OW')}) * ${p('sw')} - ${p('pw')};`,
        inner: (ci, i, j) => `  let bCh = i32(${ci}) * ${xs(1)};
  let bdh = i32(${i}) * ${p('dh')};
  let bdw = i32(${j}) * ${p('dw')};`,
        load: (s) => `k_x(bBase${s} + bCh, bh${s} + bdh, bw${s} + bdw)`,
      },
      store: (r, c, v) =>
        `let r = ${r}; let c = ${c}; out[(c / ${p('ohw')} * ${p('Cout')} + g * ${p('coutG')} + r) * ${p('ohw')} + c % ${p('ohw')}] = ${v}${bias};`,
    };
  }
  if (kind === 'inputGrad') {
    return {
      ...shape,
      a: {
        outer: (r, s) => `  let aBase${s} = ${p('wOffset')} + i32(${r}) * ${ws(1)};`,
        inner: (co, i, j) => `  let aOff = i32(g * ${p('coutG')} + ${co}) * ${ws(0)} + i32(${i}) * ${ws(2)} + i32(${j}) * ${ws(3)};`,
        load: (s) => `w[aBase${s} + aOff]`,
      },
      b: {
        outer: (c, s) => `  let bq${s} = ${c};
  let bp${s} = bq${s} % ${p('hw')};
  let bBase${s} = ${p('gOffset')} + i32(bq${s} / ${p('hw')}) * ${gs(0)} + i32(g * ${p('coutG')}) * ${gs(1)};
  let bh${s} = i32(bp${s} / ${p('W')}) + ${p('ph')};
  let bw${s} = i32(bp${s} % ${p('W')}) + ${p('pw')};`,
        inner: (co, i, j) => `  let bCh = i32(${co}) * ${gs(1)};
  let bdh = i32(${i}) * ${p('dh')};
  let bdw = i32(${j}) * ${p('dw')};`,
        load: (s) => `k_g(bBase${s} + bCh, bh${s} - bdh, bw${s} - bdw)`,
      },
      store: (r, c, v) =>
        `let r = ${r}; let c = ${c}; out[(c / ${p('hw')} * ${p('C')} + g * ${p('cinG')} + r) * ${p('hw')} + c % ${p('hw')}] = ${v};`,
    };
  }
  return {
    ...shape,
    a: {
      outer: (r, s) => `  let aBase${s} = ${p('gOffset')} + i32(g * ${p('coutG')} + ${r}) * ${gs(1)};`,
      inner: (n, oh, ow) => `  let aOff = i32(${n}) * ${gs(0)} + i32(${oh}) * ${gs(2)} + i32(${ow}) * ${gs(3)};`,
      load: (s) => `gr[aBase${s} + aOff]`,
    },
    b: {
      outer: (c, s) => `  let bq${s} = ${c};
  let bTap${s} = bq${s} % ${p('khw')};
  let bBase${s} = ${p('xOffset')} + i32(g * ${p('cinG')} + bq${s} / ${p('khw')}) * ${xs(1)};
  let bdh${s} = i32(bTap${s} / ${p('kw')}) * ${p('dh')} - ${p('ph')};
  let bdw${s} = i32(bTap${s} % ${p('kw')}) * ${p('dw')} - ${p('pw')};`,
      inner: (n, oh, ow) => `  let bOff = i32(${n}) * ${xs(0)};
  let bh = i32(${oh}) * ${p('sh')};
  let bw = i32(${ow}) * ${p('sw')};`,
      load: (s) => `k_x(bBase${s} + bOff, bh + bdh${s}, bw + bdw${s})`,
    },
    store: (r, c, v) => `out[split * ${p('partStride')} + (g * ${p('coutG')} + ${r}) * ${p('cols')} + ${c}] = ${v};`,
  };
}

/** What selects a conv pipeline besides its kind. */
interface Variant {
  hasBias: boolean;
  /** Stride 1: the input gradient needs no division. */
  unitStride: boolean;
  /** Some padding: image loads check their bounds. */
  padded: boolean;
}

function source(rt: GpuRuntime, kind: Kind, v: Variant): string {
  const names = kind === 'forward' ? ['x', 'w', ...(v.hasBias ? ['bias'] : [])] : kind === 'inputGrad' ? ['gr', 'w'] : ['x', 'gr'];
  const decls = bindings([{ name: 'out', type: 'f32', write: true }, ...names.map((name) => ({ name, type: 'f32' }))]);
  const helpers = [names.includes('x') ? loadX(v.padded) : '', names.includes('gr') ? loadGrad(v.unitStride) : ''].join('\n');
  const s = spec(kind, v.hasBias);
  return `${decls}\n${HELPERS}\n${helpers}\n${rt.software ? directGemm(s) : tiledGemm(s)}`;
}

/** The product's `[M, cols, K]` per group. */
function productShape(kind: Kind, g: ConvGeometry): [number, number, number] {
  const [kh, kw] = g.window.kernel;
  const cinG = g.c / g.groups;
  const coutG = g.cout / g.groups;
  if (kind === 'forward') return [coutG, g.n * g.oh * g.ow, cinG * kh * kw];
  if (kind === 'inputGrad') return [cinG, g.n * g.h * g.w, coutG * kh * kw];
  return [coutG, cinG * kh * kw, g.n * g.oh * g.ow];
}

/** Whether the dispatch grid of `kind` fits WebGPU's 65535 workgroups per dimension (else the op lowers). */
export function convFits(rt: GpuRuntime, kind: Kind, g: ConvGeometry): boolean {
  const [M, cols] = productShape(kind, g);
  const tile = rt.software ? GEMM_DIRECT_TILE : GEMM_TILE;
  return Math.ceil(cols / tile) <= 65535 && Math.ceil(M / tile) <= 65535 && g.groups <= 65535;
}

/** Few output tiles over a long reduction leave the device idle: split it so about this many workgroups run. */
const TARGET_WORKGROUPS = 64;
const MIN_CHUNK = 256;

/**
 * Runs conv kernel `kind` into the fresh contiguous `out` (f32): one dispatch,
 * plus, when the weight gradient's reduction is split, one reduction of the
 * partial sums. `operands` are in binding order: forward `x, weight[, bias]`,
 * inputGrad `grad, weight`, weightGrad `x, grad`.
 */
export function runConv(rt: GpuRuntime, kind: Kind, g: ConvGeometry, operands: readonly StridedInput[], out: GPUBuffer): void {
  const [M, cols, K] = productShape(kind, g);
  const outSize = kind === 'forward' ? g.n * g.cout * g.oh * g.ow : kind === 'inputGrad' ? g.n * g.c * g.h * g.w : g.cout * cols;
  if (outSize === 0) return;
  const tile = rt.software ? GEMM_DIRECT_TILE : GEMM_TILE;
  const tiles = Math.ceil(cols / tile) * Math.ceil(M / tile) * g.groups;
  let splits = 1;
  if (kind === 'weightGrad') {
    splits = Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / tiles), Math.floor(K / MIN_CHUNK), Math.floor(65535 / g.groups)));
  }
  const chunk = Math.max(16, Math.ceil(K / splits / 16) * 16);
  splits = Math.max(1, Math.ceil(K / chunk));
  const [x, w, third] = operands;
  const view = (role: 'x' | 'w' | 'g' | 'bias'): StridedInput | null => {
    if (kind === 'forward') return role === 'x' ? x : role === 'w' ? w : role === 'bias' ? (third ?? null) : null;
    if (kind === 'inputGrad') return role === 'g' ? x : role === 'w' ? w : null;
    return role === 'x' ? x : role === 'g' ? w : null;
  };
  const strides = (v: StridedInput | null) => (v ? [...v.strides] : [0, 0, 0, 0]);
  const { kernel, stride, padding } = g.window;
  const params = P.pack({
    C: g.c,
    H: g.h,
    W: g.w,
    Cout: g.cout,
    OH: g.oh,
    OW: g.ow,
    cinG: g.c / g.groups,
    coutG: g.cout / g.groups,
    khw: kernel[0] * kernel[1],
    hw: g.h * g.w,
    ohw: g.oh * g.ow,
    ...windowParams(g.window),
    xOffset: view('x')?.offset ?? 0,
    xStrides: strides(view('x')),
    wOffset: view('w')?.offset ?? 0,
    wStrides: strides(view('w')),
    gOffset: view('g')?.offset ?? 0,
    gStrides: strides(view('g')),
    biasOffset: view('bias')?.offset ?? 0,
    biasStride: view('bias')?.strides[0] ?? 0,
    M,
    cols,
    K,
    splits,
    chunk,
    partStride: outSize,
  });
  const hasBias = operands.length > 2;
  const variant: Variant = {
    hasBias,
    // Only the input gradient divides by the stride, and only loads of x check padding.
    unitStride: kind !== 'inputGrad' || (stride[0] === 1 && stride[1] === 1),
    padded: kind !== 'inputGrad' && (padding[0] !== 0 || padding[1] !== 0),
  };
  const key = `conv2d|${kind}|${rt.software ? 'direct' : 'tiled'}|${Object.entries(variant)
    .map(([k, on]) => (on ? k : ''))
    .join(',')}`;
  const pipeline = rt.pipeline(key, () => source(rt, kind, variant));
  const groups: [number, number, number] = [Math.ceil(cols / tile), Math.ceil(M / tile), g.groups * splits];
  const buffers = operands.map((o) => o.buffer);
  if (splits === 1) {
    // An empty reduction (K = 0) still runs and writes zeros (or the bias).
    rt.dispatch(pipeline, [out, ...buffers], params, groups);
    return;
  }
  const partial = rt.pool.acquire(splits * outSize * 4);
  rt.dispatch(pipeline, [partial, ...buffers], params, groups);
  const parts: StridedInput = { buffer: partial, dtype: 'float32', shape: [splits, outSize], strides: [outSize, 1], offset: 0 };
  runReduce(rt, 'sum', parts, [0], out, 'float32');
  rt.pool.release(partial);
}
