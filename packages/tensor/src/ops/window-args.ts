import { type Window2d, windowOutputSize } from '../backend.js';
import { KindlingError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';

/** A size PyTorch takes as an int or a `(h, w)` tuple. */
export type Pair = number | readonly [number, number];

/** `[v, v]` for a number, the pair itself otherwise; each entry checked to be an integer ≥ `min`. */
export function pair(op: string, name: string, value: Pair, min: number): [number, number] {
  const out: [number, number] = typeof value === 'number' ? [value, value] : [value[0], value[1]];
  const ok =
    (typeof value === 'number' || (Array.isArray(value) && value.length === 2)) && out.every((v) => Number.isInteger(v) && v >= min);
  if (!ok) {
    const got = typeof value === 'number' ? String(value) : JSON.stringify(value);
    throw new KindlingError(`${op}: ${name} must be an integer ≥ ${min} or a pair of them, got ${got}`);
  }
  return out;
}

/** Options naming a 2-D sliding window, as the functional ops take them. */
export interface WindowOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
}

/**
 * The checked window of an op. `stride` defaults to `defaultStride` (1 for
 * convolution, the kernel for pooling).
 */
export function parseWindow(op: string, kernel: Pair, options: WindowOptions, defaultStride: Pair = 1): Window2d {
  return {
    kernel: pair(op, 'kernelSize', kernel, 1),
    stride: pair(op, 'stride', options.stride ?? defaultStride, 1),
    padding: pair(op, 'padding', options.padding ?? 0, 0),
    dilation: pair(op, 'dilation', options.dilation ?? 1, 1),
  };
}

/** Throws unless `x` is `[N, C, H, W]` (or `[C, H, W]` when `unbatched` is allowed). */
export function checkImage(op: string, x: Tensor, allowUnbatched: boolean): void {
  x.assertAlive(op);
  if (x.ndim === 4 || (allowUnbatched && x.ndim === 3)) return;
  const want = allowUnbatched ? '3-D [C, H, W] or 4-D [N, C, H, W]' : '4-D [N, C, H, W]';
  throw new ShapeError(`${op}: expected a ${want} input, got shape ${fmtShape(x.shape)}`);
}

/**
 * The `[outH, outW]` a window gives over an `[H, W]` image, refusing windows
 * that do not fit (PyTorch's "Kernel size can't be greater than actual input
 * size" and friends) with both sizes named.
 */
export function windowOutput(op: string, size: readonly [number, number], window: Window2d, ceilMode = false): [number, number] {
  const out: [number, number] = [0, 1].map((d) =>
    windowOutputSize(size[d], window.kernel[d], window.stride[d], window.padding[d], window.dilation[d], ceilMode),
  ) as [number, number];
  if (out[0] < 1 || out[1] < 1) {
    const k = window.kernel.map((v, d) => window.dilation[d] * (v - 1) + 1);
    throw new ShapeError(
      `${op}: the ${k[0]}x${k[1]} window (kernel ${fmtShape(window.kernel)}, dilation ${fmtShape(window.dilation)}) ` +
        `does not fit the input ${size[0]}x${size[1]} padded by ${fmtShape(window.padding)}: output would be ${out[0]}x${out[1]}`,
    );
  }
  return out;
}
