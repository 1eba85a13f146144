import type { ReduceOp } from '../backend.js';
import { type DType, isFloating } from '../dtype.js';
import { dispatch } from '../dispatch.js';
import { DTypeError, ShapeError } from '../errors.js';
import { normalizeDim, normalizeDims } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { abs, div, exp, log, mul, sqrt, sub, where } from './elementwise.js';
import { backendOf, castTo, checkBackendDType, disposeTemps, fromHandle } from './util.js';
import { gather } from './indexing.js';
import { reshapeKeepdim } from './views.js';

/**
 * The values and int32 indices `max(dim)`, `min(dim)`, `topk` and `sort`
 * return: a pair that destructures like PyTorch's named tuple
 * (`const [values, indices] = x.topk(1)`) and also names its parts
 * (`x.topk(1).indices`).
 */
export type ValuesIndices = readonly [values: Tensor, indices: Tensor] & { readonly values: Tensor; readonly indices: Tensor };

/** Builds a `ValuesIndices`: every op returning one goes through here so they all behave alike. */
export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  const pair: Tensor[] = [values, indices];
  // Not enumerable, so printing the pair shows two tensors, not four.
  Object.defineProperties(pair, {
    values: { value: values, enumerable: false },
    indices: { value: indices, enumerable: false },
  });
  return Object.freeze(pair) as unknown as ValuesIndices;
}

/** Shape of `shape` with `dims` removed, or kept as 1 with `keepdim`. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!dims.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** `normalizeDims` for reductions: a 0-dim tensor accepts dim 0/-1 but has no axis to reduce. */
function reduceDims(op: string, dim: number | readonly number[] | undefined, x: Tensor): number[] {
  return normalizeDims(op, dim, x.ndim).filter((d) => d < x.ndim);
}

function reduceKernel(name: string, op: ReduceOp, x: Tensor, dims: readonly number[], keepdim: boolean, outDtype: DType): Tensor {
  const b = backendOf(x);
  checkBackendDType(name, b, outDtype);
  const input = castTo(x, outDtype === 'bool' ? x.dtype : outDtype);
  const handle = b.reduce(op, input.view_(), dims, outDtype);
  disposeTemps([input], [x]);
  return fromHandle(b, handle, outDtype, reducedShape(x.shape, dims, keepdim));
}

/** Integer sums accumulate in int32 (PyTorch uses int64). */
function sumDtype(dtype: DType): DType {
  return isFloating(dtype) ? dtype : 'int32';
}

export function sum(x: Tensor, dim?: number | readonly number[], keepdim = false, options?: { dtype?: DType }): Tensor {
  x.assertAlive('sum');
  const dims = reduceDims('sum', dim, x);
  const outDtype = options?.dtype ?? sumDtype(x.dtype);
  return dispatch('sum', [x], { dims, keepdim }, () => reduceKernel('sum', 'sum', x, dims, keepdim, outDtype));
}

export function mean(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  x.assertAlive('mean');
  if (!isFloating(x.dtype)) {
    throw new DTypeError(`mean: input dtype must be floating point, got ${x.dtype} (cast it with .float() first)`);
  }
  const dims = reduceDims('mean', dim, x);
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  return dispatch('mean', [x], { dims, keepdim }, () => {
    const s = reduceKernel('mean', 'sum', x, dims, keepdim, x.dtype);
    const out = div(s, count);
    s.dispose();
    return out;
  });
}

export function prod(x: Tensor, dim?: number, keepdim = false): Tensor {
  x.assertAlive('prod');
  const dims = reduceDims('prod', dim, x);
  return dispatch('prod', [x], { dims, keepdim }, () => reduceKernel('prod', 'prod', x, dims, keepdim, sumDtype(x.dtype)));
}

function checkNonEmpty(name: string, x: Tensor, dims: readonly number[]): void {
  for (const d of dims) {
    if (x.shape[d] === 0) {
      throw new ShapeError(
        `${name}: cannot reduce over a zero-size dimension (dim ${d} of shape [${x.shape.join(',')}]); the op has no identity`,
      );
    }
  }
}

/** Maximum over `dim` (all dims when omitted), without indices. */
export function amax(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  x.assertAlive('amax');
  const dims = reduceDims('amax', dim, x);
  checkNonEmpty('amax', x, dims);
  return dispatch('amax', [x], { dims, keepdim }, () => reduceKernel('amax', 'max', x, dims, keepdim, x.dtype));
}

export function amin(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  x.assertAlive('amin');
  const dims = reduceDims('amin', dim, x);
  checkNonEmpty('amin', x, dims);
  return dispatch('amin', [x], { dims, keepdim }, () => reduceKernel('amin', 'min', x, dims, keepdim, x.dtype));
}

