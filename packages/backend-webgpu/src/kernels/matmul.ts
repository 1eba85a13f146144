import type { DType } from '@kindling/tensor';
import { coalesce } from '../layout.js';
import type { GpuRuntime } from '../runtime.js';
import { decompose } from './offsets.js';
import { type ParamLayout, i32, i32s, paramLayout, u32, u32s } from './params.js';
import type { StridedInput } from './reduce.js';
import { HELPERS, bindings, normalize, wgslType } from './wgsl.js';

/** Output tile of a workgroup (TILE x TILE), built from 16x16 threads computing 4x4 each. */
const TILE = 64;
const TK = 16;
const THREADS = 16;
const MICRO = TILE / THREADS;

// Code is unrolled over the 4x4 micro-tile so accumulators live in registers, not in an indexed local array.
const R = Array.from({ length: MICRO }, (_, i) => i);
const lines = (f: (i: number) => string): string => R.map(f).join('\n');
const grid = (f: (i: number, j: number) => string): string => R.flatMap((i) => R.map((j) => f(i, j))).join('\n');

/**
 * Parameters: the sizes, each operand's offset and matrix strides, the bias's,
 * and the `nb` coalesced batch dims with a's and b's strides along them.
 */
const matmulFields = (nb: number) =>
  ({
    M: u32,
    N: u32,
    K: u32,
    aOffset: i32,
    aRowStride: i32,
    aInnerStride: i32,
    bOffset: i32,
    bInnerStride: i32,
    bColStride: i32,
    biasOffset: i32,
    biasStride: i32,
    batchShape: u32s(nb),
    aBatchStrides: i32s(nb),
    bBatchStrides: i32s(nb),
  }) as const;
type MatmulLayout = ParamLayout<ReturnType<typeof matmulFields>>;

/** What the epilogue adds to each product (the fused `linear` kernel). */
export interface Epilogue {
  /** `[N]`-long bias along the output columns, or null. */
  bias: { buffer: GPUBuffer; stride: number; offset: number } | null;
}

/**
 * Batched tiled matmul: `a` `[...batch, M, K]` times `b` `[...batch, K, N]`,
 * both arbitrary strided views, into a fresh contiguous `out`. Each workgroup
 * stages `TILE x TK` and `TK x TILE` tiles in workgroup memory so every loaded
 * element is used TILE/… times instead of once. Every product is added,
 * zeros included, so `0 * inf` gives NaN as in the lowering.
 */
export function runMatmul(
  rt: GpuRuntime,
  a: StridedInput,
  b: StridedInput,
  out: GPUBuffer,
  dtype: DType,
  epilogue: Epilogue | null = null,
): void {
  const direct = rt.preferDirectMatmul;
  const nd = a.shape.length;
  const M = a.shape[nd - 2];
  const K = a.shape[nd - 1];
  const N = b.shape[nd - 1];
  const batchShape = a.shape.slice(0, nd - 2);
  const batch = coalesce(batchShape, [
    a.strides.slice(0, nd - 2),
    b.strides.slice(0, nd - 2),
    // The output's batch stride lets coalescing keep out, a and b in step.
    batchShape.map((_, i) => batchShape.slice(i + 1).reduce((x, y) => x * y, M * N)),
  ]);
  const batches = batch.shape.reduce((x, y) => x * y, 1);
  if (M === 0 || N === 0 || batches === 0) return;
  const nb = batch.shape.length;
  const layout = paramLayout(matmulFields(nb));
  const params = layout.pack({
    M,
    N,
    K,
    aOffset: a.offset,
    aRowStride: a.strides[nd - 2],
    aInnerStride: a.strides[nd - 1],
    bOffset: b.offset,
    bInnerStride: b.strides[nd - 2],
    bColStride: b.strides[nd - 1],
    biasOffset: epilogue?.bias?.offset ?? 0,
    biasStride: epilogue?.bias?.stride ?? 0,
    batchShape: batch.shape,
    aBatchStrides: batch.strides[0],
    bBatchStrides: batch.strides[1],
  });
  const hasBias = !!epilogue?.bias;
  const key = `matmul|${direct ? 'direct' : 'tiled'}|${dtype}|b${nb}|${hasBias ? 'bias' : ''}`;
  const T = wgslType(dtype);
  const zero = T === 'f32' ? '0.0' : T === 'i32' ? '0' : '0u';
  const pipeline = rt.pipeline(key, () => {
    const decls = bindings([
      { name: 'out', type: T, write: true },
      { name: 'a', type: T },
      { name: 'b', type: T },
      ...(hasBias ? [{ name: 'bias', type: T }] : []),
    ]);
    let value = 'acc[i * MICRO + j]';
    if (hasBias) value = `(${value} + bias[${layout.get('biasOffset')} + i32(col) * ${layout.get('biasStride')}])`;
    if (direct) return directSource(layout, decls, T, nb, value, dtype);
    return `${decls}
${HELPERS}
const TILE = ${TILE}u;
const TK = ${TK}u;
const MICRO = ${MICRO}u;
var<workgroup> As: array<${T}, ${TILE * TK}>;
var<workgroup> Bs: array<${T}, ${TK * TILE}>;
@compute @workgroup_size(${THREADS}, ${THREADS})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) lidx: u32) {
${operandStarts(layout, nb)}
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
${grid((i, j) => `  var acc${i}${j}: ${T};`)}
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var l = 0u; l < ${(TILE * TK) / (THREADS * THREADS)}u; l++) {
      let idx = lidx + l * ${THREADS * THREADS}u;
      let ar = row0 + idx / TK;
      let ak = k0 + idx % TK;
      var av: ${T} = ${zero};
      if (ar < M && ak < K) { av = a[aBase + i32(ar) * aSm + i32(ak) * aSk]; }
      As[idx] = av;
      let bk = k0 + idx / TILE;
      let bc = col0 + idx % TILE;
      var bv: ${T} = ${zero};
      if (bk < K && bc < N) { bv = b[bBase + i32(bk) * bSk + i32(bc) * bSn]; }
      Bs[idx] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
${lines((i) => `      let a${i} = As[(lid.y * MICRO + ${i}u) * TK + kk];\n      let b${i} = Bs[kk * TILE + lid.x * MICRO + ${i}u];`)}
${grid((i, j) => `      acc${i}${j} += a${i} * b${j};`)}
    }
    workgroupBarrier();
  }
  let outBase = wid.z * M * N;
  let r0 = row0 + lid.y * MICRO;
  let c0 = col0 + lid.x * MICRO;
${grid((i, j) => `  if (r0 + ${i}u < M && c0 + ${j}u < N) { let col = c0 + ${j}u; out[outBase + (r0 + ${i}u) * N + col] = ${normalize(value.replace('acc[i * MICRO + j]', `acc${i}${j}`), dtype)}; }`)}
}`;
  });
  const buffers = [out, a.buffer, b.buffer];
  if (epilogue?.bias) buffers.push(epilogue.bias.buffer);
  if (batches > 65535) throw new Error(`matmul: at most 65535 batch entries per call on webgpu, got ${batches}`);
  const tile = direct ? DIRECT_TILE : TILE;
  rt.dispatch(pipeline, buffers, params, [Math.ceil(N / tile), Math.ceil(M / tile), batches]);
}

