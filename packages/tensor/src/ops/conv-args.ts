import type { Window2d } from '../backend.js';
import { isFloating } from '../dtype.js';
import { DTypeError, KindlingError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkSameDevice, disposeTemps } from './util.js';
import { squeeze, unsqueeze } from './views.js';
import { type Pair, pair } from './window-args.js';

/** Padding as PyTorch's convolutions take it: an int, a pair, or `'same'`/`'valid'`. */
export type ConvPadding = Pair | 'same' | 'valid';

/** Options of {@link conv2d}, with PyTorch's defaults (stride 1, padding 0, dilation 1, groups 1). */
export interface Conv2dOptions {
  stride?: Pair;
  padding?: ConvPadding;
  dilation?: Pair;
  groups?: number;
}

/**
 * A convolution's window plus how to realise `'same'` padding, which may be
 * asymmetric: PyTorch pads the extra row/column on the bottom/right. The
 * window pads both sides by the larger amount and `crop` (0 or 1 per dim)
 * drops the leading output rows/columns that extra padding adds, which gives
 * exactly PyTorch's windows.
 */
export interface ConvGeometry {
  readonly window: Window2d;
  readonly crop: readonly [number, number];
}

/** Throws unless `groups` is a positive integer. */
export function checkGroups(op: string, groups: number): void {
  if (!Number.isInteger(groups) || groups < 1) throw new KindlingError(`${op}: groups must be a positive integer, got ${groups}`);
}

/** The window of a convolution with kernel `[kh, kw]`; `'same'` needs stride 1 (PyTorch's rule). */
export function convGeometry(op: string, kernel: readonly [number, number], options: Conv2dOptions): ConvGeometry {
  const stride = pair(op, 'stride', options.stride ?? 1, 1);
  const dilation = pair(op, 'dilation', options.dilation ?? 1, 1);
  const pad = options.padding ?? 0;
  if (typeof pad === 'string' && pad !== 'same' && pad !== 'valid') {
    throw new KindlingError(`${op}: invalid padding string '${pad}', expected 'same', 'valid', a number or a pair`);
  }
  if (pad === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new KindlingError(`${op}: padding='same' is not supported for strided convolutions`);
    const total = [0, 1].map((d) => dilation[d] * (kernel[d] - 1));
    const before = total.map((t) => Math.floor(t / 2));
    const after = total.map((t, d) => t - before[d]);
    const window: Window2d = { kernel: [kernel[0], kernel[1]], stride, padding: [after[0], after[1]], dilation };
    return { window, crop: [after[0] - before[0], after[1] - before[1]] };
  }
  const padding = pad === 'valid' ? ([0, 0] as [number, number]) : pair(op, 'padding', pad, 0);
  return { window: { kernel: [kernel[0], kernel[1]], stride, padding, dilation }, crop: [0, 0] };
}

/**
 * Checks devices and dtypes of a convolution's operands: floating, and all
 * one dtype (PyTorch: "Input type and weight type should be the same").
 */
export function checkConvDTypes(op: string, x: Tensor, weight: Tensor, bias: Tensor | null): void {
  checkSameDevice(op, bias ? [x, weight, bias] : [x, weight]);
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: expected a floating-point input, got ${x.dtype}`);
  if (weight.dtype !== x.dtype) {
    throw new DTypeError(`${op}: input type (${x.dtype}) and weight type (${weight.dtype}) should be the same`);
  }
  if (bias && bias.dtype !== x.dtype) {
    throw new DTypeError(`${op}: input type (${x.dtype}) and bias type (${bias.dtype}) should be the same`);
  }
}

/** Throws unless the weight's leading dim divides into `groups` (PyTorch's message). */
export function checkWeightGroups(op: string, weight: Tensor, groups: number): void {
  if (weight.shape[0] % groups !== 0) {
    throw new ShapeError(
      `${op}: given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${fmtShape(weight.shape)}`,
    );
  }
}

/** Throws unless `bias` is `[channels]`. */
export function checkBias(op: string, weight: Tensor, bias: Tensor | null, channels: number): void {
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== channels)) {
    throw new ShapeError(
      `${op}: given weight of size ${fmtShape(weight.shape)}, expected bias to be 1-D with ${channels} elements, but got bias of size ${fmtShape(bias.shape)}`,
    );
  }
}

/**
 * The output size of a convolution over `size`, refusing a dilated kernel
 * larger than the padded input (PyTorch's message, with the op's name).
 */
export function convOutput(op: string, size: readonly number[], window: Window2d): [number, number] {
  const padded = [0, 1].map((d) => size[d] + 2 * window.padding[d]);
  const span = [0, 1].map((d) => window.dilation[d] * (window.kernel[d] - 1) + 1);
  if (padded[0] < span[0] || padded[1] < span[1]) {
    throw new ShapeError(
      `${op}: calculated padded input size per channel: (${padded[0]} x ${padded[1]}). Kernel size: (${span[0]} x ${span[1]}). ` +
        "Kernel size can't be greater than actual input size",
    );
  }
  return [0, 1].map((d) => Math.floor((padded[d] - span[d]) / window.stride[d]) + 1) as [number, number];
}

/**
 * Runs a convolution on an unbatched input as a batch of one (PyTorch's
 * unsqueeze/squeeze, so the graph shows `SqueezeBackward1` as PyTorch's
 * does). The two views in between are freed at once unless autograd
 * recorded them.
 */
export function asBatchOfOne(input: Tensor, run: (batched: Tensor) => Tensor): Tensor {
  const batched = unsqueeze(input, 0);
  const out = run(batched);
  const result = squeeze(out, 0);
  if (!result.requiresGrad) disposeTemps([batched, out], [result]);
  return result;
}
