/**
 * A hand-assembled WebAssembly module that measures the SIMD128 floating-point
 * peak: one exported function `peak(iters, b, c)` that runs `iters` rounds of
 * `acc[i] = acc[i] * b + c` over `accumulators` independent f32x4 chains,
 * `unroll` times per loop trip, and returns the sum of the chains' lane 0 (so
 * the work cannot be dropped). Each update is 8 FLOP (4 lanes, multiply and
 * add); a round is `accumulators × unroll × 8` FLOP.
 *
 * - `fma`: `f32x4.relaxed_madd` (one fused multiply-add where the CPU has FMA,
 *   as in the relaxed-SIMD kernels; needs relaxed SIMD);
 * - `mul-add`: `f32x4.mul` then `f32x4.add` (the plain-SIMD kernels' madd).
 *
 * Chains are independent, so with enough of them (FMA latency × FMA pipes:
 * 4 × 2 on Zen 4) every pipe gets a new operation each cycle. Written as bytes
 * so the benchmark needs no assembler; the module has no memory, imports or
 * globals, so it instantiates anywhere (Node, a browser page, a worker).
 *
 * With `store`, the module exports a one-page `memory`; chain i starts from the
 * v128 at byte 16·i (zeros at first, so state carries over between calls) and
 * ends stored there instead of being summed (the function returns 0). Loads and
 * stores 16 bytes apart are what V8's 128→256-bit revectorizer pairs, so this
 * variant shows whether `--wasm-revectorize` (newer V8; Node 20's has no such
 * pass) fuses the chains into 256-bit operations.
 */

export type PeakOp = 'fma' | 'mul-add';

export interface PeakModuleOptions {
  readonly op: PeakOp;
  /** Independent f32x4 chains (1–13: V8 has 15 allocatable xmm registers on x64, two hold b and c). */
  readonly accumulators: number;
  /** Rounds over all chains per loop trip (spreads the loop's counter and branch). */
  readonly unroll?: number;
  /** Store the chains to the exported memory (adjacent v128 stores) instead of returning their sum. */
  readonly store?: boolean;
}

/** FLOP of one call of `peak` with `iters` trips. */
export function peakFlops(options: PeakModuleOptions, iters: number): number {
  return iters * options.accumulators * (options.unroll ?? 8) * 8;
}

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const SIMD = 0xfd;
const F32X4_SPLAT = [SIMD, 0x13];
const F32X4_EXTRACT_LANE0 = [SIMD, 0x1f, 0];
const F32X4_ADD = [SIMD, 0xe4, 0x01]; // 0xe4, LEB128
const F32X4_MUL = [SIMD, 0xe6, 0x01]; // 0xe6
const F32X4_RELAXED_MADD = [SIMD, 0x85, 0x02]; // 0x105: a * b + c

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

function f32Const(v: number): number[] {
  const bytes = new Uint8Array(new Float32Array([v]).buffer);
  return [0x43, ...bytes];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  return vec([...s].map((ch) => [ch.charCodeAt(0)]));
}

