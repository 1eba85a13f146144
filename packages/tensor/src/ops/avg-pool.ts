import type { Window2d } from '../backend.js';
import { dispatch } from '../dispatch.js';
import { KindlingError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { col2imKernel } from './col2im.js';
import { div } from './elementwise.js';
import { checkHalfKernelPadding } from './max-pool.js';
import { accumulateDType, batched, checkFloatingInput, hostTensor, unbatch, windowsOf } from './pool-windows.js';
import { backendOf, castTo, disposeTemps, fromHandle } from './util.js';
import { type Pair, checkImage, pair, windowOutput } from './window-args.js';
import { declareFusedUse } from '../fused-use.js';

declareFusedUse('avgPool2d');

/** Options of `avgPool2d` (PyTorch's `stride` defaults to the kernel size; there is no dilation). */
export interface AvgPool2dOptions {
  stride?: Pair;
  padding?: Pair;
  /** Round the output size up, adding a last window that starts inside the image (default false). */
  ceilMode?: boolean;
  /** Whether the zero padding counts in a window's size (default true). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead of its size. */
  divisorOverride?: number | null;
}

/** The checked arguments of an `avgPool2d` call, as its gradient needs them. */
export interface AvgPoolArgs {
  window: Window2d;
  ceilMode: boolean;
  countIncludePad: boolean;
  divisor: number | null;
}

/**
 * `torch.nn.functional.avg_pool2d`: the mean of each window of a
 * `[N, C, H, W]` (or `[C, H, W]`) floating input. A window's divisor is its
 * size within the padded image (`ceilMode`'s extra windows are clipped to
 * it), or only its part inside the image with `countIncludePad: false`, or
 * `divisorOverride`. float16 sums in float32 and rounds once.
 */
export function avgPool2d(input: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}): Tensor {
  const op = 'avgPool2d';
  checkImage(op, input, true);
  checkFloatingInput(op, input);
  const window: Window2d = {
    kernel: pair(op, 'kernelSize', kernelSize, 1),
    stride: pair(op, 'stride', options.stride ?? kernelSize, 1),
    padding: pair(op, 'padding', options.padding ?? 0, 0),
    dilation: [1, 1],
  };
  checkHalfKernelPadding(op, window);
  const divisor = options.divisorOverride ?? null;
  if (divisor !== null && (!Number.isInteger(divisor) || divisor === 0)) {
    throw new KindlingError(`${op}: divisorOverride must be a non-zero integer, got ${divisor}`);
  }
  const ceilMode = options.ceilMode ?? false;
  const args: AvgPoolArgs = { window, ceilMode, countIncludePad: options.countIncludePad ?? true, divisor };
  const size: [number, number] = [input.shape[input.ndim - 2], input.shape[input.ndim - 1]];
  const out = windowOutput(op, size, window, ceilMode);
  if (input.shape.slice(0, -2).some((d) => d === 0)) {
    throw new ShapeError(`${op}: expected a non-empty input, got shape ${fmtShape(input.shape)}`);
  }
  return dispatch(op, [input], { ...args }, () => {
    const x = batched(input);
    const b = backendOf(x);
    const shape = [x.shape[0], x.shape[1], out[0], out[1]];
    const fused = b.fused?.avgPool2d?.call(b.fused, x.view_(), window, ceilMode, args.countIncludePad, divisor);
    if (fused) {
      const result = fromHandle(b, fused, x.dtype, shape);
      disposeTemps([x], [input]);
      return unbatch(result, input.ndim === 3);
    }
    const wide = accumulateDType(x.dtype);
    const { windows, buffer } = windowsOf(x, window, out, 0, wide);
    const sums = fromHandle(b, b.reduce('sum', windows, [4, 5], wide), wide, shape);
    const divisors = hostTensor(b, wide, divisorTable(size, out, args), out);
    const mean = div(sums, divisors);
    const result = castTo(mean, x.dtype);
    disposeTemps([x, sums, divisors, mean, ...(buffer ? [buffer] : [])], [input, result]);
    return unbatch(result, input.ndim === 3);
  });
}

/** What each window's sum is divided by, as PyTorch's kernel computes it: `[outH, outW]`. */
function divisorTable(size: readonly [number, number], out: readonly [number, number], args: AvgPoolArgs): Float64Array {
  const { kernel, stride, padding } = args.window;
  // Per dim: the window's length clipped to the padded image, and clipped to the image itself.
  const lengths = [0, 1].map((d) =>
    Array.from({ length: out[d] }, (_, o) => {
      const start = o * stride[d] - padding[d];
      const end = Math.min(start + kernel[d], size[d] + padding[d]);
      return [end - start, Math.min(end, size[d]) - Math.max(start, 0)];
    }),
  );
  const table = new Float64Array(out[0] * out[1]);
  for (let oh = 0; oh < out[0]; oh++) {
    for (let ow = 0; ow < out[1]; ow++) {
      const [rowPadded, rowInside] = lengths[0][oh];
      const [colPadded, colInside] = lengths[1][ow];
      table[oh * out[1] + ow] = args.divisor ?? (args.countIncludePad ? rowPadded * colPadded : rowInside * colInside);
    }
  }
  return table;
}

/**
 * The gradient of `avgPool2d` for an input of `shape`: each window's
 * gradient divided by its divisor and summed back over the window, i.e.
 * col2im (the adjoint of the window view) of the shares repeated over the
 * kernel taps, so backends with a fused col2im do it in one kernel.
 */
export function avgPool2dBackward(grad: Tensor, shape: readonly number[], args: AvgPoolArgs): Tensor {
  return dispatch('avgPool2dBackward', [grad], {}, () => {
    const g = batched(grad);
    const b = backendOf(g);
    const [n, c, oh, ow] = g.shape;
    const [h, w] = shape.slice(-2);
    const taps = args.window.kernel[0] * args.window.kernel[1];
    const wide = accumulateDType(g.dtype);
    const divisors = hostTensor(b, wide, divisorTable([h, w], [oh, ow], args), [oh, ow]);
    const share = div(g, divisors);
    const perTap = share.reshape([n, c, 1, oh * ow]).expand([n, c, taps, oh * ow]);
    const cols = perTap.reshape([n, c * taps, oh * ow]);
    const image = col2imKernel(cols, [h, w], args.window, [oh, ow]);
    const result = castTo(image, grad.dtype);
    disposeTemps([g, divisors, share, perTap, cols, image], [grad, result]);
    return unbatch(result, shape.length === 3);
  });
}
