import { coalesce, rowMajor } from '../layout.js';
import { type ParamValues, i32, i32s, u32, u32s } from './params.js';

/**
 * Parameters of kernels that work on rows along one axis (softmax, topk): the
 * number of rows and their length, where the input's rows start and how the
 * input and output step along the axis, and the outer (non-axis) dims, after
 * coalescing, that walk from row to row. The output is the row-major layout of
 * `outShape`.
 */
export const rowsFields = (nd: number) =>
  ({
    rows: u32,
    length: u32,
    inOffset: i32,
    inAxisStride: i32,
    outAxisStride: i32,
    outerShape: u32s(nd),
    inOuterStrides: i32s(nd),
    outOuterStrides: i32s(nd),
  }) as const;

export type RowsFields = ReturnType<typeof rowsFields>;

export interface RowsLayout {
  values: ParamValues<RowsFields>;
  rows: number;
  length: number;
  /** Number of outer (non-axis) dims after coalescing. */
  nd: number;
}

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
  const values = {
    rows,
    length: shape[axis],
    inOffset: offset,
    inAxisStride: strides[axis],
    outAxisStride: outStrides[axis],
    outerShape: walk.shape,
    inOuterStrides: walk.strides[0],
    outOuterStrides: walk.strides[1],
  };
  return { values, rows, length: shape[axis], nd: walk.shape.length };
}
