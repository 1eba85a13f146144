import { dispatch } from '../dispatch.js';
import { ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes, checkShape, contiguousStrides, inferShape, isContiguous, normalizeDim, normalizeDims } from '../shape.js';
import { Tensor } from '../tensor.js';
import { clone } from './convert.js';

/**
 * Sizes (or dims) given as separate numbers or as one array: `view(2, 3)` or
 * `view([2, 3])`. Entries may be typed `number | undefined` so that
 * `x.view(x.shape[0], -1)` compiles under `noUncheckedIndexedAccess`.
 */
export type ShapeArgList = (number | undefined)[] | [readonly (number | undefined)[]];

/** Reads a `ShapeArgList`, throwing on an `undefined` entry (`view: size at position 0 is undefined ...`). */
export function shapeArgs(op: string, args: ShapeArgList, what = 'size'): number[] {
  const list: readonly (number | undefined)[] = args.length === 1 && Array.isArray(args[0]) ? args[0] : (args as (number | undefined)[]);
  return list.map((v, i) => {
    if (v === undefined) throw new ShapeError(`${op}: ${what} at position ${i} is undefined (expected an integer)`);
    return v;
  });
}

export function resolveDim(op: string, dim: number, rank: number): number {
  return normalizeDim(op, dim, rank);
}

export function isContiguousTensor(t: Tensor): boolean {
  return isContiguous(t.shape, t.strides);
}

/** A tensor sharing `t`'s storage with a new layout. */
function aliasOf(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  t.assertAlive('view');
  return new Tensor(t.storage, shape, strides, offset);
}

/**
 * Strides that view `shape`'s elements as `target` without copying, or null if
 * the layout makes that impossible (PyTorch's `computeStride`). Dims are
 * grouped into runs that are contiguous with each other; a target dim may not
 * straddle two runs.
 */
export function viewStrides(shape: readonly number[], strides: readonly number[], target: readonly number[]): number[] | null {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 0) return contiguousStrides(target);
  if (shape.length === 0) return target.map(() => 1);
  const out = new Array<number>(target.length);
  let viewD = target.length - 1;
  let chunkBase = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= target[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

/** A view with a new shape (one dim may be -1); fails when the layout cannot be viewed, like PyTorch. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape('view', shape, x.numel(), x.shape);
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides === null) {
    throw new ShapeError(
      `view: size ${fmtShape(target)} is not compatible with input tensor's size ${fmtShape(x.shape)} and stride ${fmtShape(x.strides)} ` +
        '(at least one dimension spans across two contiguous subspaces); use .reshape(...) instead',
    );
  }
  return dispatch('view', [x], { shape: target }, () => aliasOf(x, target, strides, x.offset));
}

/** A view when the layout allows, a copy otherwise. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape('reshape', shape, x.numel(), x.shape);
  if (viewStrides(x.shape, x.strides, target) !== null) return view(x, target);
  return dispatch('reshape', [x], { shape: target }, () => {
    const copy = clone(x);
    const out = aliasOf(copy, target, contiguousStrides(target), 0);
    copy.dispose();
    return out;
  });
}

/** Reinserts a reduced `dim` of size 1 removed from `shape` (keepdim → no keepdim). */
export function reshapeKeepdim(t: Tensor, shape: readonly number[], dim: number): Tensor {
  return reshape(
    t,
    shape.filter((_, i) => i !== dim),
  );
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.ndim);
  const e = normalizeDim('flatten', endDim, x.ndim);
  if (s > e) throw new ShapeError(`flatten: startDim ${startDim} cannot come after endDim ${endDim}`);
  const mid = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), mid, ...x.shape.slice(e + 1)]);
}

