import type { Tensor } from '@kindling/tensor';

/**
 * Sums a gradient computed at a broadcast shape back to the shape of the
 * input that was broadcast: leading dims vanish, size-1 dims are summed.
 */
export function sumToShape(grad: Tensor, shape: readonly number[]): Tensor {
  if (grad.shape.length === shape.length && grad.shape.every((d, i) => d === shape[i])) return grad;
  const lead = grad.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < grad.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && grad.shape[i] !== 1)) dims.push(i);
  }
  const summed = dims.length ? grad.sum(dims, true) : grad;
  return summed.reshape(shape);
}