/** The sizes, where this batch entry's a and b start, and their matrix strides. */
function operandStarts(p: MatmulLayout, nb: number): string {
  return `  let M = ${p.get('M')};
  let N = ${p.get('N')};
  let K = ${p.get('K')};
  var aBase: i32 = ${p.get('aOffset')};
  var bBase: i32 = ${p.get('bOffset')};
${decompose('wid.z', nb, (d) => p.at('batchShape', d), [
  { name: 'aBase', stride: (d) => p.at('aBatchStrides', d) },
  { name: 'bBase', stride: (d) => p.at('bBatchStrides', d) },
])}
  let aSm = ${p.get('aRowStride')};
  let aSk = ${p.get('aInnerStride')};
  let bSk = ${p.get('bInnerStride')};
  let bSn = ${p.get('bColStride')};`;
}

/** Output tile of the direct variant: 8x8 threads computing 4x4 each. */
const DIRECT_TILE = 32;

/**
 * The same product without workgroup memory or barriers, each thread reading
 * its operands straight from storage. Software rasterizers (SwiftShader) run
 * a workgroup's invocations on one CPU core and pay heavily for every barrier,
 * while CPU caches already give the reuse that tiling buys on a GPU.
 */
function directSource(layout: MatmulLayout, decls: string, T: string, nb: number, value: string, dtype: DType): string {
  const store = grid(
    (i, j) =>
      `  if (row0 + ${i}u < M && col0 + ${j}u < N) { let col = col0 + ${j}u; out[outBase + (row0 + ${i}u) * N + col] = ${normalize(
        value.replace('acc[i * MICRO + j]', `acc${i}${j}`),
        dtype,
      )}; }`,
  );
  return `${decls}
${HELPERS}
@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
${operandStarts(layout, nb)}
  let row0 = wid.y * ${DIRECT_TILE}u + lid.y * ${MICRO}u;
  let col0 = wid.x * ${DIRECT_TILE}u + lid.x * ${MICRO}u;
  if (row0 >= M || col0 >= N) { return; }
  // Rows/columns past the edge repeat the last one, so loads stay in bounds; their results are not stored.
${lines(
  (i) => `  var ar${i} = aBase + i32(min(row0 + ${i}u, M - 1u)) * aSm;
  var bc${i} = bBase + i32(min(col0 + ${i}u, N - 1u)) * bSn;`,
)}
${grid((i, j) => `  var acc${i}${j}: ${T};`)}
  for (var k = 0u; k < K; k++) {
${lines(
  (i) => `    let a${i} = a[ar${i}];
    let b${i} = b[bc${i}];`,
)}
${grid((i, j) => `    acc${i}${j} += a${i} * b${j};`)}
${lines(
  (i) => `    ar${i} += aSk;
    bc${i} += bSk;`,
)}
  }
  let outBase = wid.z * M * N;
${store}
}`;
}
