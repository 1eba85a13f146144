import { DTypeError, ShapeError } from '@kindling/tensor';
import type { StorageHandle, View } from '@kindling/tensor/backend';
import { dataOf, newStorage } from './storage.js';

/**
 * Fused per-sample cross-entropy `logsumexp(x[i, :]) - x[i, target[i]]` of
 * `[N, C]` logits: two passes over each row (maximum, then the sum of
 * shifted exponentials) and one number written per row. The arithmetic is
 * the softmax kernel's, in float64, so the result equals the lowering's.
 */
export function crossEntropy(logits: View, target: View): StorageHandle {
  if (logits.dtype !== 'float32' && logits.dtype !== 'float64') {
    throw new DTypeError(`crossEntropy: the cpu fused kernel expects float32 or float64 logits, got ${logits.dtype}`);
  }
  const [rows, classes] = logits.shape;
  const [rowStride, classStride] = logits.strides;
  const x = dataOf(logits.handle);
  const t = dataOf(target.handle);
  const result = newStorage(logits.dtype, rows);
  const out = result.data;
  for (let i = 0; i < rows; i++) {
    const base = logits.offset + i * rowStride;
    const cls = t[target.offset + i * target.strides[0]];
    if (!(cls >= 0 && cls < classes)) throw new ShapeError(`crossEntropy: target ${cls} is out of bounds for ${classes} classes`);
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < classes; j++) {
      const v = x[base + j * classStride];
      if (v > max || v !== v) max = v;
    }
    // Shifted even by an infinite max, as PyTorch is: inf - inf makes the row NaN there too.
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(x[base + j * classStride] - max);
    out[i] = Math.log(sum) - (x[base + cls * classStride] - max);
  }
  return result;
}
