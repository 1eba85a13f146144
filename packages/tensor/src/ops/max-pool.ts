import type { Window2d } from '../backend.js';
import { dispatch } from '../dispatch.js';
import { KindlingError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { batched, checkFloatingInput, hostTensor, unbatch, windowsOf } from './pool-windows.js';
import { backendOf, disposeTemps, fromHandle } from './util.js';
import { type Pair, type WindowOptions, checkImage, parseWindow, windowOutput } from './window-args.js';
import { declareFusedUse } from '../fused-use.js';

declareFusedUse('maxPool2d');

/** Options of `maxPool2d` (PyTorch's `stride` defaults to the kernel size). */
export interface MaxPool2dOptions extends WindowOptions {
  /** Round the output size up, adding a last window that starts inside the image (default false). */
  ceilMode?: boolean;
}

/** Throws PyTorch's "pad should be at most half of kernel size" with both pairs named. */
export function checkHalfKernelPadding(op: string, window: Window2d): void {
  if (window.padding.some((p, d) => p > window.kernel[d] / 2)) {
    throw new KindlingError(
      `${op}: padding should be at most half of kernelSize, got padding ${fmtShape(window.padding)} and kernelSize ${fmtShape(window.kernel)}`,
    );
  }
}

/**
 * `torch.nn.functional.max_pool2d`: the maximum of each window of a
 * `[N, C, H, W]` (or `[C, H, W]`) floating input; padding counts as -inf and
 * a NaN in a window wins.
 */
export function maxPool2d(input: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}): Tensor {
  const [values, indices] = maxPoolCall(input, kernelSize, options, false);
  // Unless autograd recorded the call (and saved the indices for backward), nobody else holds them.
  if (indices && !values.gradFn) indices.dispose();
  return values;
}

/**
 * `max_pool2d(..., return_indices=True)`: the pooled values and, as int32,
 * where each came from: the flat index `h * W + w` in its input plane (the
 * first maximum of the window, or its NaN), as `max_unpool2d` expects.
 */
export function maxPool2dWithIndices(input: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}): [values: Tensor, indices: Tensor] {
  const [values, indices] = maxPoolCall(input, kernelSize, options, true);
  return [values, indices as Tensor];
}

function maxPoolCall(x: Tensor, kernelSize: Pair, options: MaxPool2dOptions, withIndices: boolean): [Tensor, Tensor | null] {
  const op = 'maxPool2d';
  checkImage(op, x, true);
  checkFloatingInput(op, x);
  const window = parseWindow(op, kernelSize, options, kernelSize);
  checkHalfKernelPadding(op, window);
  const ceilMode = options.ceilMode ?? false;
  const size: [number, number] = [x.shape[x.ndim - 2], x.shape[x.ndim - 1]];
  const out = windowOutput(op, size, window, ceilMode);
  if (x.shape.slice(0, -2).some((d) => d === 0)) {
    throw new ShapeError(`${op}: expected a non-empty input, got shape ${fmtShape(x.shape)}`);
  }
  // Indices are only worth computing when asked for or when autograd may record the call.
  const needIndices = withIndices || x.requiresGrad;
  const result = dispatch(op, [x], { window, ceilMode }, () => {
    const x4 = batched(x);
    const [values, indices] = maxPoolLowered(x4, window, out, ceilMode, needIndices);
    disposeTemps([x4], [x]);
    const v = unbatch(values, x.ndim === 3);
    return indices ? [v, unbatch(indices, x.ndim === 3)] : [v];
  });
  return [result[0], result[1] ?? null];
}

/** Values (and indices) of max pooling a 4-D `x`, by the fused kernel or the lowering. */
function maxPoolLowered(
  x: Tensor,
  window: Window2d,
  out: readonly [number, number],
  ceilMode: boolean,
  needIndices: boolean,
): [Tensor, Tensor | null] {
  const b = backendOf(x);
  const shape = [x.shape[0], x.shape[1], out[0], out[1]];
  const fused = b.fused?.maxPool2d?.call(b.fused, x.view_(), window, ceilMode);
  if (fused) {
    const indices = fromHandle(b, fused[1], 'int32', shape);
    if (needIndices) return [fromHandle(b, fused[0], x.dtype, shape), indices];
    indices.dispose();
    return [fromHandle(b, fused[0], x.dtype, shape), null];
  }
  const { windows, buffer } = windowsOf(x, window, out, Number.NEGATIVE_INFINITY);
  if (!needIndices) {
    const values = fromHandle(b, b.reduce('max', windows, [4, 5], x.dtype), x.dtype, shape);
    buffer?.dispose();
    return [values, null];
  }
  // argReduce takes one axis: the windows are copied out as [..., kh*kw] rows first.
  const k = window.kernel[0] * window.kernel[1];
  const rows = fromHandle(b, b.cast(windows, x.dtype), x.dtype, [...shape, k]);
  buffer?.dispose();
  const values = fromHandle(b, b.reduce('max', rows.view_(), [4], x.dtype), x.dtype, shape);
  const local = fromHandle(b, b.argReduce('argmax', rows.view_(), 4), 'int32', [...shape, 1]);
  rows.dispose();
  // The window-local argmax becomes a flat input index through a table of every window's
  // positions, shared by the batch and channels (stride 0).
  const table = positionTable(b, x.shape[3], window, out);
  const tableView = { ...table.view_(), shape: [...shape, k], strides: [0, 0, out[1] * k, k, 1] };
  const indices = fromHandle(b, b.gather(tableView, 4, local.view_()), 'int32', shape);
  disposeTemps([local, table], []);
  return [values, indices];
}

/** `table[oh, ow, i*kw + j]` = the flat input index `h*W + w` of tap `(i, j)` of window `(oh, ow)` (padding taps never win). */
function positionTable(b: Parameters<typeof hostTensor>[0], width: number, window: Window2d, out: readonly [number, number]): Tensor {
  const { kernel, stride, padding, dilation } = window;
  const k = kernel[0] * kernel[1];
  const values = new Int32Array(out[0] * out[1] * k);
  let at = 0;
  for (let oh = 0; oh < out[0]; oh++) {
    for (let ow = 0; ow < out[1]; ow++) {
      for (let i = 0; i < kernel[0]; i++) {
        for (let j = 0; j < kernel[1]; j++) {
          const h = oh * stride[0] - padding[0] + i * dilation[0];
          const w = ow * stride[1] - padding[1] + j * dilation[1];
          values[at++] = h * width + w;
        }
      }
    }
  }
  return hostTensor(b, 'int32', values, [out[0], out[1], k]);
}

/**
 * The gradient of max pooling: `grad` `[..., outH, outW]` summed into zeros
 * of the input's `shape` at the flat `indices` `maxPool2dWithIndices` gave.
 */
export function maxPool2dBackward(grad: Tensor, indices: Tensor, shape: readonly number[]): Tensor {
  return dispatch('maxPool2dBackward', [grad, indices], {}, () => {
    const b = backendOf(grad);
    const lead = shape.slice(0, -2);
    const plane = shape[shape.length - 2] * shape[shape.length - 1];
    const g = grad.reshape([...lead, -1]);
    const idx = indices.reshape([...lead, -1]);
    const out = fromHandle(
      b,
      b.alloc(
        grad.dtype,
        lead.reduce((a, d) => a * d, plane),
      ),
      grad.dtype,
      [...lead, plane],
    );
    b.scatterAdd(out.view_(), lead.length, idx.view_(), g.view_());
    disposeTemps([g, idx], [grad, indices]);
    const shaped = out.reshape(shape);
    if (shaped !== out) out.dispose();
    return shaped;
  });
}
