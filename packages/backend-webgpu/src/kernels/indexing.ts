import type { DType } from '@kindling/tensor';
import { word } from '../layout.js';
import { type GpuRuntime, KERNEL_ERRORS, WORKGROUP } from '../runtime.js';
import type { StridedInput } from './reduce.js';
import { ROWS_SHAPE_AT, rowsLayout } from './rows.js';
import { decompose } from './offsets.js';
import { HELPERS, bindings, mainHeader, mi, normalize, wgslType } from './wgsl.js';

/** Records the first out-of-range index in the runtime's error record (`err`). */
export const OUT_OF_RANGE = /* wgsl */ `
fn k_out_of_range(code: u32, value: i32, size: i32) {
  if (atomicCompareExchangeWeak(&err[0], 0u, code).exchanged) {
    atomicStore(&err[1], bitcast<u32>(value));
    atomicStore(&err[2], u32(size));
  }
}`;

/** Statements walking index `i` over `nd` dims: every target gets `c * stride`, except `skipDim` for `skip` targets. */
function walk(nd: number, shapeAt: number, targets: { name: string; stridesAt: number; skipDim?: number }[]): string {
  const lines = ['  var rem: u32 = i;'];
  for (let d = nd - 1; d >= 0; d--) {
    lines.push(`  { let s = prm[${shapeAt + d}]; let c = i32(rem % s); rem = rem / s;`);
    for (const t of targets) if (t.skipDim !== d) lines.push(`    ${t.name} += c * ${mi(t.stridesAt + d)};`);
    lines.push('  }');
  }
  return lines.join('\n');
}

/** torch.gather: `out[i] = x[i with dim replaced by index[i]]`, output row-major over `index.shape`. */
export function runGather(rt: GpuRuntime, x: StridedInput, dim: number, index: StridedInput, out: GPUBuffer): void {
  const shape = index.shape;
  const nd = shape.length;
  const n = shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const meta = [n, x.shape[dim], word(x.offset), word(index.offset), ...shape, ...index.strides.map(word), ...x.strides.map(word)];
  const key = `gather|${x.dtype}|nd${nd}|dim${dim}`;
  const pipeline = rt.pipeline(key, () => {
    const T = wgslType(x.dtype);
    return `${bindings([
      { name: 'out', type: T, write: true },
      { name: 'x', type: T },
      { name: 'index', type: 'i32' },
      { name: 'err', type: 'atomic<u32>', write: true },
    ])}
${HELPERS}
${OUT_OF_RANGE}
${mainHeader(WORKGROUP)}
  let i = k_linear(wid, nwg, lidx, ${WORKGROUP}u);
  if (i >= prm[0]) { return; }
  var xo: i32 = ${mi(2)};
  var io: i32 = ${mi(3)};
${walk(nd, 4, [
  { name: 'io', stridesAt: 4 + nd },
  { name: 'xo', stridesAt: 4 + 2 * nd, skipDim: dim },
])}
  let iv = index[io];
  let size = i32(prm[1]);
  if (iv < 0 || iv >= size) {
    k_out_of_range(${KERNEL_ERRORS.gather}u, iv, size);
    out[i] = ${T}(0);
    return;
  }
  out[i] = x[xo + iv * ${mi(4 + 2 * nd + dim)}];
}`;
  });
  rt.dispatch(pipeline, [out, x.buffer, index.buffer, rt.errors], meta, rt.grid(Math.ceil(n / WORKGROUP)));
}

