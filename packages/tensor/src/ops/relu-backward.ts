import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { dispatch } from '../dispatch.js';
import { shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { le, where } from './elementwise.js';
import { checkSameDevice, disposeTemps, fromHandle } from './util.js';

/**
 * The gradient of `relu` from its output (PyTorch's `threshold_backward`
 * with threshold 0): `grad` where `output > 0`, zero where `output <= 0`, and
 * `grad` where the output is NaN. `grad` and `output` share shape and a
 * floating dtype. One pass with a backend's fused kernel; elsewhere a
 * comparison and a `where`.
 */
export function reluBackward(grad: Tensor, output: Tensor): Tensor {
  const backend = checkSameDevice('reluBackward', [grad, output]);
  if (!shapesEqual(grad.shape, output.shape)) {
    throw new ShapeError(`reluBackward: grad ${fmtShape(grad.shape)} and output ${fmtShape(output.shape)} must have the same shape`);
  }
  if (grad.dtype !== output.dtype) {
    throw new DTypeError(`reluBackward: grad and output must have the same dtype, got ${grad.dtype} and ${output.dtype}`);
  }
  return dispatch('reluBackward', [grad, output], {}, () => {
    const fused = backend.fused?.reluBackward;
    if (fused) return fromHandle(backend, fused.call(backend.fused, grad.view_(), output.view_()), grad.dtype, grad.shape);
    const off = le(output, 0);
    const out = where(off, 0, grad);
    disposeTemps([off], [out]);
    return out;
  });
}
