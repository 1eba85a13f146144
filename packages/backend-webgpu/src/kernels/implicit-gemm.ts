/*
 * Convolutions as implicit matrix products: every conv kernel is a product
 * `out[z][r, c] = Σ_k A[z][r, k] · B[z][k, c]` whose operands are never
 * written out (no im2col buffer); each side says how to find its element
 * in the image, the weight or the gradient. One template then gives every
 * kernel the same tiling as `matmul.ts`: 64x64 output tiles staged through
 * workgroup memory on GPUs, or 32x32 tiles read straight from storage on
 * software adapters, where barriers are costly and CPU caches tile anyway.
 */

/**
 * One operand, as WGSL snippets. The variables a snippet declares must be
 * unique to its side (prefix them `a`/`b`); `slot` is a literal that tells the
 * several rows (or columns) a thread handles apart.
 */
export interface GemmSide {
  /** Statements hoisted out of the k loop for row (A) or column (B) `index` (a u32), declaring variables suffixed `slot`. */
  outer(index: string, slot: string): string;
  /**
   * Statements for the reduction index, shared by every slot of one k. Every
   * conv reduction is three nested loops, so k arrives as its digits
   * `(ka, kb, kc)` (u32 expressions) in the radices of `GemmSpec.radix`.
   */
  inner(ka: string, kb: string, kc: string): string;
  /** The element (an f32) for `slot` at the current k; the template calls it only in range. */
  load(slot: string): string;
}

/** A product's shape, read from parameter words, and its parts. */
export interface GemmSpec {
  /** WGSL expressions (u32) of the sizes: rows, columns, reduction length. */
  M: string;
  N: string;
  K: string;
  /**
   * The reduction may be split into `splits` chunks of `chunk` (split-K, for
   * products with few outputs and a long reduction): dispatch `z` is group
   * `z / splits` and chunk `z % splits`; kernels see `g` and `split`.
   */
  splits: string;
  chunk: string;
  /** `[R1, R2]`: k = (ka·R1 + kb)·R2 + kc, with kb < R1 and kc < R2 (u32 expressions). */
  radix: readonly [string, string];
  a: GemmSide;
  b: GemmSide;
  /** Statement storing `value` (an f32) for row `r` and column `c` (u32 expressions), with `g` and `split` in scope. */
  store(r: string, c: string, value: string): string;
}

/** Output tile side of the tiled variant (16x16 threads, 4x4 each) and its reduction step. */
export const GEMM_TILE = 64;
const TK = 16;
const THREADS = 16;
const MICRO = 4;
/** Output tile side of the direct variant (8x8 threads, 4x4 each). */
export const GEMM_DIRECT_TILE = 32;

const R = [0, 1, 2, 3];
const each = (f: (i: number) => string): string => R.map(f).join('\n');
const grid = (f: (i: number, j: number) => string): string => R.flatMap((i) => R.map((j) => f(i, j))).join('\n');

/** Where this dispatch's group, chunk and reduction range are. */
function start(s: GemmSpec): string {
  return `  let M = ${s.M};
  let N = ${s.N};
  let K = ${s.K};
  let splits = ${s.splits};
  let g = wid.z / splits;
  let split = wid.z % splits;
  let kBegin = split * ${s.chunk};
  let kEnd = min(K, kBegin + ${s.chunk});
  let R1 = ${s.radix[0]};
  let R2 = ${s.radix[1]};`;
}

/** The digits of `k` by division (the tiled variant, where each thread loads a different k). */
const digits = (k: string): string => `  let ka = ${k} / (R1 * R2);
  let kb = (${k} / R2) % R1;
  let kc = ${k} % R2;`;

