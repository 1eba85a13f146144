// Philox4x32-10, Kindling's random stream (packages/tensor/src/philox.ts has
// the recipe): element i uses the block at counter offset + i under the key
// and reads its first word, four counters per vector. Integer arithmetic
// only, so the words are exactly those of the TypeScript reference. A task
// (see conv.ts) over D_CHUNK elements a part; descriptor slots (window.ts)
// reused: D_N elements, D_Y out, D_FLAGS kind, D_H/D_W the offset's low and
// high words, D_KH/D_KW the key.

import { D_CHUNK, D_FLAGS, D_H, D_KH, D_KW, D_N, D_W, D_Y, slot } from './window';

/** Kinds: float32 uniforms in [0, 1) with 24 random bits; int32 bits (word >>> 1). */
const UNIFORM: i32 = 0;

const M0: u32 = 0xd2511f53;
const M1: u32 = 0xcd9e8d57;
const W0: u32 = 0x9e3779b9;
const W1: u32 = 0xbb67ae85;

/** High 32 bits of the lane-wise u32 × u32 products. */
@inline
function mulhi(a: v128, m: v128): v128 {
  const lo = i64x2.extmul_low_i32x4_u(a, m);
  const hi = i64x2.extmul_high_i32x4_u(a, m);
  return v128.shuffle<i32>(lo, hi, 1, 3, 5, 7);
}

/** Word 0 of the blocks for counters (c0, c1) lane-wise, under key (k0, k1). */
@inline
function philoxWord0(c0: v128, c1: v128, k0: u32, k1: u32): v128 {
  let x0 = c0;
  let x1 = c1;
  let x2 = i32x4.splat(0);
  let x3 = i32x4.splat(0);
  const m0 = i32x4.splat(M0);
  const m1 = i32x4.splat(M1);
  let key0 = k0;
  let key1 = k1;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(x0, m0);
    const lo0 = i32x4.mul(x0, m0);
    const hi1 = mulhi(x2, m1);
    const lo1 = i32x4.mul(x2, m1);
    x0 = v128.xor(v128.xor(hi1, x1), i32x4.splat(key0));
    x1 = lo1;
    x2 = v128.xor(v128.xor(hi0, x3), i32x4.splat(key1));
    x3 = lo0;
    key0 += W0;
    key1 += W1;
  }
  return x0;
}

/** Fills the part's elements of D_Y with draws of kind D_FLAGS. */
export function philoxPart(d: usize, scratch: usize, tid: i32, part: i32): void {
  const n = slot(d, D_N);
  const first = part * slot(d, D_CHUNK);
  const end = min(n, first + slot(d, D_CHUNK));
  // Masked: the slots are i32, and widening them sign-extends.
  const base = (<u64>slot(d, D_W) << 32) | (<u64>slot(d, D_H) & 0xffffffff);
  const k0 = <u32>slot(d, D_KH);
  const k1 = <u32>slot(d, D_KW);
  const uniform = slot(d, D_FLAGS) == UNIFORM;
  const out = <usize>slot(d, D_Y);
  const scale = f32x4.splat(1.0 / 16777216.0);
  for (let i = first; i < end; i += 4) {
    const c = base + <u64>i;
    let c0 = i32x4.splat(<i32>c);
    let c1 = i32x4.splat(<i32>(c >> 32));
    c0 = i32x4.replace_lane(c0, 1, <i32>(c + 1));
    c1 = i32x4.replace_lane(c1, 1, <i32>((c + 1) >> 32));
    c0 = i32x4.replace_lane(c0, 2, <i32>(c + 2));
    c1 = i32x4.replace_lane(c1, 2, <i32>((c + 2) >> 32));
    c0 = i32x4.replace_lane(c0, 3, <i32>(c + 3));
    c1 = i32x4.replace_lane(c1, 3, <i32>((c + 3) >> 32));
    const w = philoxWord0(c0, c1, k0, k1);
    const v = uniform ? f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(w, 8)), scale) : i32x4.shr_u(w, 1);
    const p = out + <usize>i * 4;
    if (i + 4 <= end) {
      v128.store(p, v);
    } else {
      store<i32>(p, i32x4.extract_lane(v, 0));
      if (i + 1 < end) store<i32>(p, i32x4.extract_lane(v, 1), 4);
      if (i + 2 < end) store<i32>(p, i32x4.extract_lane(v, 2), 8);
    }
  }
}

@inline
function min(a: i32, b: i32): i32 {
  return a < b ? a : b;
}