function argKernel(name: string, op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  x.assertAlive(name);
  const b = backendOf(x);
  // A 0-dim tensor has one element; its dim 0/-1 means that element, as in PyTorch.
  if (dim !== undefined && x.ndim === 0) normalizeDim(name, dim, 0);
  if (dim === undefined || x.ndim === 0) {
    if (x.numel() === 0) throw new ShapeError(`${name}: expected a non-empty tensor when no dim is given`);
    const flat = x.reshape(-1);
    const out = fromHandle(b, b.argReduce(op, flat.view_(), 0), 'int32', keepdim ? x.shape.map(() => 1) : []);
    if (flat !== x) flat.dispose();
    return out;
  }
  const d = normalizeDim(name, dim, x.ndim);
  checkNonEmpty(name, x, [d]);
  return fromHandle(b, b.argReduce(op, x.view_(), d), 'int32', reducedShape(x.shape, [d], keepdim));
}

/** Index of the first maximum along `dim` (of the flattened tensor when omitted), as int32. */
export const argmax = (x: Tensor, dim?: number, keepdim = false): Tensor => argKernel('argmax', 'argmax', x, dim, keepdim);
export const argmin = (x: Tensor, dim?: number, keepdim = false): Tensor => argKernel('argmin', 'argmin', x, dim, keepdim);

function valuesAndIndices(name: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  if (x.ndim === 0) {
    normalizeDim(name, dim, 0);
    const flat = x.reshape([1]);
    const out = valuesAndIndices(name, flat, 0, false);
    flat.dispose();
    return out;
  }
  const d = normalizeDim(name, dim, x.ndim);
  const indices = argKernel(name, name === 'max' ? 'argmax' : 'argmin', x, d, true);
  const values = gather(x, d, indices);
  if (keepdim) return valuesIndices(values, indices);
  const out = valuesIndices(reshapeKeepdim(values, x.shape, d), reshapeKeepdim(indices, x.shape, d));
  values.dispose();
  indices.dispose();
  return out;
}

/** Maximum of all elements, or `[values, indices]` along `dim`. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return dim === undefined ? amax(x) : valuesAndIndices('max', x, dim, keepdim);
}

export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return dim === undefined ? amin(x) : valuesAndIndices('min', x, dim, keepdim);
}

/** `log(sum(exp(x)))` over `dim`, computed stably by subtracting the maximum first. */
export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  x.assertAlive('logsumexp');
  const dims = reduceDims('logsumexp', dim, x);
  return dispatch('logsumexp', [x], { dims, keepdim }, () => {
    const input = isFloating(x.dtype) ? x : castTo(x, 'float32');
    const m = reduceKernel('logsumexp', 'max', input, dims, true, input.dtype);
    // An infinite maximum would turn x - m into NaN; shifting by 0 there is exact.
    const absM = abs(m);
    const finite = absM.lt(Number.POSITIVE_INFINITY);
    const shift = where(finite, m, 0);
    const shifted = sub(input, shift);
    const e = exp(shifted);
    const s = reduceKernel('logsumexp', 'sum', e, dims, true, input.dtype);
    const l = log(s);
    const out = l.add(shift);
    const result = keepdim ? out : reshapeKeepdimMany(out, x.shape, dims);
    disposeTemps([m, absM, finite, shift, shifted, e, s, l, out, input], [result, x]);
    return result;
  });
}

function reshapeKeepdimMany(t: Tensor, shape: readonly number[], dims: readonly number[]): Tensor {
  return t.reshape(reducedShape(shape, dims, false));
}

/** Variance over `dim` with `correction` (1 = Bessel's, the default). */
export function variance(x: Tensor, dim?: number | readonly number[], options?: { correction?: number; keepdim?: boolean }): Tensor {
  const correction = options?.correction ?? 1;
  const keepdim = options?.keepdim ?? false;
  const dims = reduceDims('var', dim, x);
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  const centered = sub(x, mean(x, dims, true));
  const sq = mul(centered, centered);
  return div(sum(sq, dims, keepdim), Math.max(0, count - correction));
}

export function std(x: Tensor, dim?: number | readonly number[], options?: { correction?: number; keepdim?: boolean }): Tensor {
  return sqrt(variance(x, dim, options));
}

/** Whether any element along `dim` (all when omitted) is non-zero; bool. */
export function any(x: Tensor, dim?: number, keepdim = false): Tensor {
  const dims = reduceDims('any', dim, x);
  return reduceKernel('any', 'any', x, dims, keepdim, 'bool');
}

export function all(x: Tensor, dim?: number, keepdim = false): Tensor {
  const dims = reduceDims('all', dim, x);
  return reduceKernel('all', 'all', x, dims, keepdim, 'bool');
}
