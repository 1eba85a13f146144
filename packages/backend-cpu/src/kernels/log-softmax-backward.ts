import type { StorageHandle, View } from '@kindling/tensor/backend';
import { dataOf, isDense, newStorage, sizeOf } from './storage.js';

/**
 * Log-softmax's gradient along the last axis, `grad - exp(output) * sum(grad)`
 * per row, over dense float32/float64 operands (the row sum in float64), with
 * `exp` the backend's exp kernel (null: Math.exp here). Replaces four kernel
 * calls and three temporaries of the lowering
 * (`exp`, `sum`, `mul`, `sub`): for the seeds' `[64, 10]` log-probabilities
 * the calls cost far more than the arithmetic. Null for other dtypes (half
 * lowers, rounding where PyTorch does) and layouts.
 */
export function logSoftmaxBackward(grad: View, output: View, exp: (x: View) => StorageHandle | null = () => null): StorageHandle | null {
  const dtype = grad.dtype;
  if ((dtype !== 'float32' && dtype !== 'float64') || grad.shape.length === 0 || !isDense(grad) || !isDense(output)) return null;
  const n = sizeOf(grad.shape);
  const cols = grad.shape[grad.shape.length - 1];
  if (n === 0) return newStorage(dtype, 0);
  // exp(output) by the SIMD kernel when there is one (Math.exp per element costs more than the
  // four kernel calls this replaces), computed into the result, which the pass below overwrites.
  const expOut = exp(output);
  const result = expOut ?? newStorage(dtype, n);
  const out = dataOf(result);
  const g = dataOf(grad.handle);
  const y = dataOf(output.handle);
  const go = grad.offset;
  const yo = output.offset;
  for (let row = 0; row < n; row += cols) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += g[go + row + j];
    if (expOut) for (let j = 0; j < cols; j++) out[row + j] = g[go + row + j] - out[row + j] * s;
    else for (let j = 0; j < cols; j++) out[row + j] = g[go + row + j] - Math.exp(y[yo + row + j]) * s;
  }
  return result;
}
