import type { DType } from '@kindling/tensor';
import { coalesce, word } from '../layout.js';
import type { GpuRuntime } from '../runtime.js';
import { decompose } from './offsets.js';
import type { StridedInput } from './reduce.js';
import { HELPERS, bindings, mi, normalize, wgslType } from './wgsl.js';

/** Output tile of a workgroup (TILE x TILE), built from 16x16 threads computing 4x4 each. */
const TILE = 64;
const TK = 16;
const THREADS = 16;
const MICRO = TILE / THREADS;

// Code is unrolled over the 4x4 micro-tile so accumulators live in registers, not in an indexed local array.
const R = Array.from({ length: MICRO }, (_, i) => i);
const lines = (f: (i: number) => string): string => R.map(f).join('\n');
const grid = (f: (i: number, j: number) => string): string => R.flatMap((i) => R.map((j) => f(i, j))).join('\n');

/** What the epilogue adds to each product (the fused `linear` kernel). */
export interface Epilogue {
  /** `[N]`-long bias along the output columns, or null. */
  bias: { buffer: GPUBuffer; stride: number; offset: number } | null;
}

/**
 * Batched tiled matmul: `a` `[...batch, M, K]` times `b` `[...batch, K, N]`,
 * both arbitrary strided views, into a fresh contiguous `out`. Each workgroup
 * stages `TILE x TK` and `TK x TILE` tiles in workgroup memory so every loaded
 * element is used TILE/… times instead of once.
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
  const meta = [
    M,
    N,
    K,
    word(a.offset),
    word(a.strides[nd - 2]),
    word(a.strides[nd - 1]),
    word(b.offset),
    word(b.strides[nd - 2]),
    word(b.strides[nd - 1]),
    word(epilogue?.bias?.offset ?? 0),
    word(epilogue?.bias?.stride ?? 0),
    ...batch.shape,
    ...batch.strides[0].map(word),
    ...batch.strides[1].map(word),
  ];
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
    if (hasBias) value = `(${value} + bias[${mi(9)} + i32(col) * ${mi(10)}])`;
    if (direct) return directSource(decls, T, nb, value, dtype);
    return `${decls}
${HELPERS}
const TILE = ${TILE}u;
const TK = ${TK}u;
const MICRO = ${MICRO}u;
var<workgroup> As: array<${T}, ${TILE * TK}>;
var<workgroup> Bs: array<${T}, ${TK * TILE}>;
@compute @workgroup_size(${THREADS}, ${THREADS})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) lidx: u32) {
  let M = prm[0];
  let N = prm[1];
  let K = prm[2];
  var aBase: i32 = ${mi(3)};
  var bBase: i32 = ${mi(6)};
${decompose('wid.z', nb, 11, [
  { name: 'aBase', stridesAt: 11 + nb },
  { name: 'bBase', stridesAt: 11 + 2 * nb },
])}
  let aSm = ${mi(4)};
  let aSk = ${mi(5)};
  let bSk = ${mi(7)};
  let bSn = ${mi(8)};
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
  rt.dispatch(pipeline, buffers, meta, [Math.ceil(N / tile), Math.ceil(M / tile), batches]);
}

/** Output tile of the direct variant: 8x8 threads computing 4x4 each. */
const DIRECT_TILE = 32;

/**
 * The same product without workgroup memory or barriers, each thread reading
 * its operands straight from storage. Software rasterizers (SwiftShader) run
 * a workgroup's invocations on one CPU core and pay heavily for every barrier,
 * while CPU caches already give the reuse that tiling buys on a GPU.
 */
function directSource(decls: string, T: string, nb: number, value: string, dtype: DType): string {
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
  let M = prm[0];
  let N = prm[1];
  let K = prm[2];
  var aBase: i32 = ${mi(3)};
  var bBase: i32 = ${mi(6)};
${decompose('wid.z', nb, 11, [
  { name: 'aBase', stridesAt: 11 + nb },
  { name: 'bBase', stridesAt: 11 + 2 * nb },
])}
  let aSm = ${mi(4)};
  let aSk = ${mi(5)};
  let bSk = ${mi(7)};
  let bSn = ${mi(8)};
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
