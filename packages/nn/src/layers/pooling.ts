import { KindlingError, type Tensor, adaptiveAvgPool2d, avgPool2d, maxPool2d, maxPool2dWithIndices } from '@kindling/tensor';
import { Module } from '../module.js';
import { type Pair, checkInt, checkTuple, pyBool, pyIntOrTuple } from './window.js';

/*
 * The pooling layers keep their sizes as the user gave them (`2` or
 * `[2, 3]`), because PyTorch's reprs print them that way:
 * `MaxPool2d(kernel_size=2, stride=2, ...)`. An omitted stride is the kernel.
 */

/** Options of `MaxPool2d`. */
export interface MaxPool2dOptions {
  /** Step of the window (default: the kernel size). */
  stride?: Pair;
  /** Implicit -∞ padding on both sides, at most half the kernel (default 0). */
  padding?: Pair;
  dilation?: Pair;
  /** Keep the last, partial window (ceil instead of floor in the output size). */
  ceilMode?: boolean;
  /** Also compute the argmax of each window; see {@link MaxPool2d.forwardWithIndices}. */
  returnIndices?: boolean;
}

function checkPair(owner: string, name: string, value: Pair, min: number): Pair {
  const [h, w] = checkTuple(owner, name, value, 2, min);
  return typeof value === 'number' ? h : [h, w];
}

/** The maximum of each window (`torch.nn.MaxPool2d`), on `[N, C, H, W]` or `[C, H, W]`. */
export class MaxPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;

  constructor(kernelSize: Pair, options: MaxPool2dOptions = {}) {
    super();
    this.kernelSize = checkPair('MaxPool2d', 'kernelSize', kernelSize, 1);
    this.stride = checkPair('MaxPool2d', 'stride', options.stride ?? kernelSize, 1);
    this.padding = checkPair('MaxPool2d', 'padding', options.padding ?? 0, 0);
    this.dilation = checkPair('MaxPool2d', 'dilation', options.dilation ?? 1, 1);
    this.ceilMode = options.ceilMode ?? false;
    this.returnIndices = options.returnIndices ?? false;
  }

  private get opts() {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
  }

  /**
   * The pooled values. A module's `forward` returns one tensor, so with
   * `returnIndices` set it throws: call {@link forwardWithIndices}, which
   * returns what PyTorch's forward returns then.
   */
  forward(x: Tensor): Tensor {
    if (this.returnIndices) {
      throw new KindlingError('MaxPool2d: returnIndices is set; call forwardWithIndices(x), which returns [values, indices]');
    }
    return maxPool2d(x, this.kernelSize, this.opts);
  }

  /** `[values, indices]`: indices int32, flat `h·W + w` within each input plane, as PyTorch's. */
  forwardWithIndices(x: Tensor): [values: Tensor, indices: Tensor] {
    return maxPool2dWithIndices(x, this.kernelSize, this.opts);
  }

  override extraRepr(): string {
    const t = pyIntOrTuple;
    return `kernel_size=${t(this.kernelSize)}, stride=${t(this.stride)}, padding=${t(this.padding)}, dilation=${t(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** Options of `AvgPool2d`. */
export interface AvgPool2dOptions {
  /** Step of the window (default: the kernel size). */
  stride?: Pair;
  /** Implicit zero padding on both sides, at most half the kernel (default 0). */
  padding?: Pair;
  ceilMode?: boolean;
  /** Count the padding zeros in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead. */
  divisorOverride?: number;
}

/** The mean of each window (`torch.nn.AvgPool2d`), on `[N, C, H, W]` or `[C, H, W]`. */
export class AvgPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: Pair, options: AvgPool2dOptions = {}) {
    super();
    this.kernelSize = checkPair('AvgPool2d', 'kernelSize', kernelSize, 1);
    this.stride = checkPair('AvgPool2d', 'stride', options.stride ?? kernelSize, 1);
    this.padding = checkPair('AvgPool2d', 'padding', options.padding ?? 0, 0);
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride =
      options.divisorOverride === undefined ? null : checkInt('AvgPool2d', 'divisorOverride', options.divisorOverride, 1);
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      ...(this.divisorOverride === null ? {} : { divisorOverride: this.divisorOverride }),
    });
  }

  /** PyTorch prints only these three (`AvgPool2d(kernel_size=2, stride=2, padding=0)`). */
  override extraRepr(): string {
    const t = pyIntOrTuple;
    return `kernel_size=${t(this.kernelSize)}, stride=${t(this.stride)}, padding=${t(this.padding)}`;
  }
}

/** An adaptive output size: one number, or `[h, w]` where null keeps that input size. */
export type AdaptiveSize = number | readonly [number | null, number | null];

/**
 * Averages over windows chosen so the output is `outputSize`, whatever the
 * input size (`torch.nn.AdaptiveAvgPool2d`); `new AdaptiveAvgPool2d(1)` is
 * global average pooling.
 */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: AdaptiveSize;

  constructor(outputSize: AdaptiveSize) {
    super();
    const entries = typeof outputSize === 'number' ? [outputSize] : Array.isArray(outputSize) ? outputSize : [];
    const ok =
      (typeof outputSize === 'number' || entries.length === 2) &&
      entries.every((v: number | null) => v === null || (Number.isInteger(v) && v >= 1));
    if (!ok) {
      throw new KindlingError(
        `AdaptiveAvgPool2d: outputSize must be an integer ≥ 1 or a pair of them (null keeps the input size), got ${JSON.stringify(outputSize)}`,
      );
    }
    this.outputSize = typeof outputSize === 'number' ? outputSize : [outputSize[0], outputSize[1]];
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    const s = this.outputSize;
    return `output_size=${typeof s === 'number' ? s : `(${s.map((v) => (v === null ? 'None' : v)).join(', ')})`}`;
  }
}
