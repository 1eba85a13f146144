import type { Backend, View } from '../backend.js';
import type { DType } from '../dtype.js';
import { dispatch } from '../dispatch.js';
import { KindlingError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { contiguousStrides } from '../shape.js';
import { type AvgPoolArgs, avgPool2dBackward } from './avg-pool.js';
import { div } from './elementwise.js';
import { accumulateDType, batched, checkFloatingInput, hostTensor, indexAlong, unbatch, windowsOf } from './pool-windows.js';
import { backendOf, castTo, disposeTemps, fromHandle } from './util.js';
import { checkImage } from './window-args.js';

/** An output size of adaptive pooling: a number, or `[h, w]` where null keeps that input size. */
export type AdaptiveSize = number | null | readonly [number | null, number | null];

/** PyTorch's window of output `i` of `out` over `size`: `[floor(i*size/out), ceil((i+1)*size/out))`. */
function bounds(i: number, size: number, out: number): [number, number] {
  return [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)];
}

function outputSizeOf(outputSize: AdaptiveSize, size: readonly [number, number]): [number, number] {
  const raw = Array.isArray(outputSize) ? outputSize : [outputSize, outputSize];
  const out = [0, 1].map((d) => raw[d] ?? size[d]) as [number, number];
  if (raw.length !== 2 || !out.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new KindlingError(
      `adaptiveAvgPool2d: outputSize must be an integer ≥ 0 (or null) or a pair of them, got ${JSON.stringify(outputSize)}`,
    );
  }
  return out;
}

/**
 * `torch.nn.functional.adaptive_avg_pool2d`: the mean over PyTorch's
 * adaptive windows of a `[N, C, H, W]` (or `[C, H, W]`) floating input,
 * giving `[..., outH, outW]` whatever the input size.
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  const op = 'adaptiveAvgPool2d';
  checkImage(op, input, true);
  checkFloatingInput(op, input);
  const size: [number, number] = [input.shape[input.ndim - 2], input.shape[input.ndim - 1]];
  const out = outputSizeOf(outputSize, size);
  if (input.shape.slice(1).some((d) => d === 0)) {
    throw new ShapeError(`${op}: expected an input with non-zero sizes except the batch, got shape ${fmtShape(input.shape)}`);
  }
  return dispatch(op, [input], { outputSize: out }, () => {
    const x = batched(input);
    const b = backendOf(x);
    const wide = accumulateDType(x.dtype);
    const shape = [x.shape[0], x.shape[1], out[0], out[1]];
    if (out[0] === 0 || out[1] === 0) {
      const empty = fromHandle(b, b.alloc(x.dtype, 0), x.dtype, shape);
      disposeTemps([x], [input]);
      return unbatch(empty, input.ndim === 3);
    }
    let mean: Tensor;
    const uniform = uniformWindow(size, out);
    if (uniform) {
      // Equal windows tiling the image: an average pool of one strided view.
      const { windows, buffer } = windowsOf(x, uniform.window, out, 0, wide);
      const sums = fromHandle(b, b.reduce('sum', windows, [4, 5], wide), wide, shape);
      mean = div(sums, uniform.count);
      disposeTemps([sums, ...(buffer ? [buffer] : [])], []);
    } else {
      mean = separableMean(b, x, size, out, wide);
    }
    const result = castTo(mean, x.dtype);
    disposeTemps([x, mean], [input, result]);
    return unbatch(result, input.ndim === 3);
  });
}

/** The pooling window when every adaptive window has one size and they tile the image (e.g. global pooling). */
function uniformWindow(
  size: readonly [number, number],
  out: readonly [number, number],
): { window: AvgPoolArgs['window']; count: number } | null {
  if (out[0] === 0 || out[1] === 0 || size[0] % out[0] !== 0 || size[1] % out[1] !== 0) return null;
  const kernel: [number, number] = [size[0] / out[0], size[1] / out[1]];
  return { window: { kernel, stride: kernel, padding: [0, 0], dilation: [1, 1] }, count: kernel[0] * kernel[1] };
}

/**
 * The index table of one dim: `[out * len]` where `len` is the longest
 * window; row `i` lists window `i`'s positions, then `size` (a zero row or
 * column appended to the image) for the taps a shorter window lacks.
 */
function tapTable(size: number, out: number): { taps: Int32Array; len: number; counts: number[] } {
  let len = 0;
  const counts: number[] = [];
  for (let i = 0; i < out; i++) {
    const [start, end] = bounds(i, size, out);
    counts.push(end - start);
    len = Math.max(len, end - start);
  }
  const taps = new Int32Array(out * len);
  for (let i = 0; i < out; i++) {
    const start = bounds(i, size, out)[0];
    for (let k = 0; k < len; k++) taps[i * len + k] = k < counts[i] ? start + k : size;
  }
  return { taps, len, counts };
}

/** `x` `[..., size, ...]` (dim `dim`) copied into zeros one longer along it: the row that missing taps read. */
function withZeroSlot(b: Backend, x: Tensor, dim: number, dtype: DType): Tensor {
  const shape = x.shape.map((s, d) => (d === dim ? s + 1 : s));
  const out = fromHandle(
    b,
    b.alloc(
      dtype,
      shape.reduce((a, s) => a * s, 1),
    ),
    dtype,
    shape,
  );
  b.assign({ ...out.view_(), shape: x.shape }, x.view_());
  return out;
}

