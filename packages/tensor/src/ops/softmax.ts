import { isFloating } from '../dtype.js';
import { dispatch } from '../dispatch.js';
import { normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { div, exp, log, sub } from './elementwise.js';
import { amax, sum } from './reduce.js';
import { backendOf, castTo, disposeTemps, fromHandle } from './util.js';

/**
 * Softmax or log-softmax along `dim`, shifted by the maximum so large logits
 * neither overflow nor lose precision. Integer inputs compute in float32.
 */
function softmaxImpl(name: 'softmax' | 'logSoftmax', x: Tensor, dim: number): Tensor {
  x.assertAlive(name);
  const d = normalizeDim(name, dim, Math.max(x.ndim, 1));
  return dispatch(name, [x], { dim: d }, () => {
    const input = isFloating(x.dtype) ? x : castTo(x, 'float32');
    const b = backendOf(input);
    const log_ = name === 'logSoftmax';
    if (b.fused?.softmax && x.ndim > 0) {
      const out = fromHandle(b, b.fused.softmax(input.view_(), d, log_), input.dtype, x.shape);
      disposeTemps([input], [x]);
      return out;
    }
    const m = x.ndim === 0 ? input : amax(input, d, true);
    const shifted = sub(input, m);
    const e = exp(shifted);
    const s = x.ndim === 0 ? e : sum(e, d, true);
    let out: Tensor;
    if (log_) {
      const ls = log(s);
      out = sub(shifted, ls);
      ls.dispose();
    } else {
      out = div(e, s);
    }
    disposeTemps([input, m, shifted, e, s], [x, out]);
    return out;
  });
}

export const softmax = (x: Tensor, dim: number): Tensor => softmaxImpl('softmax', x, dim);
export const logSoftmax = (x: Tensor, dim: number): Tensor => softmaxImpl('logSoftmax', x, dim);
