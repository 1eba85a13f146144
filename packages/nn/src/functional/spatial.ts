import {
  type MaxPool2dOptions,
  type Pair,
  ShapeError,
  type Tensor,
  maxPool2d as maxPool2dOp,
  maxPool2dWithIndices,
} from '@kindling/tensor';
import { maskedDropout } from './dropout.js';

/*
 * The functional forms of the convolution, pooling and normalisation layers.
 * Most are the tensor ops themselves (options objects where PyTorch takes
 * keyword arguments); the ones here add what the functional API has on top:
 * `returnIndices`, and channel dropout, which is a composition rather than an op.
 */

export {
  conv1d,
  conv2d,
  convTranspose2d,
  avgPool2d,
  adaptiveAvgPool2d,
  batchNorm,
  pad,
  interpolate,
  unfold,
  fold,
  flatten,
} from '@kindling/tensor';

/**
 * The maximum of each window (`F.max_pool2d`). With `{ returnIndices: true }`
 * it returns `[values, indices]`, the indices int32 and flat (`h·W + w`)
 * within each input plane, as PyTorch's.
 */
export function maxPool2d(
  x: Tensor,
  kernelSize: Pair,
  options: MaxPool2dOptions & { returnIndices: true },
): [values: Tensor, indices: Tensor];
export function maxPool2d(x: Tensor, kernelSize: Pair, options?: MaxPool2dOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(
  x: Tensor,
  kernelSize: Pair,
  options?: MaxPool2dOptions & { returnIndices?: boolean },
): Tensor | [values: Tensor, indices: Tensor];
export function maxPool2d(
  x: Tensor,
  kernelSize: Pair,
  options: MaxPool2dOptions & { returnIndices?: boolean } = {},
): Tensor | [Tensor, Tensor] {
  const { returnIndices, ...rest } = options;
  return returnIndices ? maxPool2dWithIndices(x, kernelSize, rest) : maxPool2dOp(x, kernelSize, rest);
}

/**
 * Channel dropout (`F.dropout2d`): zeroes whole channels `x[n, c]` with
 * probability `p` and scales the rest by `1/(1-p)`; the identity unless
 * `training`. Like PyTorch 1.13, a 3-D input is read as `[N, C, L]` (one
 * mask entry per `(n, c)`), not as an unbatched image.
 */
export function dropout2d(x: Tensor, p = 0.5, training = true): Tensor {
  if (x.ndim < 2) throw new ShapeError(`dropout2d: expected an input with a channel dim, [N, C, H, W], got shape [${x.shape.join(', ')}]`);
  return maskedDropout('dropout2d', x, p, training, [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)]);
}
