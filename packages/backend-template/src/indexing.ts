import { KindlingError } from '@kindling/tensor';
import type { StorageHandle, View } from '@kindling/tensor/backend';
import { arrayOf, converter, produce } from './storage.js';
import { type Strided, walk } from './strided.js';

/*
 * Indexing along one dim: `gather` reads `x` at positions an index tensor
 * names, `scatterAdd` (its adjoint, used by gradients) adds into them. Both
 * walk the index's shape. On every dim but `dim` the index position is also
 * the position in `x`, so `x` is walked with its own strides except a 0 on
 * `dim`, giving the start of the line along `dim`; the index value says how
 * far down that line to go.
 */

/** `x`, walked over the index's shape, standing still along `dim`. */
function lineStarts(x: View, dim: number): Strided {
  return { strides: x.strides.map((s, d) => (d === dim ? 0 : s)), offset: x.offset };
}

/** An index value, refused when outside `[0, size)` (PyTorch raises an IndexError there). */
function checked(op: string, value: number, dim: number, size: number): number {
  if (value < 0 || value >= size) throw new KindlingError(`${op}: index ${value} is out of bounds for dimension ${dim} with size ${size}`);
  return value;
}

/** `out[...i...] = x[...index[...i...] along dim...]` (torch.gather); the result has `index.shape`. */
export function gather(x: View, dim: number, index: View): StorageHandle {
  const src = arrayOf(x.handle);
  const idx = arrayOf(index.handle);
  return produce(x.dtype, index.shape, [index, lineStarts(x, dim)], (at) => {
    const j = checked('gather', idx[at[0]], dim, x.shape[dim]);
    return src[at[1] + j * x.strides[dim]];
  });
}

/**
 * `dst[...index[...i...] along dim...] += src[...i...]`, in place
 * (torch.scatter_add_). `src` may be larger than `index`; only the part the
 * index covers is read. Each sum is stored in `dst`'s dtype at once, so
 * repeated indices accumulate as PyTorch's kernel does, one addition at a time.
 */
export function scatterAdd(dst: View, dim: number, index: View, src: View): void {
  const target = arrayOf(dst.handle);
  const idx = arrayOf(index.handle);
  const values = arrayOf(src.handle);
  const store = converter(dst.dtype);
  walk(index.shape, [index, lineStarts(dst, dim), src], (_, at) => {
    const p = at[1] + checked('scatterAdd', idx[at[0]], dim, dst.shape[dim]) * dst.strides[dim];
    target[p] = store(target[p] + values[at[2]]);
  });
}
