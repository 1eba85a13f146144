import type { Window2d } from '../backend.js';
import { dispatch } from '../dispatch.js';
import { ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { convInputGradKernel, convWeightGradKernel } from './conv-kernels.js';
import { convolution } from './conv2d.js';
import { checkSameDevice } from './util.js';

/*
 * The two products of a convolution's backward pass, as dispatched ops so
 * that their own gradients (they are linear in both operands, so their
 * gradients are convolutions again) are recorded and double backward works.
 * They exist for gradient rules (`@kindling/tensor/internal`); all operands
 * are 4-D, of one floating dtype, and consistent with `window`.
 */

function check4d(op: string, named: Record<string, Tensor>): void {
  checkSameDevice(op, Object.values(named));
  for (const [name, t] of Object.entries(named)) {
    if (t.ndim !== 4) throw new ShapeError(`${op}: expected a 4-D ${name}, got ${fmtShape(t.shape)}`);
  }
}

/**
 * The gradient of `conv2d` with respect to its `[N, Cin, ...size]` input:
 * `grad` `[N, Cout, outH, outW]` through `weight` `[Cout, Cin/groups, kh, kw]`
 * (a transposed convolution). `size` may exceed what the window needs by
 * less than a stride (a transposed convolution's output padding): rows no
 * window reaches get zero.
 */
export function conv2dInputGrad(grad: Tensor, weight: Tensor, size: readonly [number, number], window: Window2d, groups: number): Tensor {
  check4d('conv2dInputGrad', { grad, weight });
  return dispatch('conv2dInputGrad', [grad, weight], { size, window, groups }, () =>
    convInputGradKernel(grad, weight, size, window, groups),
  );
}

/**
 * The gradient of `conv2d` with respect to its weight: `input`
 * `[N, Cin, H, W]` against `grad` `[N, Cout, outH, outW]`, summed over the
 * batch into `[Cout, Cin/groups, kh, kw]`. The `outH x outW` grid may be
 * smaller than the window gives over `input` (see {@link conv2dInputGrad}).
 */
export function conv2dWeightGrad(input: Tensor, grad: Tensor, window: Window2d, groups: number): Tensor {
  check4d('conv2dWeightGrad', { input, grad });
  return dispatch('conv2dWeightGrad', [input, grad], { window, groups }, () => convWeightGradKernel(input, grad, window, groups));
}

/**
 * `conv2d` of a 4-D `input` with an explicit window (no `'same'` cropping),
 * its output cut to the first `blocks` rows and columns when given: the
 * adjoint of {@link conv2dInputGrad} over a grid that output padding made
 * larger than `blocks`.
 */
export function conv2dWindow(input: Tensor, weight: Tensor, window: Window2d, groups: number, blocks?: readonly [number, number]): Tensor {
  check4d('conv2d', { input, weight });
  const out = convolution('conv2d', input, weight, null, { window, crop: [0, 0] }, groups);
  if (!blocks || (out.shape[2] === blocks[0] && out.shape[3] === blocks[1])) return out;
  return out.narrow(2, 0, blocks[0]).narrow(3, 0, blocks[1]);
}
