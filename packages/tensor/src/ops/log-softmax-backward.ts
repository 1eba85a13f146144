import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { dispatch } from '../dispatch.js';
import { normalizeDim, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { exp, mul, sub } from './elementwise.js';
import { sum } from './reduce.js';
import { checkSameDevice, disposeTemps, fromHandle } from './util.js';

/**
 * The gradient of `logSoftmax(x, dim)` from its output `y`: `grad - exp(y) *
 * sum(grad, dim)` (PyTorch's `_log_softmax_backward_data`). One pass with a
 * backend's fused kernel along the last dim; elsewhere `exp`, `sum`, `mul`,
 * `sub`. Not differentiable itself: autograd's rule calls it only when no
 * graph is being built, and the four ops otherwise.
 */
export function logSoftmaxBackward(grad: Tensor, output: Tensor, dim: number): Tensor {
  const backend = checkSameDevice('logSoftmaxBackward', [grad, output]);
  if (!shapesEqual(grad.shape, output.shape)) {
    throw new ShapeError(`logSoftmaxBackward: grad ${fmtShape(grad.shape)} and output ${fmtShape(output.shape)} must have the same shape`);
  }
  if (grad.dtype !== output.dtype) {
    throw new DTypeError(`logSoftmaxBackward: grad and output must have the same dtype, got ${grad.dtype} and ${output.dtype}`);
  }
  const d = normalizeDim('logSoftmaxBackward', dim, Math.max(grad.ndim, 1));
  return dispatch('logSoftmaxBackward', [grad, output], { dim: d }, () => {
    const fused = backend.fused?.logSoftmaxBackward;
    if (fused && grad.ndim > 0 && d === grad.ndim - 1) {
      const handle = fused.call(backend.fused, grad.view_(), output.view_());
      if (handle) return fromHandle(backend, handle, grad.dtype, grad.shape);
    }
    const e = exp(output);
    const s = sum(grad, d, true);
    const scaled = mul(e, s);
    const out = sub(grad, scaled);
    disposeTemps([e, s, scaled], [out]);
    return out;
  });
}
