import { type View, coalesceDims, numel } from '@kindling/tensor/backend';

/*
 * Strided views: the one idea every kernel of this backend is built on.
 *
 * A storage is a flat array of elements. A tensor is a window onto one: a
 * `shape`, a `stride` per dim and an `offset`, all counted in elements.
 * Element [i0, i1, ..., ik] of the tensor lives at
 *
 *     offset + i0 * strides[0] + i1 * strides[1] + ... + ik * strides[k]
 *
 * A [2, 3] tensor written row by row has strides [3, 1]. Views re-read the
 * same storage and copy nothing:
 *
 *     x.t()                 shape [3, 2]  strides [1, 3]  offset 0
 *     x.select(0, 1)        shape [3]     strides [1]     offset 3
 *     x.slice(1, 0, 3, 2)   shape [2, 2]  strides [3, 2]  offset 0
 *     x.expand(4, 2, 3)     shape [4,2,3] strides [0,3,1] offset 0
 *
 * A stride of 0 reads one element again and again along its dim. That is how
 * broadcasting reaches a backend: in `[2, 3] + [3]` the frontend hands the
 * second operand over as shape [2, 3] with strides [0, 1]. So a kernel never
 * hears of broadcasting, transposes or slices; it only follows strides.
 *
 * Every primitive then comes down to one loop, `walk`: visit each index of a
 * shape in row-major order (the order of a fresh contiguous output, so the
 * i-th visit writes output element i) while keeping, for each operand, the
 * storage position of that index.
 */

/** Where an operand starts and how far each index of the walked shape moves it. */
export interface Strided {
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * Calls `visit(i, at)` for every index of `shape` in row-major order: `i`
 * counts the visits, `at[k]` is the storage position of the index in operand
 * `k` (every operand walks the same shape with its own strides). `at` is
 * reused between calls: read it, do not keep it.
 */
export function walk(shape: readonly number[], operands: readonly Strided[], visit: (i: number, at: readonly number[]) => void): void {
  const n = numel(shape);
  if (n === 0) return;
  // Merging dims every operand walks contiguously (and dropping size-1 dims)
  // changes no position, only how many dims the odometer below turns.
  const { shape: dims, strides } = coalesceDims(
    shape,
    operands.map((o) => o.strides),
  );
  const at = operands.map((o) => o.offset);
  const index = dims.map(() => 0);
  for (let i = 0; i < n; i++) {
    visit(i, at);
    // Step to the next index like an odometer: advance the last dim; when it
    // runs past its size, rewind it to 0 and carry into the dim before.
    for (let d = dims.length - 1; d >= 0; d--) {
      index[d]++;
      for (let k = 0; k < at.length; k++) at[k] += strides[k][d];
      if (index[d] < dims[d]) break;
      index[d] = 0;
      for (let k = 0; k < at.length; k++) at[k] -= strides[k][d] * dims[d];
    }
  }
}

/**
 * `view`'s dims split in two, for kernels that work along some dims
 * (reductions, topk, argmax): the `outer` dims, which index the result
 * (walked from the view's offset), and the `inner` ones, walked for each
 * outer index from that index's position.
 */
export function splitDims(
  view: View,
  inner: readonly number[],
): { outer: Strided & { shape: number[] }; inner: { shape: number[]; strides: number[] } } {
  const pick = (keep: (d: number) => boolean) => {
    const dims = view.shape.map((_, d) => d).filter(keep);
    return { shape: dims.map((d) => view.shape[d]), strides: dims.map((d) => view.strides[d]) };
  };
  return { outer: { ...pick((d) => !inner.includes(d)), offset: view.offset }, inner: pick((d) => inner.includes(d)) };
}
