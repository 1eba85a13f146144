import { coalesce, rowMajor, word } from '../layout.js';

/**
 * Parameters of kernels that work on rows along one axis (softmax, topk):
 * words `[rows, length, inOffset, inAxisStride, outAxisStride, ...outer shape,
 * ...outer input strides, ...outer output strides]`, where the output is the
 * row-major layout of `outShape`.
 */
export interface RowsLayout {
  meta: number[];
  rows: number;
  length: number;
  /** Number of outer (non-axis) dims after coalescing. */
  nd: number;
}

/** Meta word where the outer shape starts; strides follow as described on `RowsLayout`. */
export const ROWS_SHAPE_AT = 5;

export function rowsLayout(
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  axis: number,
  outShape: readonly number[],
): RowsLayout {
  const outStrides = rowMajor(outShape);
  const others = shape.map((_, d) => d).filter((d) => d !== axis);
  const walk = coalesce(
    others.map((d) => shape[d]),
    [others.map((d) => strides[d]), others.map((d) => outStrides[d])],
  );
  const rows = walk.shape.reduce((a, b) => a * b, 1);
  const meta = [
    rows,
    shape[axis],
    word(offset),
    word(strides[axis]),
    word(outStrides[axis]),
    ...walk.shape,
    ...walk.strides[0].map(word),
    ...walk.strides[1].map(word),
  ];
  return { meta, rows, length: shape[axis], nd: walk.shape.length };
}
