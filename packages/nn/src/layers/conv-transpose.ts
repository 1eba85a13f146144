import { KindlingError, type Tensor, convTranspose2d } from '@kindling/tensor';
import { ConvNd } from './conv.js';
import type { Pair } from './window.js';

/** Options of `ConvTranspose2d`, PyTorch's keyword arguments in camelCase. */
export interface ConvTranspose2dOptions {
  /** Step of the window over the output (default 1). */
  stride?: Pair;
  /** `dilation·(k-1) - padding` zeros are cropped from each side of the full output (default 0). */
  padding?: Pair;
  /** Extra rows/columns on the bottom/right, to pick among the output sizes a stride allows (< stride or < dilation). */
  outputPadding?: Pair;
  groups?: number;
  bias?: boolean;
  dilation?: Pair;
  device?: string;
  dtype?: 'float32' | 'float64';
}

/**
 * The transposed 2-D convolution (`torch.nn.ConvTranspose2d`), the gradient
 * of `Conv2d` with respect to its input, used to upsample: weight
 * `[inChannels, outChannels/groups, kh, kw]` (note the order), output
 * `(H-1)·stride - 2·padding + dilation·(k-1) + outputPadding + 1` high.
 */
export class ConvTranspose2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: ConvTranspose2dOptions = {}) {
    super(inChannels, outChannels, kernelSize, options, 2, true);
  }

  forward(x: Tensor): Tensor {
    return this.convolve(x, this.outputPadding);
  }

  /**
   * PyTorch's `forward(input, output_size)`: the output padding that makes
   * the output `outputSize` high and wide (`[H, W]`, or a whole shape whose
   * last two entries are taken), which must lie between the smallest size
   * the stride allows and that plus `max(stride, dilation) - 1`.
   */
  forwardWithOutputSize(x: Tensor, outputSize: readonly number[]): Tensor {
    if (outputSize.length < 2 || !outputSize.every((v) => Number.isInteger(v) && v >= 0)) {
      throw new KindlingError(`ConvTranspose2d: outputSize must end in [H, W] non-negative integers, got [${outputSize.join(', ')}]`);
    }
    if (x.ndim < 3) throw new KindlingError(`ConvTranspose2d: expected a 3-D or 4-D input, got shape [${x.shape.join(', ')}]`);
    const want = outputSize.slice(-2);
    const size = x.shape.slice(-2);
    const padding = this.padding as number[];
    const smallest = [0, 1].map((d) => (size[d] - 1) * this.stride[d] - 2 * padding[d] + this.dilation[d] * (this.kernelSize[d] - 1) + 1);
    const largest = [0, 1].map((d) => smallest[d] + Math.max(this.stride[d], this.dilation[d]) - 1);
    if (want.some((v, d) => v < smallest[d] || v > largest[d])) {
      throw new KindlingError(
        `ConvTranspose2d: requested an output size of [${want.join(', ')}], but valid sizes range from ` +
          `[${smallest.join(', ')}] to [${largest.join(', ')}] (for an input of [${size.join(', ')}])`,
      );
    }
    return this.convolve(
      x,
      want.map((v, d) => v - smallest[d]),
    );
  }

  private convolve(x: Tensor, outputPadding: readonly number[]): Tensor {
    const pair = (v: readonly number[]) => [v[0], v[1]] as const;
    return convTranspose2d(x, this.weight, this.bias, {
      stride: pair(this.stride),
      padding: pair(this.padding as number[]),
      outputPadding: pair(outputPadding),
      groups: this.groups,
      dilation: pair(this.dilation),
    });
  }
}