/** Sums over rows, then over columns, each by one gather of every window's taps; then divides by the window sizes. */
function separableMean(b: Backend, x: Tensor, size: readonly [number, number], out: readonly [number, number], wide: DType): Tensor {
  const [n, c] = x.shape;
  const rows = tapTable(size[0], out[0]);
  const cols = tapTable(size[1], out[1]);
  const rowIndex = hostTensor(b, 'int32', rows.taps, [rows.taps.length]);
  const colIndex = hostTensor(b, 'int32', cols.taps, [cols.taps.length]);
  const padded = withZeroSlot(b, x, 2, wide);
  const rowShape = [n, c, out[0] * rows.len, size[1]];
  const rowTaps = fromHandle(b, b.gather(padded.view_(), 2, indexAlong(rowIndex, rowShape, 2)), wide, rowShape);
  const rowTapsShape = [n, c, out[0], rows.len, size[1]];
  const rowTapsView: View = { ...rowTaps.view_(), shape: rowTapsShape, strides: contiguousStrides(rowTapsShape) };
  const rowSums = fromHandle(b, b.reduce('sum', rowTapsView, [3], wide), wide, [n, c, out[0], size[1]]);
  const paddedCols = withZeroSlot(b, rowSums, 3, wide);
  const colShape = [n, c, out[0], out[1] * cols.len];
  const colTaps = fromHandle(b, b.gather(paddedCols.view_(), 3, indexAlong(colIndex, colShape, 3)), wide, colShape);
  const tapsView: View = {
    ...colTaps.view_(),
    shape: [n, c, out[0], out[1], cols.len],
    strides: contiguousStrides([n, c, out[0], out[1], cols.len]),
  };
  const sums = fromHandle(b, b.reduce('sum', tapsView, [4], wide), wide, [n, c, out[0], out[1]]);
  const counts = hostTensor(b, wide, countTable(rows.counts, cols.counts), [out[0], out[1]]);
  const mean = div(sums, counts);
  disposeTemps([rowIndex, colIndex, padded, rowTaps, rowSums, paddedCols, colTaps, sums, counts], []);
  return mean;
}

function countTable(rowCounts: readonly number[], colCounts: readonly number[]): Float64Array {
  const table = new Float64Array(rowCounts.length * colCounts.length);
  for (let i = 0; i < rowCounts.length; i++) {
    for (let j = 0; j < colCounts.length; j++) table[i * colCounts.length + j] = rowCounts[i] * colCounts[j];
  }
  return table;
}

/** The gradient of `adaptiveAvgPool2d` for an input of `shape`: the adjoint of its gathers, by `scatterAdd`. */
export function adaptiveAvgPool2dBackward(grad: Tensor, shape: readonly number[]): Tensor {
  return dispatch('adaptiveAvgPool2dBackward', [grad], {}, () => {
    const size: [number, number] = [shape[shape.length - 2], shape[shape.length - 1]];
    const out: [number, number] = [grad.shape[grad.ndim - 2], grad.shape[grad.ndim - 1]];
    if (grad.numel() === 0) {
      const b = backendOf(grad);
      return fromHandle(
        b,
        b.alloc(
          grad.dtype,
          shape.reduce((a, d) => a * d, 1),
        ),
        grad.dtype,
        shape,
      );
    }
    const uniform = uniformWindow(size, out);
    if (uniform) return avgPool2dBackward(grad, shape, { window: uniform.window, ceilMode: false, countIncludePad: true, divisor: null });
    const g = batched(grad);
    const b = backendOf(g);
    const wide = accumulateDType(g.dtype);
    const [n, c] = g.shape;
    const rows = tapTable(size[0], out[0]);
    const cols = tapTable(size[1], out[1]);
    const counts = hostTensor(b, wide, countTable(rows.counts, cols.counts), out);
    const share = div(g, counts);
    // Columns: every tap of window (i, j) receives its share; taps past the image land in the extra column.
    const colShape = [n, c, out[0], out[1] * cols.len];
    const colSrc = fromHandle(
      b,
      b.cast({ ...share.view_(), shape: [n, c, out[0], out[1], cols.len], strides: [...share.strides, 0] }, wide),
      wide,
      colShape,
    );
    const colIndex = hostTensor(b, 'int32', cols.taps, [cols.taps.length]);
    const colGrad = fromHandle(b, b.alloc(wide, n * c * out[0] * (size[1] + 1)), wide, [n, c, out[0], size[1] + 1]);
    b.scatterAdd(colGrad.view_(), 3, indexAlong(colIndex, colShape, 3), colSrc.view_());
    // Rows, the same way, from the column gradient without its extra column.
    const kept = colGrad.view_();
    const rowShape = [n, c, out[0] * rows.len, size[1]];
    const rowSrcShape = [n, c, out[0], rows.len, size[1]];
    const rowSrcView = { ...kept, shape: rowSrcShape, strides: [kept.strides[0], kept.strides[1], kept.strides[2], 0, 1] };
    const rowSrc = fromHandle(b, b.cast(rowSrcView, wide), wide, rowShape);
    const rowIndex = hostTensor(b, 'int32', rows.taps, [rows.taps.length]);
    const rowGrad = fromHandle(b, b.alloc(wide, n * c * (size[0] + 1) * size[1]), wide, [n, c, size[0] + 1, size[1]]);
    b.scatterAdd(rowGrad.view_(), 2, indexAlong(rowIndex, rowShape, 2), rowSrc.view_());
    const inner = rowGrad.narrow(2, 0, size[0]);
    const result = fromHandle(b, b.cast(inner.view_(), g.dtype), g.dtype, g.shape.slice(0, 2).concat(size));
    disposeTemps([g, counts, share, colSrc, colIndex, colGrad, rowSrc, rowIndex, rowGrad, inner], [grad]);
    return unbatch(result, shape.length === 3);
  });
}
