import type { DType } from '@kindling/tensor';
import type { ReduceOp } from '@kindling/tensor/backend';
import { coalesce } from '../layout.js';
import type { GpuRuntime } from '../runtime.js';
import type { WebGPUBuffer } from '../gpu-types.js';
import { MATH } from './math.js';
import { decompose } from './offsets.js';
import { i32, i32s, paramLayout, u32, u32s } from './params.js';
import { HELPERS, bindings, convert, mainHeader, normalize, wgslType } from './wgsl.js';

/** A strided input. */
export interface StridedInput {
  buffer: WebGPUBuffer;
  dtype: DType;
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

export type ReduceKind = ReduceOp | 'argmax' | 'argmin';

const GROUP = 256;
/** Reductions at least this long get a workgroup each (tree reduction); shorter ones a thread each. */
const GROUP_THRESHOLD = 128;
/**
 * Few, very long reductions would leave most of a GPU idle with one workgroup
 * each; they are split into chunks of at least this many elements, reduced in
 * parallel, and the partial results reduced by a second pass.
 */
const SPLIT_CHUNK = 16 * 1024;
const MAX_CHUNKS = 1024;

function identity(op: ReduceKind, dtype: DType): string {
  const t = wgslType(dtype);
  switch (op) {
    case 'sum':
    case 'any':
      return t === 'f32' ? '0.0' : t === 'i32' ? '0' : '0u';
    case 'prod':
    case 'all':
      return t === 'f32' ? '1.0' : t === 'i32' ? '1' : '1u';
    case 'max':
    case 'argmax':
      return t === 'f32' ? '-k_inf()' : t === 'i32' ? '(-2147483647 - 1)' : '0u';
    case 'min':
    case 'argmin':
      return t === 'f32' ? 'k_inf()' : t === 'i32' ? '2147483647' : '4294967295u';
  }
}

function combine(op: ReduceOp, dtype: DType, a: string, b: string): string {
  const f = dtype === 'float32';
  switch (op) {
    case 'sum':
      return `(${a} + ${b})`;
    case 'prod':
      return `(${a} * ${b})`;
    case 'max':
      return f ? `k_maxf(${a}, ${b})` : `max(${a}, ${b})`;
    case 'min':
      return f ? `k_minf(${a}, ${b})` : `min(${a}, ${b})`;
    case 'any':
      return `(${a} | ${b})`;
    case 'all':
      return `(${a} & ${b})`;
  }
}

/** WGSL: whether value `x` should replace `y` as the arg-extremum (NaN counts as the extremum, as in torch). */
function better(op: 'argmax' | 'argmin', dtype: DType, x: string, y: string): string {
  const cmp = op === 'argmax' ? '>' : '<';
  if (dtype !== 'float32') return `(${x} ${cmp} ${y})`;
  return `((k_isnan(${x}) && !k_isnan(${y})) || ${x} ${cmp} ${y})`;
}

function same(dtype: DType, x: string, y: string): string {
  if (dtype !== 'float32') return `(${x} == ${y})`;
  return `(${x} == ${y} || (k_isnan(${x}) && k_isnan(${y})))`;
}

/**
 * Reduces the dims `axes` of `x` away into a fresh contiguous `out` of
 * `outDtype` (int32 indices for arg reductions). Long reductions use a
 * workgroup each with a shared-memory tree; short ones a thread each.
 */
export function runReduce(
  rt: GpuRuntime,
  op: ReduceKind,
  x: StridedInput,
  axes: readonly number[],
  out: WebGPUBuffer,
  outDtype: DType,
): void {
  const keptDims = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const kept = coalesce(
    keptDims.map((d) => x.shape[d]),
    [keptDims.map((d) => x.strides[d])],
  );
  const red = coalesce(
    axes.map((d) => x.shape[d]),
    [axes.map((d) => x.strides[d])],
  );
  const outer = kept.shape.reduce((a, b) => a * b, 1);
  const length = red.shape.reduce((a, b) => a * b, 1);
  if (outer === 0) return;
  const nk = kept.shape.length;
  const nr = red.shape.length;
  const grouped = length >= GROUP_THRESHOLD;
  const arg = op === 'argmax' || op === 'argmin';
  const chunks = grouped && !arg && outer < 64 ? Math.min(MAX_CHUNKS, Math.floor(length / SPLIT_CHUNK)) : 1;
  const chunkLength = Math.ceil(length / Math.max(1, chunks));
  const layout = paramLayout({
    outer: u32,
    length: u32,
    xOffset: i32,
    keptShape: u32s(nk),
    keptStrides: i32s(nk),
    reducedShape: u32s(nr),
    reducedStrides: i32s(nr),
    chunkLength: u32,
    chunks: u32,
  });
  const params = layout.pack({
    outer,
    length,
    xOffset: x.offset,
    keptShape: kept.shape,
    keptStrides: kept.strides[0],
    reducedShape: red.shape,
    reducedStrides: red.strides[0],
    chunkLength,
    chunks: Math.max(1, chunks),
  });
  // Values accumulate in the output dtype (bool for any/all); arg reductions keep the input dtype.
  const acc: DType = arg ? x.dtype : outDtype;
  const key = `reduce|${op}|${x.dtype}->${outDtype}|k${nk}|r${nr}|${grouped ? 'group' : 'thread'}`;
  const pipeline = rt.pipeline(key, () => {
    const T = wgslType(acc);
    const load = (r: string) => `load(o_base, ${r})`;
    const loadFn = `fn load(base: i32, r: u32) -> ${T} {
  var off = base;
${decompose('r', nr, (d) => layout.at('reducedShape', d), [{ name: 'off', stride: (d) => layout.at('reducedStrides', d) }])}
  return ${convert('x[off]', x.dtype, acc)};
}`;
    const base = `  var o_base: i32 = ${layout.get('xOffset')};
${decompose('o', nk, (d) => layout.at('keptShape', d), [{ name: 'o_base', stride: (d) => layout.at('keptStrides', d) }])}`;
    const id = identity(op, acc);
    const step = (v: string, r: string) =>
      arg ? `if (ai < 0 || ${better(op, acc, v, 'av')}) { av = ${v}; ai = i32(${r}); }` : `av = ${combine(op as ReduceOp, acc, 'av', v)};`;
    const store = arg ? 'out[o] = max(ai, 0);' : `out[o] = ${normalize('av', outDtype)};`;
    const decls = bindings([
      { name: 'out', type: wgslType(outDtype), write: true },
      { name: 'x', type: wgslType(x.dtype) },
    ]);
    if (!grouped) {
      return `${decls}
${HELPERS}
${MATH}
${loadFn}
${mainHeader(GROUP)}
  let o = k_linear(wid, nwg, lidx, ${GROUP}u);
  if (o >= ${layout.get('outer')}) { return; }
${base}
  var av: ${T} = ${id};
  var ai: i32 = -1;
  for (var r = 0u; r < ${layout.get('length')}; r++) {
    let v = ${load('r')};
    ${step('v', 'r')}
  }
  ${store}
}`;
    }
    const merge = arg
      ? `let bv = sv[lidx + s]; let bi = si[lidx + s]; let cv = sv[lidx]; let ci = si[lidx];
      if (bi >= 0 && (ci < 0 || ${better(op, acc, 'bv', 'cv')} || (${same(acc, 'bv', 'cv')} && bi < ci))) { sv[lidx] = bv; si[lidx] = bi; }`
      : `sv[lidx] = ${combine(op as ReduceOp, acc, 'sv[lidx]', 'sv[lidx + s]')};`;
    return `${decls}
${HELPERS}
${MATH}
var<workgroup> sv: array<${T}, ${GROUP}>;
var<workgroup> si: array<i32, ${GROUP}>;
${loadFn}
${mainHeader(GROUP)}
  // Workgroup g reduces chunk g % chunks of output g / chunks and writes out[g].
  let g = wid.y * nwg.x + wid.x;
  let chunks = ${layout.get('chunks')};
  let o = g / chunks;
  if (o >= ${layout.get('outer')}) { return; }
${base}
  var av: ${T} = ${id};
  var ai: i32 = -1;
  let r0 = (g % chunks) * ${layout.get('chunkLength')};
  let r1 = min(${layout.get('length')}, r0 + ${layout.get('chunkLength')});
  for (var r = r0 + lidx; r < r1; r += ${GROUP}u) {
    let v = ${load('r')};
    ${step('v', 'r')}
  }
  sv[lidx] = av;
  si[lidx] = ai;
  workgroupBarrier();
  for (var s = ${GROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lidx < s) {
      ${merge}
    }
    workgroupBarrier();
  }
  if (lidx == 0u) {
    av = sv[0];
    ai = si[0];
    let o = g;
    ${store}
  }
}`;
  });
  if (chunks > 1) {
    // Pass 1 writes [outer, chunks] partials; pass 2 reduces each row of them with the same op.
    const partial = rt.pool.acquire(outer * chunks * 4);
    rt.dispatch(pipeline, [partial, x.buffer], params, rt.grid(outer * chunks));
    const rows: StridedInput = { buffer: partial, dtype: outDtype, shape: [outer, chunks], strides: [chunks, 1], offset: 0 };
    runReduce(rt, op, rows, [1], out, outDtype);
    rt.pool.release(partial);
    return;
  }
  const groups = grouped ? outer : Math.ceil(outer / GROUP);
  rt.dispatch(pipeline, [out, x.buffer], params, rt.grid(groups));
}
