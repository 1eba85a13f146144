import { KindlingError } from '@kindling/tensor';
import type { TypedArray } from '@kindling/tensor';
import type { StorageHandle, View } from '@kindling/tensor/backend';
import { groupedView } from './reduce.js';
import { dataOf, elementOffsets, newStorage, sizeOf } from './storage.js';

/** Offsets into `x` for every position of `index`, with the indexed dim's stride left out. */
function baseOffsets(x: View, dim: number, indexShape: readonly number[]): Int32Array {
  return elementOffsets({ ...x, shape: indexShape, strides: x.strides.map((s, i) => (i === dim ? 0 : s)) });
}

function checkBounds(op: string, value: number, dim: number, size: number): void {
  if (value < 0 || value >= size) throw new KindlingError(`${op}: index ${value} is out of bounds for dimension ${dim} with size ${size}`);
}

export function gather(x: View, dim: number, index: View): StorageHandle {
  const n = sizeOf(index.shape);
  const result = newStorage(x.dtype, n);
  const out = result.data;
  const src = dataOf(x.handle);
  const idx = dataOf(index.handle);
  if (gatherRows(x, dim, index, src, idx, out)) return result;
  const base = baseOffsets(x, dim, index.shape);
  const idxOffsets = elementOffsets(index);
  const size = x.shape[dim];
  const stride = x.strides[dim];
  for (let i = 0; i < n; i++) {
    const v = idx[idxOffsets[i]];
    checkBounds('gather', v, dim, size);
    out[i] = src[base[i] + v * stride];
  }
  return result;
}

/**
 * `gather` along the last dim of a 2-D `x` with a dense `[N, 1]`-shaped index
 * (picking one class per sample: NLL losses) by direct addressing, without the
 * offset tables of the general path. False for every other layout.
 */
function gatherRows(x: View, dim: number, index: View, src: TypedArray, idx: TypedArray, out: TypedArray): boolean {
  if (x.shape.length !== 2 || index.shape.length !== 2 || dim !== 1 || index.shape[1] !== 1 || index.shape[0] > x.shape[0]) return false;
  const [rowStride, colStride] = x.strides;
  const size = x.shape[1];
  const idxStride = index.strides[0];
  for (let i = 0; i < index.shape[0]; i++) {
    const v = idx[index.offset + i * idxStride];
    checkBounds('gather', v, dim, size);
    out[i] = src[x.offset + i * rowStride + v * colStride];
  }
  return true;
}

export function scatterAdd(dst: View, dim: number, index: View, src: View): void {
  const n = sizeOf(index.shape);
  const target = dataOf(dst.handle);
  const values = dataOf(src.handle);
  const idx = dataOf(index.handle);
  const base = baseOffsets(dst, dim, index.shape);
  const idxOffsets = elementOffsets(index);
  const srcOffsets = elementOffsets({ ...src, shape: index.shape, strides: src.strides.slice(0, index.shape.length) });
  const size = dst.shape[dim];
  const stride = dst.strides[dim];
  for (let i = 0; i < n; i++) {
    const v = idx[idxOffsets[i]];
    checkBounds('scatterAdd', v, dim, size);
    target[base[i] + v * stride] += values[srcOffsets[i]];
  }
}

/** NaN sorts above every number, as in PyTorch's topk/sort. */
function descending(a: number, b: number): number {
  if (a !== a) return b !== b ? 0 : -1;
  if (b !== b) return 1;
  return b - a;
}

export function topk(x: View, k: number, axis: number, largest: boolean): [StorageHandle, StorageHandle] {
  const { view, groups, groupSize } = groupedView(x, [axis]);
  const src = dataOf(x.handle);
  const offsets = elementOffsets(view);
  const outShape = x.shape.map((d, i) => (i === axis ? k : d));
  // Where each group's results land in the (row-major, axis in place) output.
  const outStrides = new Array<number>(outShape.length);
  let s = 1;
  for (let i = outShape.length - 1; i >= 0; i--) {
    outStrides[i] = s;
    s *= outShape[i];
  }
  const order = [...outShape.keys()].filter((i) => i !== axis).concat(axis);
  const outOffsets = elementOffsets({
    handle: x.handle,
    dtype: x.dtype,
    offset: 0,
    shape: order.map((i) => outShape[i]),
    strides: order.map((i) => outStrides[i]),
  });
  const valuesStorage = newStorage(x.dtype, sizeOf(outShape));
  const indicesStorage = newStorage('int32', sizeOf(outShape));
  const values = valuesStorage.data;
  const indices = indicesStorage.data;
  const compare = largest ? descending : (a: number, b: number) => -descending(a, b);
  const idx = new Array<number>(groupSize);
  const vals = new Float64Array(groupSize);
  for (let g = 0; g < groups; g++) {
    const base = g * groupSize;
    for (let j = 0; j < groupSize; j++) {
      idx[j] = j;
      vals[j] = src[offsets[base + j]];
    }
    // Array.prototype.sort is stable, so ties keep the lower index first.
    idx.sort((p, q) => compare(vals[p], vals[q]));
    for (let j = 0; j < k; j++) {
      const o = outOffsets[g * k + j];
      values[o] = vals[idx[j]];
      indices[o] = idx[j];
    }
  }
  return [valuesStorage, indicesStorage];
}
