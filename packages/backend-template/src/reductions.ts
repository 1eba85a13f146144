import { type DType, isFloating } from '@kindling/tensor';
import {
  type BinaryOp,
  type ReduceOp,
  type StorageHandle,
  type View,
  allocArray,
  contiguousStrides,
  numel,
} from '@kindling/tensor/backend';
import { binaryMath } from '@kindling/tensor/backend';
import { TemplateStorage, arrayOf, converter, produce } from './storage.js';
import { splitDims, walk } from './strided.js';

/*
 * Primitives that work along dims: each output element looks at a group of
 * input elements. `splitDims` turns that into two walks: the outer dims index
 * the output, and for each outer index the inner walk visits its group.
 */

/**
 * A reduction folds a binary op of the op table over the group, starting at
 * the op's identity, so it inherits the table's semantics: `maximum` and
 * `minimum` propagate NaN, int32 `mul` wraps, `logicalOr` gives 0/1.
 */
const FOLDS: Record<ReduceOp, { op: BinaryOp; identity: number }> = {
  sum: { op: 'add', identity: 0 },
  prod: { op: 'mul', identity: 1 },
  max: { op: 'maximum', identity: Number.NEGATIVE_INFINITY },
  min: { op: 'minimum', identity: Number.POSITIVE_INFINITY },
  any: { op: 'logicalOr', identity: 0 },
  all: { op: 'logicalAnd', identity: 1 },
};

/**
 * Reduces `axes` away; the kept dims stay in order. Elements are converted
 * to `outDtype` first (bool to int32 for a sum). Floating results
 * accumulate in float64 and round once at the end, which is at least as
 * accurate as PyTorch's float32 accumulation (a million float32 0.1s still sum
 * to 100000); integer results wrap at every step, as int32 arithmetic does.
 * An empty group gives the identity.
 */
export function reduce(op: ReduceOp, x: View, axes: readonly number[], outDtype: DType): StorageHandle {
  const { outer, inner } = splitDims(x, axes);
  const { op: foldOp, identity } = FOLDS[op];
  const fold = binaryMath(foldOp, outDtype);
  const toOut = converter(outDtype);
  const keep = isFloating(outDtype) ? (v: number) => v : toOut;
  const src = arrayOf(x.handle);
  return produce(outDtype, outer.shape, [outer], (start) => {
    let acc = identity;
    walk(inner.shape, [{ strides: inner.strides, offset: start[0] }], (_, at) => {
      acc = keep(fold(acc, toOut(src[at[0]])));
    });
    return acc;
  });
}

/** The index (int32) of the first maximum or minimum along `axis`; a NaN beats every number, and the first NaN wins. */
export function argReduce(op: 'argmax' | 'argmin', x: View, axis: number): StorageHandle {
  const { outer } = splitDims(x, [axis]);
  const size = x.shape[axis];
  const step = x.strides[axis];
  const better = op === 'argmax' ? (v: number, best: number) => v > best : (v: number, best: number) => v < best;
  const src = arrayOf(x.handle);
  return produce('int32', outer.shape, [outer], (start) => {
    let bestIndex = 0;
    let best = src[start[0]];
    // The loop stops once `best` is NaN (NaN !== NaN).
    for (let j = 1; j < size && best === best; j++) {
      const v = src[start[0] + j * step];
      if (v !== v || better(v, best)) {
        best = v;
        bestIndex = j;
      }
    }
    return bestIndex;
  });
}

/** Ascending order with NaN above every number, as PyTorch sorts. */
function ascending(a: number, b: number): number {
  const aNaN = a !== a;
  const bNaN = b !== b;
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The `k` largest (or smallest) elements along `axis`, sorted, with their
 * int32 indices; the results keep `axis` in place with size `k`. Each group
 * is sorted by index with a stable sort, so ties keep the lower index first.
 */
export function topk(x: View, k: number, axis: number, largest: boolean): [StorageHandle, StorageHandle] {
  const outShape = x.shape.map((d, i) => (i === axis ? k : d));
  const outStrides = contiguousStrides(outShape);
  const { outer } = splitDims(x, [axis]);
  // The results are walked alongside the input: same outer dims, their own strides.
  const outOuter = { strides: outStrides.filter((_, i) => i !== axis), offset: 0 };
  const values = allocArray(x.dtype, numel(outShape));
  const indices = allocArray('int32', numel(outShape));
  const src = arrayOf(x.handle);
  const size = x.shape[axis];
  const order = largest ? (p: number, q: number) => ascending(q, p) : ascending;
  walk(outer.shape, [outer, outOuter], (_, at) => {
    const group = Array.from({ length: size }, (_, j) => src[at[0] + j * x.strides[axis]]);
    const ranked = group.map((_, j) => j).sort((p, q) => order(group[p], group[q]));
    for (let r = 0; r < k; r++) {
      values[at[1] + r * outStrides[axis]] = group[ranked[r]];
      indices[at[1] + r * outStrides[axis]] = ranked[r];
    }
  });
  return [new TemplateStorage(values), new TemplateStorage(indices)];
}
