// SCRATCH (to be deleted): a naive host backend to validate the conformance suite before backend-cpu exists.
import { type Backend, type DType, type TypedArray, type View, allocArray, philoxFill, registerBackend, KindlingError } from '../src/index.js';

type H = { data: TypedArray };
const d = (h: object) => (h as H).data;

function offsets(v: { shape: readonly number[]; strides: readonly number[]; offset: number }): number[] {
  const out: number[] = [];
  const walk = (dim: number, at: number) => {
    if (dim === v.shape.length) { out.push(at); return; }
    for (let i = 0; i < v.shape[dim]; i++) walk(dim + 1, at + i * v.strides[dim]);
  };
  walk(0, v.offset);
  return out;
}
const values = (v: View): number[] => { const a = d(v.handle); return offsets(v).map((o) => a[o]); };
function make(dtype: DType, vals: ArrayLike<number>): H {
  const out = allocArray(dtype, vals.length);
  for (let i = 0; i < vals.length; i++) out[i] = dtype === 'bool' ? (vals[i] !== 0 ? 1 : 0) : vals[i];
  return { data: out };
}
const roundHalfEven = (x: number) => { const r = Math.round(x); return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; };
const U: Record<string, (x: number) => number> = {
  neg: (x) => -x, abs: Math.abs, sign: (x) => (Number.isNaN(x) ? x : Math.sign(x)), exp: Math.exp, expm1: Math.expm1, log: Math.log, log1p: Math.log1p,
  sqrt: Math.sqrt, rsqrt: (x) => 1 / Math.sqrt(x), reciprocal: (x) => 1 / x, sin: Math.sin, cos: Math.cos, tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)), relu: (x) => (x > 0 || Number.isNaN(x) ? x : 0), floor: Math.floor, ceil: Math.ceil, round: roundHalfEven, trunc: Math.trunc,
  logicalNot: (x) => (x === 0 ? 1 : 0), isnan: (x) => (Number.isNaN(x) ? 1 : 0),
};
const isF = (t: DType) => t === 'float32' || t === 'float64';
function bin(op: string, a: number, b: number, t: DType): number {
  switch (op) {
    case 'add': return a + b; case 'sub': return a - b; case 'mul': return t === 'int32' ? Math.imul(a, b) : a * b; case 'div': return a / b;
    case 'pow': return Math.pow(a, b);
    case 'maximum': return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
    case 'minimum': return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);
    case 'remainder': { if (!isF(t) && b === 0) throw new KindlingError('remainder: division by zero'); let m = a % b; if (m !== 0 && (b < 0) !== (m < 0)) m += b; return m; }
    case 'floorDivide': { if (!isF(t) && b === 0) throw new KindlingError('floorDivide: division by zero'); return Math.floor(a / b); }
    case 'eq': return +(a === b); case 'ne': return +(a !== b); case 'lt': return +(a < b); case 'le': return +(a <= b); case 'gt': return +(a > b); case 'ge': return +(a >= b);
    case 'logicalAnd': return +(a !== 0 && b !== 0); case 'logicalOr': return +(a !== 0 || b !== 0);
  }
  throw new Error(op);
}
const contig = (shape: readonly number[]) => { const s: number[] = []; let k = 1; for (let i = shape.length - 1; i >= 0; i--) { s[i] = k; k *= shape[i]; } return s; };
const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
function coordsOf(flat: number, shape: readonly number[]): number[] { const c: number[] = []; for (let i = shape.length - 1; i >= 0; i--) { c[i] = flat % shape[i]; flat = Math.floor(flat / shape[i]); } return c; }

