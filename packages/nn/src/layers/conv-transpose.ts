import { type Tensor, convTranspose2d } from '@kindling/tensor';
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
    const pair = (v: readonly number[]) => [v[0], v[1]] as const;
    return convTranspose2d(x, this.weight, this.bias, {
      stride: pair(this.stride),
      padding: pair(this.padding as number[]),
      outputPadding: pair(this.outputPadding),
      groups: this.groups,
      dilation: pair(this.dilation),
    });
  }
}
