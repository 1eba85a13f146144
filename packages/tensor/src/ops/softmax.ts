import { type DType, isFloating } from '../dtype.js';
import { dispatch } from '../dispatch.js';
import { normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { div, exp, log, sub } from './elementwise.js';
import { amax, sum } from './reduce.js';
import { backendOf, castTo, disposeTemps, fromHandle } from './util.js';

/**
 * The dtype a softmax lowering computes in: float32 and float64 their own;
 * float16, like PyTorch's half kernels, in float32, rounding once at the
 * end (rounding after each of max, exp, sum and div would drift by a few
 * half ulps); integer and bool inputs in float32, which is also their result.
 */
function computeDType(dtype: DType): DType {
  return dtype === 'float64' ? 'float64' : 'float32';
}

/**
 * Softmax or log-softmax along `dim`, shifted by the maximum so large logits
 * neither overflow nor lose precision. A fused kernel takes floating inputs
 * as they are (and must equal this lowering); the lowering computes in
 * `computeDType` and returns the input's dtype, float32 for integer inputs.
 */
function softmaxImpl(name: 'softmax' | 'logSoftmax', x: Tensor, dim: number): Tensor {
  x.assertAlive(name);
  const d = normalizeDim(name, dim, Math.max(x.ndim, 1));
  return dispatch(name, [x], { dim: d }, () => {
    const log_ = name === 'logSoftmax';
    const b = backendOf(x);
    if (b.fused?.softmax && x.ndim > 0) {
      const floating = isFloating(x.dtype) ? x : castTo(x, 'float32');
      const out = fromHandle(b, b.fused.softmax(floating.view_(), d, log_), floating.dtype, x.shape);
      disposeTemps([floating], [x]);
      return out;
    }
    const input = castTo(x, computeDType(x.dtype));
    const m = x.ndim === 0 ? input : amax(input, d, true);
    const shifted = sub(input, m);
    const e = exp(shifted);
    const s = x.ndim === 0 ? e : sum(e, d, true);
    let wide: Tensor;
    if (log_) {
      const ls = log(s);
      wide = sub(shifted, ls);
      ls.dispose();
    } else {
      wide = div(e, s);
    }
    const out = isFloating(x.dtype) ? castTo(wide, x.dtype) : wide;
    disposeTemps([input, m, shifted, e, s, wide], [x, out]);
    return out;
  });
}

export const softmax = (x: Tensor, dim: number): Tensor => softmaxImpl('softmax', x, dim);
export const logSoftmax = (x: Tensor, dim: number): Tensor => softmaxImpl('logSoftmax', x, dim);
