import type { TypedArray } from '@kindling/tensor';
import type { StorageHandle, View } from '@kindling/tensor/backend';
import { dataOf, elementOffsets, newStorage } from './storage.js';

/** Copies the `rows x cols` matrix at `offset` with the given strides into a dense row-major array. */
function packMatrix(src: TypedArray, offset: number, rows: number, cols: number, rowStride: number, colStride: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = offset + r * rowStride;
    for (let c = 0; c < cols; c++) out[r * cols + c] = src[base + c * colStride];
  }
  return out;
}

/** Offsets of each batch matrix of a `[...batch, R, C]` view. */
function batchOffsets(v: View): Int32Array {
  const rank = v.shape.length;
  return elementOffsets({ ...v, shape: v.shape.slice(0, rank - 2), strides: v.strides.slice(0, rank - 2) });
}

/**
 * `out[..., i, j] = bias[j] + sum_k a[..., i, k] * b[..., k, j]` (no bias: 0).
 * Operands are packed to dense row-major blocks first (transposed views cost
 * one pass), then an i-k-j loop streams rows of B, accumulating in float64.
 * Every product is added, zeros included, so `0 * inf` gives NaN as in PyTorch.
 */
export function matmul(a: View, b: View, biasView: View | null = null): StorageHandle {
  const rank = a.shape.length;
  const m = a.shape[rank - 2];
  const k = a.shape[rank - 1];
  const n = b.shape[rank - 1];
  const aOffsets = batchOffsets(a);
  const bOffsets = batchOffsets(b);
  const batches = aOffsets.length;
  const result = newStorage(a.dtype, batches * m * n);
  const out = result.data;
  const da = dataOf(a.handle);
  const db = dataOf(b.handle);
  const row = new Float64Array(n);
  const bias = biasView ? packMatrix(dataOf(biasView.handle), biasView.offset, 1, n, 0, biasView.strides[0]) : null;
  for (let batch = 0; batch < batches; batch++) {
    const pa = packMatrix(da, aOffsets[batch], m, k, a.strides[rank - 2], a.strides[rank - 1]);
    const pb = packMatrix(db, bOffsets[batch], k, n, b.strides[rank - 2], b.strides[rank - 1]);
    const outBase = batch * m * n;
    for (let i = 0; i < m; i++) {
      if (bias) row.set(bias);
      else row.fill(0);
      const aRow = i * k;
      for (let p = 0; p < k; p++) {
        const aip = pa[aRow + p];
        const bRow = p * n;
        for (let j = 0; j < n; j++) row[j] += aip * pb[bRow + j];
      }
      const o = outBase + i * n;
      for (let j = 0; j < n; j++) out[o + j] = row[j];
    }
  }
  return result;
}
