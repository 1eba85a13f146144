import type { Window2d } from '../backend.js';
import { dispatch } from '../dispatch.js';
import { ShapeError, fmtShape } from '../errors.js';
import { contiguousStrides } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkFloatRank, fillsGrid, slidingBlocks, zerosOn } from './im2col.js';
import { backendOf, castTo, disposeTemps, fromHandle } from './util.js';
import { squeeze, unsqueeze } from './views.js';
import { type Pair, type WindowOptions, pair, parseWindow } from './window-args.js';
import { declareFusedUse } from '../fused-use.js';

declareFusedUse('col2im');

/** Where each column entry lands in an `H*W` plane, per geometry (training repeats the same few). */
const targetCache = new Map<string, { index: Int32Array; dropped: boolean }>();

/**
 * For column entry `(i*kw + j)*L + oh*outW + ow`, its pixel `h*W + w` in the
 * image, or `H*W` (a slot thrown away) when it falls in the padding.
 */
function targets(
  size: readonly [number, number],
  window: Window2d,
  blocks: readonly [number, number],
): { index: Int32Array; dropped: boolean } {
  const key = JSON.stringify([size, window, blocks]);
  const hit = targetCache.get(key);
  if (hit) return hit;
  const [h, w] = size;
  const [kh, kw] = window.kernel;
  const [oh, ow] = blocks;
  const index = new Int32Array(kh * kw * oh * ow);
  let dropped = false;
  let at = 0;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let r = 0; r < oh; r++) {
        const y = r * window.stride[0] - window.padding[0] + i * window.dilation[0];
        for (let c = 0; c < ow; c++) {
          const x = c * window.stride[1] - window.padding[1] + j * window.dilation[1];
          const inside = y >= 0 && y < h && x >= 0 && x < w;
          dropped ||= !inside;
          index[at++] = inside ? y * w + x : h * w;
        }
      }
    }
  }
  if (targetCache.size >= 64) targetCache.delete(targetCache.keys().next().value as string);
  const entry = { index, dropped };
  targetCache.set(key, entry);
  return entry;
}

/**
 * col2im: `cols` `[N, C*kh*kw, outH*outW]` summed back into a zero
 * `[N, C, H, W]` image of `size` (the adjoint of `im2colKernel`); `blocks`
 * is the `[outH, outW]` grid the columns hold. Uses the backend's fused
 * kernel when it takes the case; otherwise one `scatterAdd` per call, every
 * entry to its pixel (padding entries to one extra slot that is cut off).
 * float16 sums in float32 and rounds once.
 */
export function col2imKernel(cols: Tensor, size: readonly [number, number], window: Window2d, blocks: readonly [number, number]): Tensor {
  const [n, rows] = cols.shape;
  const k = window.kernel[0] * window.kernel[1];
  const c = rows / k;
  const [h, w] = size;
  const shape = [n, c, h, w];
  if (n * c * h * w === 0) return zerosOn(cols, shape);
  const b = backendOf(cols);
  if (fillsGrid(size, window, blocks)) {
    const handle = b.fused?.col2im?.(cols.view_(), size, window) ?? null;
    if (handle !== null) return fromHandle(b, handle, cols.dtype, shape);
  }
  if (cols.dtype === 'float16') {
    const wide = castTo(cols, 'float32');
    const sum = col2imKernel(wide, size, window, blocks);
    const out = castTo(sum, 'float16');
    disposeTemps([wide, sum], [out]);
    return out;
  }
  const l = blocks[0] * blocks[1];
  // The scatter reads the columns as [N, C, kh*kw*L], which needs rows and blocks to merge.
  const dense = cols.strides[1] === l * cols.strides[2] ? cols : fromHandle(b, b.cast(cols.view_(), cols.dtype), cols.dtype, cols.shape);
  const { index, dropped } = targets(size, window, blocks);
  const plane = h * w + (dropped ? 1 : 0);
  const sums = zerosOn(cols, [n, c, plane]);
  const idx = fromHandle(b, b.upload('int32', index), 'int32', [index.length]);
  const src = dense.view_();
  const scatterShape = [n, c, k * l];
  b.scatterAdd(
    sums.view_(),
    2,
    { ...idx.view_(), shape: scatterShape, strides: [0, 0, 1] },
    { ...src, shape: scatterShape, strides: [src.strides[0], src.strides[1] * k, src.strides[2]] },
  );
  const out = dropped
    ? fromHandle(b, b.cast({ ...sums.view_(), shape, strides: [c * plane, plane, w, 1] }, cols.dtype), cols.dtype, shape)
    : new Tensor(sums.storage, shape, contiguousStrides(shape), 0);
  disposeTemps([idx, sums, dense], [cols]);
  return out;
}

/**
 * `torch.nn.functional.fold` (col2im), the adjoint of {@link unfold}: the
 * columns of `input` `[N, C*kh*kw, L]` (or unbatched `[C*kh*kw, L]`) are
 * summed into an `[N, C, ...outputSize]` image, overlapping blocks adding up
 * and entries in the padding dropped.
 */
export function fold(input: Tensor, outputSize: Pair, kernelSize: Pair, options: WindowOptions = {}): Tensor {
  checkFloatRank('fold', input, [2, 3], 'a 2-D [C*kh*kw, L] or 3-D [N, C*kh*kw, L]');
  const size = pair('fold', 'outputSize', outputSize, 1);
  const window = parseWindow('fold', kernelSize, options);
  const [kh, kw] = window.kernel;
  const rows = input.shape[input.ndim - 2];
  const l = input.shape[input.ndim - 1];
  if (rows % (kh * kw) !== 0) {
    throw new ShapeError(
      `fold: expected size of input's dimension ${input.ndim - 2} to be divisible by the product of kernelSize, ` +
        `but got input.size(${input.ndim - 2})=${rows} and kernelSize=(${kh}, ${kw}) (input ${fmtShape(input.shape)})`,
    );
  }
  const blocks = slidingBlocks('fold', size, window);
  if (blocks[0] * blocks[1] !== l) {
    throw new ShapeError(
      `fold: given outputSize=(${size[0]}, ${size[1]}), kernelSize=(${kh}, ${kw}), dilation=(${window.dilation.join(', ')}), ` +
        `padding=(${window.padding.join(', ')}), stride=(${window.stride.join(', ')}), expected size of input's dimension ${input.ndim - 1} ` +
        `to match the calculated number of sliding blocks ${blocks[0]} * ${blocks[1]} = ${blocks[0] * blocks[1]}, but got input.size(${input.ndim - 1})=${l}`,
    );
  }
  return dispatch('col2im', [input], { window, size }, () => {
    if (input.ndim === 3) return col2imKernel(input, size, window, blocks);
    const cols = unsqueeze(input, 0);
    const image = col2imKernel(cols, size, window, blocks);
    const out = squeeze(image, 0);
    disposeTemps([cols, image], [out]);
    return out;
  });
}
