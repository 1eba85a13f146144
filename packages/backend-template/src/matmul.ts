import { isFloating } from '@kindling/tensor';
import type { StorageHandle, View } from '@kindling/tensor/backend';
import { binaryMath } from '@kindling/tensor/backend';
import { arrayOf, converter, produce } from './storage.js';

/**
 * Batched matrix product: `a` is `[...batch, M, K]`, `b` is `[...batch, K, N]`
 * (equal batch shapes, broadcast batches as stride 0), the result is
 * `[...batch, M, N]` of their dtype.
 *
 * Written as a walk over the result, whose every element is a dot product:
 * the walk keeps, for each result index [..., i, j], where row i of `a` and
 * column j of `b` start. Along the result's i dim `a` moves a row and `b`
 * stays put (stride 0); along j, `b` moves a column and `a` stays. Transposed
 * operands are just other strides, so `x @ w.t()` needs no copy.
 *
 * Floats accumulate in float64 and round once; every product is added,
 * zeros included, so `0 * inf` gives NaN as in PyTorch. Integers multiply
 * and add with wrap-around, like the elementwise ops. A fast backend would
 * tile and vectorize this; the conformance suite only asks for the values.
 */
export function matmul(a: View, b: View): StorageHandle {
  const rank = a.shape.length;
  const [m, k] = a.shape.slice(rank - 2);
  const n = b.shape[rank - 1];
  const batchA = a.strides.slice(0, rank - 2);
  const batchB = b.strides.slice(0, rank - 2);
  const [aRowStride, aColStride] = a.strides.slice(rank - 2);
  const [bRowStride, bColStride] = b.strides.slice(rank - 2);
  const rowOfA = { strides: [...batchA, aRowStride, 0], offset: a.offset };
  const columnOfB = { strides: [...batchB, 0, bColStride], offset: b.offset };
  const multiply = binaryMath('mul', a.dtype);
  const add = binaryMath('add', a.dtype);
  const keep = isFloating(a.dtype) ? (v: number) => v : converter(a.dtype);
  const da = arrayOf(a.handle);
  const db = arrayOf(b.handle);
  return produce(a.dtype, [...a.shape.slice(0, rank - 2), m, n], [rowOfA, columnOfB], (at) => {
    let acc = 0;
    for (let p = 0; p < k; p++) acc = keep(add(acc, multiply(da[at[0] + p * aColStride], db[at[1] + p * bRowStride])));
    return acc;
  });
}
