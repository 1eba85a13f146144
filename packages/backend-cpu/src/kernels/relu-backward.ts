import type { StorageHandle, View } from '@kindling/tensor/backend';
import { dataOf, elementOffsets, newStorage, sizeOf } from './storage.js';

/** `output <= 0 ? 0 : grad` over any two views of one shape (NaN outputs pass the gradient, as in PyTorch). */
export function reluBackward(grad: View, output: View): StorageHandle {
  const n = sizeOf(grad.shape);
  const result = newStorage(grad.dtype, n);
  const out = result.data;
  const g = dataOf(grad.handle);
  const y = dataOf(output.handle);
  const og = elementOffsets(grad);
  const oy = elementOffsets(output);
  for (let i = 0; i < n; i++) out[i] = y[oy[i]] <= 0 ? 0 : g[og[i]];
  return result;
}
