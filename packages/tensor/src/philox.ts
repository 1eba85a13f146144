import type { RandomKey } from './backend.js';

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3").
 * Counter-based: block `c` under key `k` is a pure function, so any element of
 * a random tensor can be computed independently, on any backend, in any order.
 *
 * Kindling's recipe, which every backend follows: element `i` of a random op
 * with key `{seed, offset}` uses the block at counter `[offset + i, 0, 0, 0]`
 * (low 32 bits, high bits in the second word) under key `seed`, and reads
 * words `x0` (and `x1` for normals) of it.
 */
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two u32. */
function mulhi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lo = aLo * bLo;
  const mid1 = aHi * bLo;
  const mid2 = aLo * bHi;
  const carry = ((lo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (aHi * bHi + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
}

/** Writes the Philox4x32-10 block for `counter` into `out[0..3]`. */
export function philoxBlock(c0: number, c1: number, k0: number, k1: number, out: Uint32Array): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = 0;
  let x3 = 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    const n0 = (hi1 ^ x1 ^ key0) >>> 0;
    const n1 = lo1;
    const n2 = (hi0 ^ x3 ^ key1) >>> 0;
    const n3 = lo0;
    x0 = n0;
    x1 = n1;
    x2 = n2;
    x3 = n3;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

const TWO_POW_32 = 4294967296;

/** u32 to a float in [0, 1) with 24 random bits: exact in float32 on every device. */
export function uint32ToUniform(u: number): number {
  return (u >>> 8) * (1 / 16777216);
}

/** Box-Muller of two u32 words into one standard normal (the cosine branch). */
export function uint32PairToNormal(u0: number, u1: number): number {
  // 1 - u keeps the log argument in (0, 1].
  const r = Math.sqrt(-2 * Math.log(1 - uint32ToUniform(u0)));
  return r * Math.cos(2 * Math.PI * uint32ToUniform(u1));
}

/**
 * Fills `out` from the stream `key` with `kind` draws (see the recipe above).
 * Backends that compute on the host call this; device backends port it.
 */
export function philoxFill(kind: 'uniform' | 'normal' | 'bits', key: RandomKey, out: { length: number; [i: number]: number }): void {
  const block = new Uint32Array(4);
  const [k0, k1] = key.seed;
  for (let i = 0; i < out.length; i++) {
    const counter = key.offset + i;
    philoxBlock(counter % TWO_POW_32, Math.floor(counter / TWO_POW_32), k0, k1, block);
    if (kind === 'uniform') out[i] = uint32ToUniform(block[0]);
    else if (kind === 'normal') out[i] = uint32PairToNormal(block[0], block[1]);
    else out[i] = block[0] >>> 1;
  }
}