export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim('unflatten', dim, x.ndim);
  const inner = inferShape('unflatten', sizes, x.shape[d], [x.shape[d]]);
  return reshape(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

/** Removes size-1 dims (all, or those in `dim`). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const dims =
    dim === undefined
      ? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))
      : normalizeDims('squeeze', dim, x.ndim).filter((d) => x.shape[d] === 1);
  const shape = x.shape.filter((_, i) => !dims.includes(i));
  const strides = x.strides.filter((_, i) => !dims.includes(i));
  return dispatch('squeeze', [x], { dims }, () => aliasOf(x, shape, strides, x.offset));
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('unsqueeze', dim, x.ndim, true);
  const shape = [...x.shape];
  const strides = [...x.strides];
  const stride = d < x.ndim ? x.shape[d] * x.strides[d] : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, stride);
  return dispatch('unsqueeze', [x], { dim: d }, () => aliasOf(x, shape, strides, x.offset));
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new ShapeError(
      `permute: number of dims ${fmtShape(dims)} doesn't match the tensor's rank ${x.ndim} (shape ${fmtShape(x.shape)})`,
    );
  }
  const perm = dims.map((d) => normalizeDim('permute', d, x.ndim));
  if (new Set(perm).size !== perm.length) throw new ShapeError(`permute: dims ${fmtShape(dims)} repeat a dimension`);
  return dispatch('permute', [x], { dims: perm }, () =>
    aliasOf(
      x,
      perm.map((p) => x.shape[p]),
      perm.map((p) => x.strides[p]),
      x.offset,
    ),
  );
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim('transpose', dim0, x.ndim);
  const b = normalizeDim('transpose', dim1, x.ndim);
  const shape = [...x.shape];
  const strides = [...x.strides];
  [shape[a], shape[b]] = [shape[b], shape[a]];
  [strides[a], strides[b]] = [strides[b], strides[a]];
  return dispatch('transpose', [x], { dim0: a, dim1: b }, () => aliasOf(x, shape, strides, x.offset));
}

/** Transpose of a 0-, 1- or 2-D tensor. */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2)
    throw new ShapeError(`t: expects a tensor with <= 2 dimensions, but got shape ${fmtShape(x.shape)}; use transpose(dim0, dim1)`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

/** A broadcast view (-1 keeps a dim); new leading dims may be added. No copy. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < x.ndim) {
    throw new ShapeError(
      `expand: the number of sizes ${fmtShape(shape)} must be at least the tensor's rank ${x.ndim} (shape ${fmtShape(x.shape)})`,
    );
  }
  const lead = shape.length - x.ndim;
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead] : d));
  checkShape('expand', target);
  const strides = target.map((d, i) => {
    if (i < lead) return 0;
    const src = x.shape[i - lead];
    if (src === d) return x.strides[i - lead];
    if (src === 1) return 0;
    throw new ShapeError(
      `expand: the expanded size ${d} must match the existing size ${src} at dim ${i} (shape ${fmtShape(x.shape)} to ${fmtShape(shape)})`,
    );
  });
  return dispatch('expand', [x], { shape: target }, () => aliasOf(x, target, strides, x.offset));
}

/** Broadcasts tensors to one shape (views). */
export function broadcastTensors(...tensors: Tensor[]): Tensor[] {
  const shape = broadcastShapes('broadcastTensors', ...tensors.map((t) => t.shape));
  return tensors.map((t) => expand(t, shape));
}

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim('narrow', dim, x.ndim);
  const size = x.shape[d];
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
    throw new ShapeError(`narrow: start ${start} + length ${length} exceeds dimension ${d} of size ${size} (shape ${fmtShape(x.shape)})`);
  }
  return slice(x, d, s, s + length, 1);
}

/** Python slicing along `dim`: `x[start:end:step]`, negative and omitted bounds allowed. */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  const d = normalizeDim('slice', dim, x.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new ShapeError(`slice: step must be a positive integer, got ${step}`);
  const size = x.shape[d];
  const clampIndex = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clampIndex(start ?? 0);
  const e = Math.max(clampIndex(end ?? size), s);
  const length = Math.ceil((e - s) / step);
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape[d] = length;
  strides[d] = x.strides[d] * step;
  const offset = x.offset + (length > 0 ? s * x.strides[d] : 0);
  return dispatch('slice', [x], { dim: d, start: s, end: e, step }, () => aliasOf(x, shape, strides, offset));
}

/** `x[index]` along `dim` (negative index counts from the end); the dim is removed. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim('select', dim, x.ndim);
  const size = x.shape[d];
  const i = index < 0 ? index + size : index;
  if (!Number.isInteger(i) || i < 0 || i >= size) {
    throw new ShapeError(`select: index ${index} is out of bounds for dimension ${d} with size ${size}`);
  }
  const shape = x.shape.filter((_, k) => k !== d);
  const strides = x.strides.filter((_, k) => k !== d);
  return dispatch('select', [x], { dim: d, index: i }, () => aliasOf(x, shape, strides, x.offset + i * x.strides[d]));
}

export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim('split', dim, x.ndim);
  const size = x.shape[d];
  let sizes: number[];
  if (typeof splitSize === 'number') {
    if (!Number.isInteger(splitSize) || splitSize <= 0)
      throw new ShapeError(`split: splitSize must be a positive integer, got ${splitSize}`);
    sizes = [];
    for (let s = 0; s < size; s += splitSize) sizes.push(Math.min(splitSize, size - s));
    if (size === 0) sizes.push(0);
  } else {
    sizes = [...splitSize];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== size) throw new ShapeError(`split: sizes ${fmtShape(sizes)} sum to ${total}, but dimension ${d} has size ${size}`);
  }
  let start = 0;
  return sizes.map((len) => {
    const part = narrow(x, d, start, len);
    start += len;
    return part;
  });
}

export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ShapeError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim('chunk', dim, x.ndim);
  return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}

export function unbind(x: Tensor, dim = 0): Tensor[] {
  const d = normalizeDim('unbind', dim, x.ndim);
  return Array.from({ length: x.shape[d] }, (_, i) => select(x, d, i));
}