/** torch.scatter_add_: `dst[index[i] along dim] += src[i]` over `index.shape`, with atomic updates. */
export function runScatterAdd(rt: GpuRuntime, dst: StridedInput, dim: number, index: StridedInput, src: StridedInput): void {
  const shape = index.shape;
  const nd = shape.length;
  const n = shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const meta = [
    n,
    dst.shape[dim],
    word(dst.offset),
    word(index.offset),
    word(src.offset),
    ...shape,
    ...index.strides.map(word),
    ...src.strides.map(word),
    ...dst.strides.map(word),
  ];
  const dtype: DType = dst.dtype;
  const key = `scatterAdd|${dtype}|${src.dtype}|nd${nd}|dim${dim}`;
  const pipeline = rt.pipeline(key, () => {
    const T = wgslType(dtype);
    let update: string;
    if (dtype === 'int32') {
      update = 'atomicAdd(&dst[o], bitcast<u32>(v));';
    } else {
      const next = dtype === 'float32' ? 'bitcast<u32>(bitcast<f32>(old) + v)' : normalize('old + v', dtype);
      update = `var old = atomicLoad(&dst[o]);
  loop {
    let r = atomicCompareExchangeWeak(&dst[o], old, ${next});
    if (r.exchanged) { break; }
    old = r.old_value;
  }`;
    }
    return `${bindings([
      { name: 'dst', type: 'atomic<u32>', write: true },
      { name: 'index', type: 'i32' },
      { name: 'src', type: T },
      { name: 'err', type: 'atomic<u32>', write: true },
    ])}
${HELPERS}
${OUT_OF_RANGE}
${mainHeader(WORKGROUP)}
  let i = k_linear(wid, nwg, lidx, ${WORKGROUP}u);
  if (i >= prm[0]) { return; }
  var o: i32 = ${mi(2)};
  var io: i32 = ${mi(3)};
  var so: i32 = ${mi(4)};
${walk(nd, 5, [
  { name: 'io', stridesAt: 5 + nd },
  { name: 'so', stridesAt: 5 + 2 * nd },
  { name: 'o', stridesAt: 5 + 3 * nd, skipDim: dim },
])}
  let iv = index[io];
  let size = i32(prm[1]);
  if (iv < 0 || iv >= size) {
    k_out_of_range(${KERNEL_ERRORS.scatterAdd}u, iv, size);
    return;
  }
  o += iv * ${mi(5 + 3 * nd + dim)};
  let v = src[so];
  ${update}
}`;
  });
  rt.dispatch(pipeline, [dst.buffer, index.buffer, src.buffer, rt.errors], meta, rt.grid(Math.ceil(n / WORKGROUP)));
}

/**
 * topk by ranking: each element counts the elements of its row that sort
 * before it (stable: ties go to the lower index, NaN sorts as the largest) and
 * writes itself at that rank when it is below `k`. O(length) per element, which
 * suits the short rows topk/sort see in training; very long sorts are slow.
 */
export function runTopk(
  rt: GpuRuntime,
  x: StridedInput,
  k: number,
  axis: number,
  largest: boolean,
  values: GPUBuffer,
  indices: GPUBuffer,
): void {
  const outShape = x.shape.map((s, d) => (d === axis ? k : s));
  const layout = rowsLayout(x.shape, x.strides, x.offset, axis, outShape);
  const total = layout.rows * layout.length;
  if (total === 0 || k === 0) return;
  const nd = layout.nd;
  const meta = [...layout.meta, k];
  const key = `topk|${x.dtype}|${largest ? 'largest' : 'smallest'}|nd${nd}`;
  const pipeline = rt.pipeline(key, () => {
    const T = wgslType(x.dtype);
    const isNan = (v: string) => (T === 'f32' ? `k_isnan(${v})` : 'false');
    // a sorts before b: NaN first when largest, last when smallest.
    const before = largest ? `((${isNan('a')} && !${isNan('b')}) || a > b)` : `((!${isNan('a')} && ${isNan('b')}) || a < b)`;
    const equal = T === 'f32' ? '(a == b || (k_isnan(a) && k_isnan(b)))' : '(a == b)';
    return `${bindings([
      { name: 'values', type: T, write: true },
      { name: 'indices', type: 'i32', write: true },
      { name: 'x', type: T },
    ])}
${HELPERS}
fn sortsBefore(a: ${T}, ia: u32, b: ${T}, ib: u32) -> bool {
  return ${before} || (${equal} && ia < ib);
}
${mainHeader(WORKGROUP)}
  let t = k_linear(wid, nwg, lidx, ${WORKGROUP}u);
  let L = prm[1];
  if (t >= prm[0] * L) { return; }
  let row = t / L;
  let j = t % L;
  var inBase: i32 = ${mi(2)};
  var outBase: i32 = 0;
${decompose('row', nd, ROWS_SHAPE_AT, [
  { name: 'inBase', stridesAt: ROWS_SHAPE_AT + nd },
  { name: 'outBase', stridesAt: ROWS_SHAPE_AT + 2 * nd },
])}
  let sIn = ${mi(3)};
  let v = x[inBase + i32(j) * sIn];
  var rank = 0u;
  for (var m = 0u; m < L; m++) {
    if (sortsBefore(x[inBase + i32(m) * sIn], m, v, j)) { rank++; }
  }
  if (rank < prm[${ROWS_SHAPE_AT + 3 * nd}]) {
    let o = outBase + i32(rank) * ${mi(4)};
    values[o] = v;
    indices[o] = i32(j);
  }
}`;
  });
  rt.dispatch(pipeline, [values, indices, x.buffer], meta, rt.grid(Math.ceil(total / WORKGROUP)));
}
