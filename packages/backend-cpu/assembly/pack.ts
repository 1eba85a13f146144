// Packing for the matrix product (matmul.ts): blocks of A and B copied into
// k-major panels of 5 or 4 rows or NR columns, zero-padded, so the
// micro-kernels read two contiguous streams whatever the source layout. Every
// layout has a vector path: row-major B copies two vectors per k, Bᵀ
// transposes 4×4 tiles of eight columns, Aᵀ copies one vector per k, row-major
// A transposes 4×4 tiles.

import { NR } from './matmul';
import { min } from './simd';

// Packs a kc×nc block of B (element (k, n) at b + (k*rs + n*cs)*4) into
// ceil(nc/NR) panels of kc×NR floats, zero-padding the last panel.
export function packB(b: usize, rs: i32, cs: i32, kc: i32, nc: i32, dst: usize): void {
  for (let j = 0; j < nc; j += NR) {
    const nr = min(NR, nc - j);
    const src = b + <usize>(j * cs) * 4;
    if (nr == NR && cs == 1) {
      for (let k = 0; k < kc; k++) {
        const p = src + <usize>(k * rs) * 4;
        v128.store(dst, v128.load(p));
        v128.store(dst, v128.load(p, 16), 16);
        dst += 32;
      }
    } else if (nr == NR && rs == 1) {
      // Bᵀ layout: each column is contiguous in k; transpose 4×4 tiles.
      const ld = <usize>cs * 4;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const p = src + <usize>k * 4;
        // Columns 0-3 and 4-7 of each k land side by side: two tiles, rows 32 bytes apart.
        storeTransposed4(p, ld, dst, 32);
        storeTransposed4(p + 4 * ld, ld, dst + 16, 32);
        dst += 128;
      }
      for (; k < kc; k++) {
        const p = src + <usize>k * 4;
        for (let jj = 0; jj < NR; jj++) store<f32>(dst + <usize>jj * 4, load<f32>(p + <usize>jj * ld));
        dst += 32;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const p = src + <usize>(k * rs) * 4;
        let jj = 0;
        for (; jj < nr; jj++) store<f32>(dst + <usize>jj * 4, load<f32>(p + <usize>(jj * cs) * 4));
        for (; jj < NR; jj++) store<f32>(dst + <usize>jj * 4, 0);
        dst += 32;
      }
    }
  }
}

// Packs an mc×kc block of A (element (m, k) at a + (m*rs + k*cs)*4) into
// panels of kc×5 floats for its first `rows5` rows (a multiple of 5), then
// panels of kc×4, zero-padding the last if short (matmul.ts panelRows5).
export function packA(a: usize, rs: i32, cs: i32, mc: i32, rows5: i32, kc: i32, dst: usize): void {
  let i = 0;
  for (; i < rows5; i += 5) {
    packA5(a + <usize>(i * rs) * 4, rs, cs, kc, dst);
    dst += <usize>kc * 20;
  }
  for (; i < mc; i += 4) {
    packA4(a + <usize>(i * rs) * 4, rs, cs, min(4, mc - i), kc, dst);
    dst += <usize>kc * 16;
  }
}

// One panel of 5 rows: 20 bytes per k.
function packA5(src: usize, rs: i32, cs: i32, kc: i32, dst: usize): void {
  if (rs == 1) {
    // Aᵀ layout: the rows of one k are adjacent.
    for (let k = 0; k < kc; k++) {
      const p = src + <usize>(k * cs) * 4;
      v128.store(dst, v128.load(p));
      store<f32>(dst, load<f32>(p, 16), 16);
      dst += 20;
    }
    return;
  }
  const ld = <usize>rs * 4;
  let k = 0;
  if (cs == 1) {
    const p4 = src + 4 * ld;
    for (; k + 4 <= kc; k += 4) {
      // Rows 0-3 as a transposed 4×4 tile (one vector per k, 20 bytes apart), row 4 after each.
      storeTransposed4(src + <usize>k * 4, ld, dst, 20);
      const r4 = v128.load(p4 + <usize>k * 4);
      store<f32>(dst, f32x4.extract_lane(r4, 0), 16);
      store<f32>(dst, f32x4.extract_lane(r4, 1), 36);
      store<f32>(dst, f32x4.extract_lane(r4, 2), 56);
      store<f32>(dst, f32x4.extract_lane(r4, 3), 76);
      dst += 80;
    }
  }
  for (; k < kc; k++) {
    const p = src + <usize>(k * cs) * 4;
    for (let ii = 0; ii < 5; ii++) store<f32>(dst + <usize>ii * 4, load<f32>(p + <usize>ii * ld));
    dst += 20;
  }
}

// One panel of 4 rows, `mr` of them from A and the rest zeros: 16 bytes per k.
function packA4(src: usize, rs: i32, cs: i32, mr: i32, kc: i32, dst: usize): void {
  if (mr == 4 && rs == 1) {
    // Aᵀ layout: the 4 rows of one k are adjacent.
    for (let k = 0; k < kc; k++) {
      v128.store(dst, v128.load(src + <usize>(k * cs) * 4));
      dst += 16;
    }
  } else if (mr == 4 && cs == 1) {
    const ld = <usize>rs * 4;
    let k = 0;
    for (; k + 4 <= kc; k += 4) {
      storeTransposed4(src + <usize>k * 4, ld, dst, 16);
      dst += 64;
    }
    for (; k < kc; k++) {
      const p = src + <usize>k * 4;
      store<f32>(dst, load<f32>(p));
      store<f32>(dst, load<f32>(p + ld), 4);
      store<f32>(dst, load<f32>(p + 2 * ld), 8);
      store<f32>(dst, load<f32>(p + 3 * ld), 12);
      dst += 16;
    }
  } else {
    for (let k = 0; k < kc; k++) {
      const p = src + <usize>(k * cs) * 4;
      let ii = 0;
      for (; ii < mr; ii++) store<f32>(dst + <usize>ii * 4, load<f32>(p + <usize>(ii * rs) * 4));
      for (; ii < 4; ii++) store<f32>(dst + <usize>ii * 4, 0);
      dst += 16;
    }
  }
}

// Transposes the 4×4 tile whose rows are 4 floats at `src`, `src + ld`, ...
// and stores its rows (the source's columns) `step` bytes apart from `dst`.
@inline
function storeTransposed4(src: usize, ld: usize, dst: usize, step: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + ld);
  const r2 = v128.load(src + 2 * ld);
  const r3 = v128.load(src + 3 * ld);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + step, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * step, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}
