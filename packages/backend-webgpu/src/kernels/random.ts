import type { RandomKey, RandomKind } from '@kindling/tensor/backend';
import { type GpuRuntime, WORKGROUP } from '../runtime.js';
import { MATH } from './math.js';
import { paramLayout, u32 } from './params.js';
import { HELPERS, bindings, mainHeader } from './wgsl.js';

/** Philox4x32-10 in WGSL, word for word the recipe of `@kindling/tensor`'s `philox.ts`. */
const PHILOX = /* wgsl */ `
fn philox(c0: u32, c1: u32, k0: u32, k1: u32) -> vec2u {
  var x0 = c0;
  var x1 = c1;
  var x2 = 0u;
  var x3 = 0u;
  var key0 = k0;
  var key1 = k1;
  for (var round = 0; round < 10; round++) {
    let hi0 = k_mul_wide(0xd2511f53u, x0).y;
    let lo0 = 0xd2511f53u * x0;
    let hi1 = k_mul_wide(0xcd9e8d57u, x2).y;
    let lo1 = 0xcd9e8d57u * x2;
    let n0 = hi1 ^ x1 ^ key0;
    let n2 = hi0 ^ x3 ^ key1;
    x0 = n0;
    x1 = lo1;
    x2 = n2;
    x3 = lo0;
    key0 = key0 + 0x9e3779b9u;
    key1 = key1 + 0xbb67ae85u;
  }
  return vec2u(x0, x1);
}
fn toUniform(u: u32) -> f32 { return f32(u >> 8u) * (1.0 / 16777216.0); }
`;

const TWO_POW_32 = 4294967296;

/** The draw count, the key, and the 64-bit counter offset in two words. */
const LAYOUT = paramLayout({ size: u32, seed0: u32, seed1: u32, offsetLo: u32, offsetHi: u32 });

/**
 * `size` draws from the stream `key` into `out`: float32 for uniform/normal,
 * int32 for bits. Element `i` uses counter `offset + i` (64-bit, carried
 * across the two low words), exactly like the host recipe.
 */
export function runRandom(rt: GpuRuntime, kind: RandomKind, size: number, key: RandomKey, out: GPUBuffer): void {
  if (size === 0) return;
  const params = LAYOUT.pack({
    size,
    seed0: key.seed[0],
    seed1: key.seed[1],
    offsetLo: key.offset % TWO_POW_32,
    offsetHi: Math.floor(key.offset / TWO_POW_32),
  });
  const value =
    kind === 'uniform'
      ? 'toUniform(r.x)'
      : kind === 'normal'
        ? 'sqrt(-2.0 * k_log(1.0 - toUniform(r.x))) * k_cos(6.283185307179586 * toUniform(r.y))'
        : 'i32(r.x >> 1u)';
  const pipeline = rt.pipeline(`random|${kind}`, () => {
    return `${bindings([{ name: 'out', type: kind === 'bits' ? 'i32' : 'f32', write: true }])}
${HELPERS}
${MATH}
${PHILOX}
${mainHeader(WORKGROUP)}
  let i = k_linear(wid, nwg, lidx, ${WORKGROUP}u);
  if (i >= ${LAYOUT.get('size')}) { return; }
  let lo = ${LAYOUT.get('offsetLo')} + i;
  let hi = ${LAYOUT.get('offsetHi')} + select(0u, 1u, lo < i);
  let r = philox(lo, hi, ${LAYOUT.get('seed0')}, ${LAYOUT.get('seed1')});
  out[i] = ${value};
}`;
  });
  rt.dispatch(pipeline, [out], params, rt.grid(Math.ceil(size / WORKGROUP)));
}
