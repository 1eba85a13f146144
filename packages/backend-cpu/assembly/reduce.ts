// Reductions over the last axis (rows) and the first axis (columns) of a
// contiguous rows×cols float32 matrix; a full reduction is one row. The ops
// are in reduce-ops.ts; the entry points that pick one (reduceRows,
// reduceCols) are generated into ops.generated.ts and call the loops here
// with the op's code as a constant, which the optimiser folds.

import { reduceCombine, reduceIdentity, reduceRow } from './ops.generated';
import { hmax, hmin } from './simd';

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
@inline
export function reduceRowsLoop(op: i32, x: usize, rows: i32, cols: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    store<f32>(out + <usize>r * 4, reduceRow(op, x + <usize>(r * cols) * 4, cols));
  }
}

/** out[c] = op(x[0:rows, c]) for each of `cols` columns (e.g. a bias gradient). */
@inline
export function reduceColsLoop(op: i32, x: usize, rows: i32, cols: i32, out: usize): void {
  const init = f32x4.splat(reduceIdentity(op));
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    let acc = init;
    const col = x + <usize>c * 4;
    for (let r = 0; r < rows; r++) acc = reduceCombine(op, acc, v128.load(col + <usize>(r * cols) * 4));
    v128.store(out + <usize>c * 4, acc);
  }
  for (; c < cols; c++) {
    let acc = init;
    const col = x + <usize>c * 4;
    for (let r = 0; r < rows; r++) acc = reduceCombine(op, acc, v128.load32_splat(col + <usize>(r * cols) * 4));
    store<f32>(out + <usize>c * 4, f32x4.extract_lane(acc, 0));
  }
}