export const refBackend: Backend = {
  name: 'ref', dtypes: ['float32', 'float64', 'int32', 'uint8', 'bool'],
  alloc: (dtype, size) => ({ data: allocArray(dtype, size) }),
  upload: (dtype, data) => make(dtype, data),
  free: () => {},
  read: async (v) => make(v.dtype, values(v)).data,
  readSync: (v) => make(v.dtype, values(v)).data,
  unary: (op, x, outDtype) => {
    const src = make(outDtype === 'bool' ? x.dtype : outDtype, values(x)).data;
    return make(outDtype, Array.from(src, U[op]));
  },
  binary: (op, a, b, outDtype) => { const av = values(a); const bv = values(b); return make(outDtype, av.map((x, i) => bin(op, x, bv[i], a.dtype))); },
  where: (c, a, b, outDtype) => { const cv = values(c); const av = values(a); const bv = values(b); return make(outDtype, cv.map((x, i) => (x ? av[i] : bv[i]))); },
  reduce: (op, x, axes, outDtype) => {
    const outShape = x.shape.filter((_, i) => !axes.includes(i));
    const n = numel(outShape);
    const init = { sum: 0, prod: 1, max: -Infinity, min: Infinity, any: 0, all: 1 }[op];
    const acc = new Array<number>(n).fill(init);
    const vals = values(x);
    vals.forEach((v, flat) => {
      const c = coordsOf(flat, x.shape).filter((_, i) => !axes.includes(i));
      let o = 0; for (let i = 0; i < c.length; i++) o = o * outShape[i] + c[i];
      const a = acc[o];
      acc[o] = op === 'sum' ? a + v : op === 'prod' ? a * v : op === 'max' ? (Number.isNaN(a) || Number.isNaN(v) ? NaN : Math.max(a, v)) : op === 'min' ? (Number.isNaN(a) || Number.isNaN(v) ? NaN : Math.min(a, v)) : op === 'any' ? +(a !== 0 || v !== 0) : +(a !== 0 && v !== 0);
    });
    return make(outDtype, acc);
  },
  argReduce: (op, x, axis) => {
    const outShape = x.shape.filter((_, i) => i !== axis);
    const n = numel(outShape);
    const best = new Array<number>(n).fill(NaN); const idx = new Array<number>(n).fill(-1);
    values(x).forEach((v, flat) => {
      const c = coordsOf(flat, x.shape); const k = c[axis]; const oc = c.filter((_, i) => i !== axis);
      let o = 0; for (let i = 0; i < oc.length; i++) o = o * outShape[i] + oc[i];
      if (idx[o] < 0 || (op === 'argmax' ? v > best[o] : v < best[o])) { best[o] = v; idx[o] = k; }
    });
    return make('int32', idx);
  },
  matmul: (a, b) => {
    const av = values(a); const bv = values(b);
    const M = a.shape[a.shape.length - 2]; const K = a.shape[a.shape.length - 1]; const N = b.shape[b.shape.length - 1];
    const batch = numel(a.shape.slice(0, -2)); const out: number[] = [];
    for (let p = 0; p < batch; p++) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0; for (let q = 0; q < K; q++) s += av[p * M * K + i * K + q] * bv[p * K * N + q * N + j];
      out.push(s);
    }
    return make(a.dtype, out);
  },
  cast: (x, dtype) => make(dtype, values(x)),
  assign: (dst, src) => { const s = make(dst.dtype, values(src)).data; const a = d(dst.handle); offsets(dst).forEach((o, i) => { a[o] = s[i]; }); },
  fill: (dst, value) => { const s = make(dst.dtype, [value]).data[0]; const a = d(dst.handle); for (const o of offsets(dst)) a[o] = s; },
  gather: (x, dim, index) => {
    const iv = values(index); const xs = d(x.handle);
    return make(x.dtype, iv.map((k, flat) => {
      const c = coordsOf(flat, index.shape); c[dim] = k;
      if (k < 0 || k >= x.shape[dim]) throw new KindlingError(`gather: index ${k} out of range`);
      let o = x.offset; c.forEach((ci, i) => { o += ci * x.strides[i]; }); return xs[o];
    }));
  },
  scatterAdd: (dst, dim, index, src) => {
    const iv = values(index); const a = d(dst.handle); const ss = d(src.handle);
    iv.forEach((k, flat) => {
      const c = coordsOf(flat, index.shape);
      let so = src.offset; c.forEach((ci, i) => { so += ci * src.strides[i]; });
      c[dim] = k; let o = dst.offset; c.forEach((ci, i) => { o += ci * dst.strides[i]; });
      a[o] += ss[so];
    });
  },
  topk: (x, k, axis, largest) => {
    const outShape = [...x.shape]; outShape[axis] = k;
    const vals = values(x); const xs = contig(x.shape);
    const ov: number[] = new Array(numel(outShape)); const oi: number[] = new Array(numel(outShape));
    const os = contig(outShape);
    for (let flat = 0; flat < numel(outShape) / (k || 1) && k > 0; flat++) {
      const oshape = outShape.filter((_, i) => i !== axis); const c = coordsOf(flat, oshape); c.splice(axis, 0, 0);
      const base = c.reduce((s, ci, i) => s + ci * xs[i], 0);
      const items = Array.from({ length: x.shape[axis] }, (_, j) => j).sort((p, q) => { const vp = vals[base + p * xs[axis]]; const vq = vals[base + q * xs[axis]]; return (largest ? vq - vp : vp - vq) || p - q; });
      const obase = c.reduce((s, ci, i) => s + ci * os[i], 0);
      for (let j = 0; j < k; j++) { ov[obase + j * os[axis]] = vals[base + items[j] * xs[axis]]; oi[obase + j * os[axis]] = items[j]; }
    }
    return [make(x.dtype, ov), make('int32', oi)];
  },
  random: (kind, dtype, size, key) => { const out = new Float64Array(size); philoxFill(kind, key, out); return make(dtype, out); },
};
registerBackend(refBackend);
