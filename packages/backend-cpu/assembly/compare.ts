// Comparisons of float32 operands into bool bytes (0/1), and the scatter-add
// of max pooling's backward: two kernels the elementwise and indexing paths
// use when their operands are laid out as these take them.

/** Comparison codes, as COMPARE_CODES in src/wasm/kernels.ts numbers them. */
const LT: i32 = 0;
const LE: i32 = 1;
const GT: i32 = 2;
const GE: i32 = 3;
const EQ: i32 = 4;

/** Lane masks (all ones where true) of `op` on four lanes; NaN compares false except for ne. */
@inline
function compareVec(op: i32, a: v128, b: v128): v128 {
  if (op == LT) return f32x4.lt(a, b);
  if (op == LE) return f32x4.le(a, b);
  if (op == GT) return f32x4.gt(a, b);
  if (op == GE) return f32x4.ge(a, b);
  if (op == EQ) return f32x4.eq(a, b);
  return f32x4.ne(a, b);
}

@inline
function loadOperand(p: usize, step: i32, i: i32): v128 {
  return step != 0 ? v128.load(p + <usize>i * 4) : v128.load32_splat(p);
}

/**
 * out[r, c] = op(a[r*aRow + c*aStep], b[r*bRow + c*bStep]) as bytes 0/1 for a
 * contiguous rows×cols out; steps are 1 (contiguous) or 0 (broadcast).
 */
export function compare(op: i32, a: usize, aRow: i32, aStep: i32, b: usize, bRow: i32, bStep: i32, out: usize, rows: i32, cols: i32): void {
  const one = i8x16.splat(1);
  for (let r = 0; r < rows; r++) {
    const ar = a + <usize>(r * aRow) * 4;
    const br = b + <usize>(r * bRow) * 4;
    const o = out + <usize>(r * cols);
    let i = 0;
    for (; i + 16 <= cols; i += 16) {
      const m0 = compareVec(op, loadOperand(ar, aStep, i), loadOperand(br, bStep, i));
      const m1 = compareVec(op, loadOperand(ar, aStep, i + 4), loadOperand(br, bStep, i + 4));
      const m2 = compareVec(op, loadOperand(ar, aStep, i + 8), loadOperand(br, bStep, i + 8));
      const m3 = compareVec(op, loadOperand(ar, aStep, i + 12), loadOperand(br, bStep, i + 12));
      const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m0, m1), i16x8.narrow_i32x4_s(m2, m3));
      v128.store(o + <usize>i, v128.and(bytes, one));
    }
    for (; i < cols; i++) {
      const va = v128.load32_splat(ar + <usize>(i * aStep) * 4);
      const vb = v128.load32_splat(br + <usize>(i * bStep) * 4);
      store<u8>(o + <usize>i, <u8>(i32x4.extract_lane(compareVec(op, va, vb), 0) & 1));
    }
  }
}

/**
 * dst[r, idx[r, j]] += src[r, j] for `rows` rows (dst rows `dstCols` floats,
 * idx and src rows `cols` elements, all contiguous). Checks every index first
 * and returns 0, writing nothing, when one is outside [0, dstCols).
 */
export function scatterAddRows(dst: usize, dstCols: i32, idx: usize, src: usize, rows: i32, cols: i32): i32 {
  const n = rows * cols;
  for (let i = 0; i < n; i++) {
    const v = load<i32>(idx + <usize>i * 4);
    if (<u32>v >= <u32>dstCols) return 0;
  }
  for (let r = 0; r < rows; r++) {
    const d = dst + <usize>(r * dstCols) * 4;
    const row = <usize>(r * cols) * 4;
    for (let j = 0; j < cols; j++) {
      const p = d + <usize>load<i32>(idx + row + <usize>j * 4) * 4;
      store<f32>(p, load<f32>(p) + load<f32>(src + row + <usize>j * 4));
    }
  }
  return 1;
}
