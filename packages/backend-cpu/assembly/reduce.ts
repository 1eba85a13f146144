// Reductions over the last axis (rows) and the first axis (columns) of a
// contiguous rows×cols float32 matrix; a full reduction is one row.

import { hmax, hmin, hsum } from './simd';

export const R_SUM: i32 = 0;
export const R_MAX: i32 = 1;
export const R_MIN: i32 = 2;

/** Sum of n contiguous floats: f32x4 partial sums per 1024-element chunk, chunks added in f64. */
export function sumRow(x: usize, n: i32): f32 {
  let total: f64 = 0;
  for (let c = 0; c < n; c += 1024) {
    const end = c + 1024 < n ? c + 1024 : n;
    let s0 = f32x4.splat(0);
    let s1 = f32x4.splat(0);
    let s2 = f32x4.splat(0);
    let s3 = f32x4.splat(0);
    let i = c;
    for (; i + 16 <= end; i += 16) {
      const p = x + <usize>i * 4;
      s0 = f32x4.add(s0, v128.load(p));
      s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32));
      s3 = f32x4.add(s3, v128.load(p, 48));
    }
    let chunk: f64 = <f64>hsum(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)));
    for (; i < end; i++) chunk += <f64>load<f32>(x + <usize>i * 4);
    total += chunk;
  }
  return <f32>total;
}

/** Largest (max) or smallest (min) of n contiguous floats; NaN propagates; ±inf when empty. */
export function extremeRow(x: usize, n: i32, isMax: bool): f32 {
  let acc = f32x4.splat(isMax ? -Infinity : Infinity);
  let i = 0;
  if (isMax) {
    for (; i + 4 <= n; i += 4) acc = f32x4.max(acc, v128.load(x + <usize>i * 4));
    for (; i < n; i++) acc = f32x4.max(acc, v128.load32_splat(x + <usize>i * 4));
    return hmax(acc);
  }
  for (; i + 4 <= n; i += 4) acc = f32x4.min(acc, v128.load(x + <usize>i * 4));
  for (; i < n; i++) acc = f32x4.min(acc, v128.load32_splat(x + <usize>i * 4));
  return hmin(acc);
}

/** out[r] = op(x[r, 0:cols]) for each of `rows` rows. */
export function reduceRows(op: i32, x: usize, rows: i32, cols: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = x + <usize>(r * cols) * 4;
    const v = op == R_SUM ? sumRow(row, cols) : extremeRow(row, cols, op == R_MAX);
    store<f32>(out + <usize>r * 4, v);
  }
}

/** out[c] = op(x[0:rows, c]) for each of `cols` columns (e.g. a bias gradient). */
export function reduceCols(op: i32, x: usize, rows: i32, cols: i32, out: usize): void {
  const init: f32 = op == R_SUM ? 0 : op == R_MAX ? -Infinity : Infinity;
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    let acc = f32x4.splat(init);
    const col = x + <usize>c * 4;
    for (let r = 0; r < rows; r++) {
      const v = v128.load(col + <usize>(r * cols) * 4);
      acc = op == R_SUM ? f32x4.add(acc, v) : op == R_MAX ? f32x4.max(acc, v) : f32x4.min(acc, v);
    }
    v128.store(out + <usize>c * 4, acc);
  }
  for (; c < cols; c++) {
    let acc = f32x4.splat(init);
    const col = x + <usize>c * 4;
    for (let r = 0; r < rows; r++) {
      const v = v128.load32_splat(col + <usize>(r * cols) * 4);
      acc = op == R_SUM ? f32x4.add(acc, v) : op == R_MAX ? f32x4.max(acc, v) : f32x4.min(acc, v);
    }
    store<f32>(out + <usize>c * 4, f32x4.extract_lane(acc, 0));
  }
}
