import { type DType, promoteTypes } from '../dtype.js';
import { dispatch } from '../dispatch.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { type ValuesIndices, valuesIndices } from './reduce.js';
import { backendOf, checkSameDevice, disposeTemps, fromHandle } from './util.js';
import { narrow, unsqueeze } from './views.js';

function checkIndex(op: string, index: Tensor): void {
  if (index.dtype !== 'int32') {
    throw new DTypeError(`${op}: index must be an int32 tensor (Kindling's integer type for indices), got ${index.dtype}`);
  }
}

/** Rows (or slices along `dim`) of `x` picked by the 1-D int32 `index`. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const b = checkSameDevice('indexSelect', [x, index]);
  checkIndex('indexSelect', index);
  if (index.ndim > 1) throw new ShapeError(`indexSelect: index must be 0-D or 1-D, got shape ${fmtShape(index.shape)}`);
  const d = normalizeDim('indexSelect', dim, Math.max(x.ndim, 1));
  const k = index.ndim === 0 ? 1 : index.shape[0];
  const shape = x.ndim === 0 ? [k] : x.shape.map((s, i) => (i === d ? k : s));
  return dispatch('indexSelect', [x, index], { dim: d }, () => {
    // A broadcast view of the index (stride 1 along dim, 0 elsewhere) turns this into one gather.
    const iv = index.view_();
    const strides = shape.map((_, i) => (i === d ? (index.ndim === 0 ? 0 : iv.strides[0]) : 0));
    const src = x.view_();
    const srcView = x.ndim === 0 ? { ...src, shape: [1], strides: [1] } : src;
    return fromHandle(b, b.gather(srcView, d, { ...iv, shape, strides }), x.dtype, shape);
  });
}

/** torch.gather: `out[i][j] = x[index[i][j]][j]` for dim 0, and so on. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const b = checkSameDevice('gather', [x, index]);
  checkIndex('gather', index);
  const d = normalizeDim('gather', dim, Math.max(x.ndim, 1));
  if (index.ndim !== x.ndim) {
    throw new ShapeError(`gather: index ${fmtShape(index.shape)} must have the same number of dimensions as input ${fmtShape(x.shape)}`);
  }
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && index.shape[i] > x.shape[i]) {
      throw new ShapeError(`gather: index ${fmtShape(index.shape)} is larger than input ${fmtShape(x.shape)} at dim ${i}`);
    }
  }
  return dispatch('gather', [x, index], { dim: d }, () => fromHandle(b, b.gather(x.view_(), d, index.view_()), x.dtype, index.shape));
}

/** Out-of-place torch.scatter_add: a copy of `x` with `src` added at `index` along `dim`. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const b = checkSameDevice('scatterAdd', [x, index, src]);
  checkIndex('scatterAdd', index);
  const d = normalizeDim('scatterAdd', dim, Math.max(x.ndim, 1));
  if (index.ndim !== x.ndim || src.ndim !== x.ndim) {
    throw new ShapeError(
      `scatterAdd: input ${fmtShape(x.shape)}, index ${fmtShape(index.shape)} and src ${fmtShape(src.shape)} must have the same rank`,
    );
  }
  if (src.dtype !== x.dtype) throw new DTypeError(`scatterAdd: src dtype ${src.dtype} must match input dtype ${x.dtype}`);
  return dispatch('scatterAdd', [x, index, src], { dim: d }, () => {
    const out = fromHandle(b, b.cast(x.view_(), x.dtype), x.dtype, x.shape);
    b.scatterAdd(out.view_(), d, index.view_(), src.view_());
    return out;
  });
}

/** Concatenates tensors along `dim` (dtypes promote; shapes must match elsewhere). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('cat: expected a non-empty list of tensors');
  const b = checkSameDevice('cat', tensors);
  // PyTorch skips 1-D empty tensors for backward compatibility.
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  const ref = parts[0] ?? tensors[0];
  if (ref.ndim === 0) throw new ShapeError('cat: zero-dimensional tensors cannot be concatenated; use stack');
  const d = normalizeDim('cat', dim, ref.ndim);
  let total = 0;
  parts.forEach((t, k) => {
    if (t.ndim !== ref.ndim || t.shape.some((s, i) => i !== d && s !== ref.shape[i])) {
      throw new ShapeError(
        `cat: sizes of tensors must match except in dimension ${d}; tensor 0 has shape ${fmtShape(ref.shape)} but tensor ${k} has ${fmtShape(t.shape)}`,
      );
    }
    total += t.shape[d];
  });
  const dtype: DType = tensors.map((t) => t.dtype).reduce(promoteTypes);
  const shape = ref.shape.map((s, i) => (i === d ? total : s));
  return dispatch('cat', tensors, { dim: d }, () => {
    const out = fromHandle(
      b,
      b.alloc(
        dtype,
        shape.reduce((x, y) => x * y, 1),
      ),
      dtype,
      shape,
    );
    let start = 0;
    for (const t of parts) {
      const target = narrow(out, d, start, t.shape[d]);
      b.assign(target.view_(), t.view_());
      target.dispose();
      start += t.shape[d];
    }
    return out;
  });
}

/** Joins same-shape tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack: expected a non-empty list of tensors');
  const shape = tensors[0].shape;
  tensors.forEach((t, k) => {
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      throw new ShapeError(
        `stack: expects each tensor to be equal size, but got ${fmtShape(shape)} at entry 0 and ${fmtShape(t.shape)} at entry ${k}`,
      );
    }
  });
  const d = normalizeDim('stack', dim, shape.length, true);
  const expanded = tensors.map((t) => unsqueeze(t, d));
  const out = cat(expanded, d);
  disposeTemps(expanded, [out]);
  return out;
}

/** The `k` largest (or smallest) elements along `dim`, sorted, with their int32 indices. */
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): ValuesIndices {
  x.assertAlive('topk');
  const d = normalizeDim('topk', dim, Math.max(x.ndim, 1));
  const size = x.ndim === 0 ? 1 : x.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > size) {
    throw new ShapeError(`topk: k (${k}) is out of range for dimension ${d} of size ${size}`);
  }
  void sorted; // results are always sorted, which satisfies both settings
  const b = backendOf(x);
  const shape = x.ndim === 0 ? [] : x.shape.map((s, i) => (i === d ? k : s));
  const [values, indices] = dispatch('topk', [x], { dim: d, k, largest }, () => {
    const v = x.ndim === 0 ? { ...x.view_(), shape: [1], strides: [1] } : x.view_();
    const [vh, ih] = b.topk(v, k, d, largest);
    return [fromHandle(b, vh, x.dtype, shape), fromHandle(b, ih, 'int32', shape)] as const;
  });
  return valuesIndices(values, indices);
}

/** Sorted values along `dim` and the int32 indices that sort it (stable). */
export function sort(x: Tensor, dim = -1, descending = false): ValuesIndices {
  const d = normalizeDim('sort', dim, Math.max(x.ndim, 1));
  return topk(x, x.ndim === 0 ? 1 : x.shape[d], d, descending, true);
}