/** The `main` of the tiled variant (the caller adds bindings and helpers before it). */
export function tiledGemm(s: GemmSpec): string {
  return `var<workgroup> As: array<f32, ${GEMM_TILE * TK}>;
var<workgroup> Bs: array<f32, ${TK * GEMM_TILE}>;
@compute @workgroup_size(${THREADS}, ${THREADS})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) lidx: u32) {
${start(s)}
  let row0 = wid.y * ${GEMM_TILE}u;
  let col0 = wid.x * ${GEMM_TILE}u;
  // Thread lidx stages A rows lidx/TK + 16l at k lidx%TK, and B column lidx%TILE at k lidx/TILE + 4l:
  // its rows and its column stay the same for every k step, so their index math is hoisted.
${each((l) => `  let ar${l} = row0 + lidx / ${TK}u + ${l * 16}u;\n${s.a.outer(`ar${l}`, `${l}`)}`)}
  let bc = col0 + lidx % ${GEMM_TILE}u;
${s.b.outer('bc', '0')}
${grid((i, j) => `  var acc${i}${j} = 0.0;`)}
  for (var k0 = kBegin; k0 < kEnd; k0 += ${TK}u) {
    {
      let k = k0 + lidx % ${TK}u;
${digits('k')}
${s.a.inner('ka', 'kb', 'kc')}
${each((l) => `      { var v = 0.0; if (ar${l} < M && k < kEnd) { v = ${s.a.load(`${l}`)}; } As[lidx + ${l * 256}u] = v; }`)}
    }
${each(
  (l) => `    {
      let k = k0 + lidx / ${GEMM_TILE}u + ${l * 4}u;
${digits('k')}
${s.b.inner('ka', 'kb', 'kc')}
      var v = 0.0;
      if (bc < N && k < kEnd) { v = ${s.b.load('0')}; }
      Bs[lidx + ${l * 256}u] = v;
    }`,
)}
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk++) {
${each((i) => `      let a${i} = As[(lid.y * ${MICRO}u + ${i}u) * ${TK}u + kk];\n      let b${i} = Bs[kk * ${GEMM_TILE}u + lid.x * ${MICRO}u + ${i}u];`)}
${grid((i, j) => `      acc${i}${j} += a${i} * b${j};`)}
    }
    workgroupBarrier();
  }
  let r0 = row0 + lid.y * ${MICRO}u;
  let c0 = col0 + lid.x * ${MICRO}u;
${grid((i, j) => `  if (r0 + ${i}u < M && c0 + ${j}u < N) { ${s.store(`(r0 + ${i}u)`, `(c0 + ${j}u)`, `acc${i}${j}`)} }`)}
}`;
}

/** The `main` of the direct variant: no workgroup memory, each thread reads its operands from storage. */
export function directGemm(s: GemmSpec): string {
  return `@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
${start(s)}
  let row0 = wid.y * ${GEMM_DIRECT_TILE}u + lid.y * ${MICRO}u;
  let col0 = wid.x * ${GEMM_DIRECT_TILE}u + lid.x * ${MICRO}u;
  if (row0 >= M || col0 >= N) { return; }
  // Rows/columns past the edge repeat the last one, so loads stay in range; their results are not stored.
${each((i) => s.a.outer(`min(row0 + ${i}u, M - 1u)`, `${i}`))}
${each((j) => s.b.outer(`min(col0 + ${j}u, N - 1u)`, `${j}`))}
${grid((i, j) => `  var acc${i}${j} = 0.0;`)}
  // k is the same for every thread: its digits are counted rather than divided out (integer
  // division has no SIMD form on CPUs, so a software adapter would pay for it lane by lane).
  var ka = kBegin / (R1 * R2);
  var kb = (kBegin / R2) % R1;
  var kc = kBegin % R2;
  for (var k = kBegin; k < kEnd; k++) {
${s.a.inner('ka', 'kb', 'kc')}
${s.b.inner('ka', 'kb', 'kc')}
${each((i) => `    let a${i} = ${s.a.load(`${i}`)};\n    let b${i} = ${s.b.load(`${i}`)};`)}
${grid((i, j) => `    acc${i}${j} += a${i} * b${j};`)}
    kc++;
    if (kc == R2) {
      kc = 0u;
      kb++;
      if (kb == R1) { kb = 0u; ka++; }
    }
  }
${grid((i, j) => `  if (row0 + ${i}u < M && col0 + ${j}u < N) { ${s.store(`(row0 + ${i}u)`, `(col0 + ${j}u)`, `acc${i}${j}`)} }`)}
}`;
}
