import type { StorageHandle, View } from '@kindling/tensor/backend';
import { groupedView } from './reduce.js';
import { dataOf, elementOffsets, newStorage, sizeOf } from './storage.js';

/** Fused (log-)softmax along `axis`: one pass for the max, one for the sum, one to write. */
export function softmax(x: View, axis: number, log: boolean): StorageHandle {
  const { view, groups, groupSize } = groupedView(x, [axis]);
  const src = dataOf(x.handle);
  const inOffsets = elementOffsets(view);
  const outStrides = new Array<number>(x.shape.length);
  let s = 1;
  for (let i = x.shape.length - 1; i >= 0; i--) {
    outStrides[i] = s;
    s *= x.shape[i];
  }
  const order = [...x.shape.keys()].filter((i) => i !== axis).concat(axis);
  const outOffsets = elementOffsets({ ...x, offset: 0, shape: order.map((i) => x.shape[i]), strides: order.map((i) => outStrides[i]) });
  const result = newStorage(x.dtype, sizeOf(x.shape));
  const out = result.data;
  for (let g = 0; g < groups; g++) {
    const base = g * groupSize;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < groupSize; j++) {
      const v = src[inOffsets[base + j]];
      if (v > max || v !== v) max = v;
    }
    // Shifted even by an infinite max, as PyTorch is: inf - inf makes the row NaN there too.
    let sum = 0;
    for (let j = 0; j < groupSize; j++) sum += Math.exp(src[inOffsets[base + j]] - max);
    const logSum = Math.log(sum);
    for (let j = 0; j < groupSize; j++) {
      const z = src[inOffsets[base + j]] - max;
      out[outOffsets[base + j]] = log ? z - logSum : Math.exp(z) / sum;
    }
  }
  return result;
}
