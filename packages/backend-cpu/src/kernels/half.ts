import type { DType } from '@kindling/tensor';
import { type StorageHandle, type View, roundToFloat16 } from '@kindling/tensor/backend';
import { dataOf, elementOffsets, isDense, sizeOf } from './storage.js';

/**
 * float16 on the CPU: elements live in Float32Array slots (JavaScript has no
 * half arithmetic), and every kernel computes in float32 and rounds what it
 * writes to half precision, as PyTorch's half kernels do. These helpers do the
 * rounding after a kernel ran.
 */

/** Rounds a fresh float16 storage in place (any other dtype passes through). */
export function roundedOutput(handle: StorageHandle, dtype: DType): StorageHandle {
  if (dtype !== 'float16') return handle;
  const data = dataOf(handle);
  for (let i = 0; i < data.length; i++) data[i] = roundToFloat16(data[i]);
  return handle;
}

/** Rounds the elements of a float16 view in place, after an in-place kernel wrote them. */
export function roundView(view: View): void {
  if (view.dtype !== 'float16') return;
  const data = dataOf(view.handle);
  const n = sizeOf(view.shape);
  if (isDense(view)) {
    for (let i = view.offset; i < view.offset + n; i++) data[i] = roundToFloat16(data[i]);
    return;
  }
  for (const o of elementOffsets(view)) data[o] = roundToFloat16(data[o]);
}