/** The bytes of the peak module (validate with WebAssembly.validate; `fma` needs relaxed SIMD). */
export function peakModuleBytes(options: PeakModuleOptions): Uint8Array<ArrayBuffer> {
  const n = options.accumulators;
  const unroll = options.unroll ?? 8;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new RangeError(`accumulators must be in [1, 64], got ${n}`);
  if (!Number.isInteger(unroll) || unroll < 1) throw new RangeError(`unroll must be a positive integer, got ${unroll}`);
  // Params: 0 iters (i32), 1 b (f32), 2 c (f32); locals: 3..3+n-1 the chains, then B and C splatted.
  const acc = (i: number) => 3 + i;
  const B = 3 + n;
  const C = 4 + n;
  const body: number[] = [];
  body.push(LOCAL_GET, 1, ...F32X4_SPLAT, LOCAL_SET, ...uleb(B));
  body.push(LOCAL_GET, 2, ...F32X4_SPLAT, LOCAL_SET, ...uleb(C));
  for (let i = 0; i < n; i++) {
    // Stored chains start from memory (v128.load at offsets 16 apart, which the revectorizer can pair; different
    // splats it cannot), zeroed on the first call; the others from splat(i).
    if (options.store) body.push(0x41, 0, SIMD, 0x00, 4, ...uleb(16 * i), LOCAL_SET, ...uleb(acc(i)));
    else body.push(...f32Const(i), ...F32X4_SPLAT, LOCAL_SET, ...uleb(acc(i)));
  }
  body.push(0x03, 0x40); // loop (no result)
  for (let r = 0; r < unroll; r++) {
    for (let i = 0; i < n; i++) {
      body.push(LOCAL_GET, ...uleb(acc(i)), LOCAL_GET, ...uleb(B));
      if (options.op === 'fma') body.push(LOCAL_GET, ...uleb(C), ...F32X4_RELAXED_MADD);
      else body.push(...F32X4_MUL, LOCAL_GET, ...uleb(C), ...F32X4_ADD);
      body.push(LOCAL_SET, ...uleb(acc(i)));
    }
  }
  // iters -= 1; continue while it is not 0 (callers pass iters >= 1).
  body.push(LOCAL_GET, 0, 0x41, 1, 0x6b, LOCAL_TEE, 0, 0x0d, 0, 0x0b);
  if (options.store) {
    // i32.const 0; local.get acc; v128.store align=16 offset=16·i (one base, offsets 16 apart: what revectorization pairs)
    for (let i = 0; i < n; i++) body.push(0x41, 0, LOCAL_GET, ...uleb(acc(i)), SIMD, 0x0b, 4, ...uleb(16 * i));
    body.push(...f32Const(0));
  } else {
    body.push(LOCAL_GET, ...uleb(acc(0)), ...F32X4_EXTRACT_LANE0);
    for (let i = 1; i < n; i++) body.push(LOCAL_GET, ...uleb(acc(i)), ...F32X4_EXTRACT_LANE0, 0x92); // f32.add
  }
  body.push(0x0b); // end of function
  const locals = vec([[...uleb(n + 2), V128]]);
  const code = [...locals, ...body];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, ...vec([[I32], [F32], [F32]]), ...vec([[F32]])]])), // (i32, f32, f32) -> f32
    ...section(3, vec([[0]])),
    ...(options.store ? section(5, vec([[0x00, 1]])) : []), // memory: 1 page, no maximum
    ...section(7, vec([[...name('peak'), 0x00, 0], ...(options.store ? [[...name('memory'), 0x02, 0]] : [])])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ];
  return new Uint8Array(bytes);
}

/** The exported function of an instantiated peak module. */
export type PeakFunction = (iters: number, b: number, c: number) => number;

/**
 * Compiles and instantiates the peak module synchronously (it is a few hundred
 * bytes); with `store`, the returned function reads the sum back from memory.
 */
export function instantiatePeak(options: PeakModuleOptions): PeakFunction {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(peakModuleBytes(options)));
  const peak = instance.exports.peak as PeakFunction;
  if (!options.store) return peak;
  const memory = instance.exports.memory as WebAssembly.Memory;
  return (iters, b, c) => {
    peak(iters, b, c);
    const lanes = new Float32Array(memory.buffer, 0, options.accumulators * 4);
    let sum = 0;
    for (let i = 0; i < options.accumulators; i++) sum = Math.fround(sum + lanes[4 * i]);
    return sum;
  };
}

/**
 * The same arithmetic in JavaScript with float32 rounding after the multiply and
 * the add (exact for `fma` too when the products are exact, e.g. b = 0.5), for
 * the first call of a fresh instance.
 */
export function peakReference(options: PeakModuleOptions, iters: number, b: number, c: number): number {
  const f = Math.fround;
  let sum = 0;
  for (let i = 0; i < options.accumulators; i++) {
    let a = options.store ? 0 : f(i); // a fresh stored module starts from zeroed memory
    for (let t = 0; t < iters * (options.unroll ?? 8); t++) a = f(f(a * f(b)) + f(c));
    sum = f(sum + a);
  }
  return sum;
}
