import type { Backend, View, Window2d } from '../backend.js';
import { type DType, allocArray, isFloating } from '../dtype.js';
import { DTypeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { backendOf, fromHandle } from './util.js';

/*
 * The pieces pooling, padding and resampling lower to when a backend has no
 * fused kernel: a padded copy of the image, a strided view of every window
 * over it, and small index or divisor tables built on the host (they depend
 * only on the geometry, never on the data, so no device round trip).
 */

/** Throws unless `x` is floating, naming the op as PyTorch's "not implemented for 'Int'" does. */
export function checkFloatingInput(op: string, x: Tensor): void {
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: expected a floating point input (float16, float32 or float64), got ${x.dtype}`);
}

/** The dtype a lowering accumulates in: float16 in float32 (rounded once at the end, as PyTorch's half kernels do). */
export function accumulateDType(dtype: DType): DType {
  return dtype === 'float16' ? 'float32' : dtype;
}

/** A contiguous tensor of `dtype` holding host `values`, on `backend`. */
export function hostTensor(backend: Backend, dtype: DType, values: ArrayLike<number>, shape: readonly number[]): Tensor {
  const data = allocArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) data[i] = values[i];
  return fromHandle(backend, backend.upload(dtype, data), dtype, shape);
}

/** An index table `[n]` broadcast over every dim of `shape` but `dim` (stride 0), for `gather`/`scatterAdd`. */
export function indexAlong(table: Tensor, shape: readonly number[], dim: number): View {
  return { ...table.view_(), shape, strides: shape.map((_, d) => (d === dim ? 1 : 0)) };
}

/** `x` gathered along `dim` at the host positions `table` (the same for every other index). */
export function gatherAlong(b: Backend, x: Tensor, dim: number, table: Int32Array): Tensor {
  const index = hostTensor(b, 'int32', table, [table.length]);
  const shape = x.shape.map((s, d) => (d === dim ? table.length : s));
  const out = fromHandle(b, b.gather(x.view_(), dim, indexAlong(index, shape, dim)), x.dtype, shape);
  index.dispose();
  return out;
}

/**
 * Every window of a 4-D `x`: the view `[N, C, outH, outW, kh, kw]` over `x`
 * itself when no window reaches outside it, else over a copy of `x` in a
 * buffer filled with `fill` (the padding, and the part of a window `ceilMode`
 * adds past the right edge). `buffer` is that copy, to dispose after use.
 */
export function windowsOf(
  x: Tensor,
  window: Window2d,
  out: readonly [number, number],
  fill: number,
  dtype: DType = x.dtype,
): { windows: View; buffer: Tensor | null } {
  const [n, c, h, w] = x.shape;
  const { kernel, stride, padding, dilation } = window;
  // Rows (and columns) a window reaches, counted in the padded image.
  const reach = [0, 1].map((d) => (out[d] - 1) * stride[d] + (kernel[d] - 1) * dilation[d] + 1);
  const inside = padding[0] === 0 && padding[1] === 0 && reach[0] <= h && reach[1] <= w;
  let source: View;
  let buffer: Tensor | null = null;
  if (inside && dtype === x.dtype) {
    source = x.view_();
  } else {
    const b = backendOf(x);
    const hp = Math.max(h + 2 * padding[0], reach[0]);
    const wp = Math.max(w + 2 * padding[1], reach[1]);
    buffer = fromHandle(b, b.alloc(dtype, n * c * hp * wp), dtype, [n, c, hp, wp]);
    if (fill !== 0) b.fill(buffer.view_(), fill);
    const interior: View = {
      ...buffer.view_(),
      shape: [n, c, h, w],
      offset: padding[0] * wp + padding[1],
    };
    b.assign(interior, x.view_());
    source = buffer.view_();
  }
  const [sn, sc, sh, sw] = source.strides;
  return {
    buffer,
    windows: {
      ...source,
      shape: [n, c, out[0], out[1], kernel[0], kernel[1]],
      strides: [sn, sc, sh * stride[0], sw * stride[1], sh * dilation[0], sw * dilation[1]],
    },
  };
}

/** `x` as `[N, C, H, W]`: a 3-D `[C, H, W]` image gains a batch of one (undo with {@link unbatch}). */
export function batched(x: Tensor): Tensor {
  return x.ndim === 3 ? x.unsqueeze(0) : x;
}

/** Drops the batch dim {@link batched} added, disposing the batched result. */
export function unbatch(out: Tensor, unbatched: boolean): Tensor {
  if (!unbatched) return out;
  const squeezed = out.squeeze(0);
  out.dispose();
  return squeezed;
}
