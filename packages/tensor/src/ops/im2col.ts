import { type View, type Window2d, windowOutputSize } from '../backend.js';
import { isFloating } from '../dtype.js';
import { dispatch } from '../dispatch.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { numel } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { backendOf, disposeTemps, fromHandle } from './util.js';
import { squeeze, unsqueeze } from './views.js';
import { type Pair, type WindowOptions, parseWindow } from './window-args.js';
import { declareFusedUse } from '../fused-use.js';

declareFusedUse('im2col');

/**
 * The `[outH, outW]` grid of sliding blocks over an `[H, W]` image, refusing
 * an empty grid with PyTorch's message.
 */
export function slidingBlocks(op: string, size: readonly number[], window: Window2d): [number, number] {
  const out = [0, 1].map(
    (d) => Math.floor((size[d] + 2 * window.padding[d] - window.dilation[d] * (window.kernel[d] - 1) - 1) / window.stride[d]) + 1,
  ) as [number, number];
  if (out[0] < 1 || out[1] < 1) {
    const p = (v: readonly number[]) => `(${v[0]}, ${v[1]})`;
    throw new ShapeError(
      `${op}: given input with spatial size ${p(size)}, kernelSize=${p(window.kernel)}, dilation=${p(window.dilation)}, ` +
        `padding=${p(window.padding)}, calculated shape of the array of sliding blocks as ${p(out)}, but its components must be at least one`,
    );
  }
  return out;
}

/**
 * Whether the window over `size` gives exactly the `blocks` grid. A transposed
 * convolution's output padding can add a row no window reaches; fused
 * kernels, which derive the grid from the sizes, are not asked then.
 */
export function fillsGrid(size: readonly number[], window: Window2d, blocks: readonly number[]): boolean {
  return [0, 1].every(
    (d) => windowOutputSize(size[d], window.kernel[d], window.stride[d], window.padding[d], window.dilation[d]) === blocks[d],
  );
}

/** Zero-filled contiguous tensor of `shape` on `like`'s backend. */
export function zerosOn(like: Tensor, shape: readonly number[], dtype = like.dtype): Tensor {
  const b = backendOf(like);
  return fromHandle(b, b.alloc(dtype, numel(shape)), dtype, shape);
}

/**
 * `x` `[N, C, H, W]` as a view with its zero padding made real (a padded copy),
 * or `x`'s own view when there is no padding. Returns the view and the
 * temporary to dispose.
 */
function paddedView(x: Tensor, padding: readonly [number, number]): [View, Tensor | null] {
  if (padding[0] === 0 && padding[1] === 0) return [x.view_(), null];
  const [n, c, h, w] = x.shape;
  const [ph, pw] = padding;
  const padded = zerosOn(x, [n, c, h + 2 * ph, w + 2 * pw]);
  const v = padded.view_();
  const [sN, sC, sH] = v.strides;
  backendOf(x).assign({ ...v, shape: x.shape, offset: ph * sH + pw }, x.view_());
  return [{ ...v, strides: [sN, sC, sH, 1] }, padded];
}

/**
 * im2col of a 4-D `x`: `[N, C*kh*kw, outH*outW]` (`layout` `'batch'`), or
 * `[C*kh*kw, N*outH*outW]` (`'channels'`, what a weight gradient multiplies
 * by). `blocks` is the `[outH, outW]` grid, which may be smaller than the
 * window gives (a transposed convolution's output padding). Uses the
 * backend's fused kernel when it takes the case; otherwise one strided copy
 * of (the zero-padded) `x`: the six dims `[N, C, kh, kw, outH, outW]` are a
 * view whose strides step by dilation and stride.
 */
export function im2colKernel(
  x: Tensor,
  window: Window2d,
  blocks: readonly [number, number],
  layout: 'batch' | 'channels' = 'batch',
): Tensor {
  const [n, c] = x.shape;
  const [kh, kw] = window.kernel;
  const rows = c * kh * kw;
  const l = blocks[0] * blocks[1];
  const shape = layout === 'batch' ? [n, rows, l] : [rows, n * l];
  if (numel(shape) === 0) return zerosOn(x, shape);
  const b = backendOf(x);
  if (layout === 'batch' && fillsGrid(x.shape.slice(2), window, blocks)) {
    const handle = b.fused?.im2col?.(x.view_(), window) ?? null;
    if (handle !== null) return fromHandle(b, handle, x.dtype, shape);
  }
  const [src, temp] = paddedView(x, window.padding);
  const [sN, sC, sH, sW] = src.strides;
  const [dh, dw] = window.dilation;
  const [strideH, strideW] = window.stride;
  const dims = [n, c, kh, kw, blocks[0], blocks[1]];
  const strides = [sN, sC, sH * dh, sW * dw, sH * strideH, sW * strideW];
  const order = layout === 'batch' ? [0, 1, 2, 3, 4, 5] : [1, 2, 3, 0, 4, 5];
  const blocksView: View = { ...src, shape: order.map((d) => dims[d]), strides: order.map((d) => strides[d]) };
  const out = fromHandle(b, b.cast(blocksView, x.dtype), x.dtype, shape);
  temp?.dispose();
  return out;
}

/** Throws unless `x` is a floating tensor of one of the ranks an op takes. */
export function checkFloatRank(op: string, x: Tensor, ranks: readonly number[], want: string): void {
  x.assertAlive(op);
  if (!ranks.includes(x.ndim)) throw new ShapeError(`${op}: expected ${want} input, got shape ${fmtShape(x.shape)}`);
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: expected a floating-point input, got ${x.dtype}`);
}

/**
 * `torch.nn.functional.unfold` (im2col): the sliding `kernelSize` blocks of an
 * `[N, C, H, W]` (or unbatched `[C, H, W]`) image as columns,
 * `[N, C*kh*kw, L]` with `L` the number of blocks. Row `c*kh*kw + i*kw + j`
 * holds kernel offset `(i, j)` of channel `c`; padding reads as zero.
 */
export function unfold(input: Tensor, kernelSize: Pair, options: WindowOptions = {}): Tensor {
  checkFloatRank('unfold', input, [3, 4], 'a 3-D [C, H, W] or 4-D [N, C, H, W]');
  const window = parseWindow('unfold', kernelSize, options);
  const size = input.shape.slice(-2);
  const blocks = slidingBlocks('unfold', size, window);
  return dispatch('im2col', [input], { window, size }, () => {
    if (input.ndim === 4) return im2colKernel(input, window, blocks);
    const x4 = unsqueeze(input, 0);
    const cols = im2colKernel(x4, window, blocks);
    const out = squeeze(cols, 0);
    disposeTemps([x4, cols], [out]);
    return out;
  });
}
