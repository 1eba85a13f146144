import type { DType } from '@kindling/tensor';
import type { ReduceOp, StorageHandle, View } from '@kindling/tensor/backend';
import { dataOf, elementOffsets, newStorage, sizeOf } from './storage.js';

/**
 * The view with `axes` moved last: iterating it row-major visits each
 * output's reduced elements as one consecutive group.
 */
export function groupedView(x: View, axes: readonly number[]): { view: View; groups: number; groupSize: number } {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const order = [...kept, ...axes];
  const groupSize = sizeOf(axes.map((a) => x.shape[a]));
  return {
    view: { ...x, shape: order.map((i) => x.shape[i]), strides: order.map((i) => x.strides[i]) },
    groups: sizeOf(kept.map((k) => x.shape[k])),
    groupSize,
  };
}

type Reducer = { init: number; step: (acc: number, v: number) => number };

const REDUCERS: Record<ReduceOp, Reducer> = {
  sum: { init: 0, step: (acc, v) => acc + v },
  prod: { init: 1, step: (acc, v) => acc * v },
  max: { init: Number.NEGATIVE_INFINITY, step: (acc, v) => (v > acc || v !== v ? v : acc) },
  min: { init: Number.POSITIVE_INFINITY, step: (acc, v) => (v < acc || v !== v ? v : acc) },
  any: { init: 0, step: (acc, v) => (acc !== 0 || v !== 0 ? 1 : 0) },
  all: { init: 1, step: (acc, v) => (acc !== 0 && v !== 0 ? 1 : 0) },
};

export function reduce(op: ReduceOp, x: View, axes: readonly number[], outDtype: DType): StorageHandle {
  const { view, groups, groupSize } = groupedView(x, axes);
  const result = newStorage(outDtype, groups);
  const out = result.data;
  const src = dataOf(x.handle);
  const offsets = elementOffsets(view);
  const { init, step } = REDUCERS[op];
  const integerSum = op === 'sum' && outDtype === 'int32';
  for (let g = 0; g < groups; g++) {
    let acc = init;
    const base = g * groupSize;
    // max/min keep the first NaN they meet: once acc is NaN, `v > acc` is false and acc stays.
    for (let j = 0; j < groupSize; j++) {
      acc = step(acc, src[offsets[base + j]]);
      if (integerSum) acc |= 0;
    }
    out[g] = acc;
  }
  return result;
}

export function argReduce(op: 'argmax' | 'argmin', x: View, axis: number): StorageHandle {
  const { view, groups, groupSize } = groupedView(x, [axis]);
  const result = newStorage('int32', groups);
  const out = result.data;
  const src = dataOf(x.handle);
  const offsets = elementOffsets(view);
  const better = op === 'argmax' ? (v: number, best: number) => v > best : (v: number, best: number) => v < best;
  for (let g = 0; g < groups; g++) {
    const base = g * groupSize;
    let bestIndex = 0;
    let best = src[offsets[base]];
    if (best === best) {
      for (let j = 1; j < groupSize; j++) {
        const v = src[offsets[base + j]];
        // NaN wins, as in PyTorch: the first NaN is the result.
        if (v !== v) {
          bestIndex = j;
          break;
        }
        if (better(v, best)) {
          best = v;
          bestIndex = j;
        }
      }
    }
    out[g] = bestIndex;
  }
  return result;
}
