import { dispatch } from '../dispatch.js';
import { ShapeError, fmtShape } from '../errors.js';
import { normalizeDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { zerosOn } from './im2col.js';
import { backendOf, fromHandle } from './util.js';

/** The shape and strides of `x.unfold(dim, size, step)` (dim already normalised). */
function unfoldLayout(shape: readonly number[], strides: readonly number[], dim: number, size: number, step: number) {
  if (shape.length === 0) return { shape: [size], strides: [1] };
  const count = Math.floor((shape[dim] - size) / step) + 1;
  return {
    shape: [...shape.slice(0, dim), count, ...shape.slice(dim + 1), size],
    strides: [...strides.slice(0, dim), strides[dim] * step, ...strides.slice(dim + 1), strides[dim]],
  };
}

/**
 * `torch.Tensor.unfold`: every `size`-long slice of `dim` starting a
 * multiple of `step` apart, as a view with `dim` replaced by the number of
 * slices and a new last dim of `size`. Copies nothing; slices may overlap.
 */
export function unfoldDim(x: Tensor, dimension: number, size: number, step: number): Tensor {
  x.assertAlive('unfold');
  const dim = x.ndim === 0 ? 0 : normalizeDim('unfold', dimension, x.ndim);
  const extent = x.ndim === 0 ? 1 : x.shape[dim];
  if (!Number.isInteger(step) || step <= 0) throw new ShapeError(`unfold: step is ${step} but must be > 0`);
  if (!Number.isInteger(size) || size < 0 || size > extent) {
    throw new ShapeError(
      `unfold: maximum size for tensor at dimension ${dim} is ${extent} but size is ${size} (shape ${fmtShape(x.shape)})`,
    );
  }
  const layout = unfoldLayout(x.shape, x.strides, dim, size, step);
  return dispatch('unfold', [x], { dim, size, step }, () => new Tensor(x.storage, layout.shape, layout.strides, x.offset));
}

/**
 * The gradient of {@link unfoldDim}: `grad` (the unfolded shape) summed back
 * into zeros of `inputShape`, overlapping slices adding up. A dispatched op
 * of its own, so its gradient (unfolding again) is recorded for double
 * backward. One strided write per offset within a slice.
 */
export function unfoldBackward(grad: Tensor, inputShape: readonly number[], dim: number, size: number, step: number): Tensor {
  return dispatch('unfoldBackward', [grad], { inputShape, dim, size, step }, () => {
    const b = backendOf(grad);
    const out = zerosOn(grad, inputShape);
    if (inputShape.length === 0) {
      if (size === 1) b.assign(out.view_(), { ...grad.view_(), shape: [], strides: [] });
      return out;
    }
    const target = out.view_();
    const g = grad.view_();
    const r = g.shape.length - 1;
    const count = g.shape[dim];
    for (let k = 0; k < size; k++) {
      // Element k of every slice: a strided window of the input, written where no slice overlaps, added where they do.
      const dst = {
        ...target,
        shape: g.shape.slice(0, r),
        strides: unfoldLayout(inputShape, target.strides, dim, 1, step).strides.slice(0, r),
        offset: k * target.strides[dim],
      };
      const src = { ...g, shape: g.shape.slice(0, r), strides: g.strides.slice(0, r), offset: g.offset + k * g.strides[r] };
      if (step >= size || count === 0) b.assign(dst, src);
      else {
        const sum = fromHandle(b, b.binary('add', dst, src, grad.dtype), grad.dtype, dst.shape);
        b.assign(dst, sum.view_());
        sum.dispose();
      }
    }
    return out;
  });
}
