import type { DType } from '@kindling/tensor';
import { type GpuRuntime, KERNEL_ERRORS, WORKGROUP } from '../runtime.js';
import { decompose } from './offsets.js';
import { i32, i32s, paramLayout, u32, u32s } from './params.js';
import type { StridedInput } from './reduce.js';
import { rowsFields, rowsLayout } from './rows.js';
import { HELPERS, bindings, mainHeader, normalize, wgslType } from './wgsl.js';

/** Records the first out-of-range index in the runtime's error record (`err`). */
export const OUT_OF_RANGE = /* wgsl */ `
fn k_out_of_range(code: u32, value: i32, size: i32) {
  if (atomicCompareExchangeWeak(&err[0], 0u, code).exchanged) {
    atomicStore(&err[1], bitcast<u32>(value));
    atomicStore(&err[2], u32(size));
  }
}`;

/** torch.gather: `out[i] = x[i with dim replaced by index[i]]`, output row-major over `index.shape`. */
export function runGather(rt: GpuRuntime, x: StridedInput, dim: number, index: StridedInput, out: GPUBuffer): void {
  const shape = index.shape;
  const nd = shape.length;
  const n = shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const layout = paramLayout({
    n: u32,
    dimSize: u32,
    xOffset: i32,
    indexOffset: i32,
    shape: u32s(nd),
    indexStrides: i32s(nd),
    xStrides: i32s(nd),
  });
  const params = layout.pack({
    n,
    dimSize: x.shape[dim],
    xOffset: x.offset,
    indexOffset: index.offset,
    shape,
    indexStrides: index.strides,
    xStrides: x.strides,
  });
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
  if (i >= ${layout.get('n')}) { return; }
  var xo: i32 = ${layout.get('xOffset')};
  var io: i32 = ${layout.get('indexOffset')};
${decompose('i', nd, (d) => layout.at('shape', d), [
  { name: 'io', stride: (d) => layout.at('indexStrides', d) },
  { name: 'xo', stride: (d) => layout.at('xStrides', d), skipDim: dim },
])}
  let iv = index[io];
  let size = i32(${layout.get('dimSize')});
  if (iv < 0 || iv >= size) {
    k_out_of_range(${KERNEL_ERRORS.gather}u, iv, size);
    out[i] = ${T}(0);
    return;
  }
  out[i] = x[xo + iv * ${layout.at('xStrides', dim)}];
}`;
  });
  rt.dispatch(pipeline, [out, x.buffer, index.buffer, rt.errors], params, rt.grid(Math.ceil(n / WORKGROUP)));
}

/** torch.scatter_add_: `dst[index[i] along dim] += src[i]` over `index.shape`, with atomic updates. */
export function runScatterAdd(rt: GpuRuntime, dst: StridedInput, dim: number, index: StridedInput, src: StridedInput): void {
  const shape = index.shape;
  const nd = shape.length;
  const n = shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const layout = paramLayout({
    n: u32,
    dimSize: u32,
    dstOffset: i32,
    indexOffset: i32,
    srcOffset: i32,
    shape: u32s(nd),
    indexStrides: i32s(nd),
    srcStrides: i32s(nd),
    dstStrides: i32s(nd),
  });
  const params = layout.pack({
    n,
    dimSize: dst.shape[dim],
    dstOffset: dst.offset,
    indexOffset: index.offset,
    srcOffset: src.offset,
    shape,
    indexStrides: index.strides,
    srcStrides: src.strides,
    dstStrides: dst.strides,
  });
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
  if (i >= ${layout.get('n')}) { return; }
  var o: i32 = ${layout.get('dstOffset')};
  var io: i32 = ${layout.get('indexOffset')};
  var so: i32 = ${layout.get('srcOffset')};
${decompose('i', nd, (d) => layout.at('shape', d), [
  { name: 'io', stride: (d) => layout.at('indexStrides', d) },
  { name: 'so', stride: (d) => layout.at('srcStrides', d) },
  { name: 'o', stride: (d) => layout.at('dstStrides', d), skipDim: dim },
])}
  let iv = index[io];
  let size = i32(${layout.get('dimSize')});
  if (iv < 0 || iv >= size) {
    k_out_of_range(${KERNEL_ERRORS.scatterAdd}u, iv, size);
    return;
  }
  o += iv * ${layout.at('dstStrides', dim)};
  let v = src[so];
  ${update}
}`;
  });
  rt.dispatch(pipeline, [dst.buffer, index.buffer, src.buffer, rt.errors], params, rt.grid(Math.ceil(n / WORKGROUP)));
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
  const rows = rowsLayout(x.shape, x.strides, x.offset, axis, outShape);
  const total = rows.rows * rows.length;
  if (total === 0 || k === 0) return;
  const nd = rows.nd;
  const layout = paramLayout({ ...rowsFields(nd), k: u32 });
  const params = layout.pack({ ...rows.values, k });
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
  let L = ${layout.get('length')};
  if (t >= ${layout.get('rows')} * L) { return; }
  let row = t / L;
  let j = t % L;
  var inBase: i32 = ${layout.get('inOffset')};
  var outBase: i32 = 0;
${decompose('row', nd, (d) => layout.at('outerShape', d), [
  { name: 'inBase', stride: (d) => layout.at('inOuterStrides', d) },
  { name: 'outBase', stride: (d) => layout.at('outOuterStrides', d) },
])}
  let sIn = ${layout.get('inAxisStride')};
  let v = x[inBase + i32(j) * sIn];
  var rank = 0u;
  for (var m = 0u; m < L; m++) {
    if (sortsBefore(x[inBase + i32(m) * sIn], m, v, j)) { rank++; }
  }
  if (rank < ${layout.get('k')}) {
    let o = outBase + i32(rank) * ${layout.get('outAxisStride')};
    values[o] = v;
    indices[o] = i32(j);
  }
}`;
  });
  rt.dispatch(pipeline, [values, indices, x.buffer], params, rt.grid(Math.ceil(total / WORKGROUP)));
}
