import type { Window2d } from '../backend.js';
import { dispatch } from '../dispatch.js';
import { KindlingError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { asBatchOfOne, checkBias, checkConvDTypes, checkGroups, checkWeightGroups } from './conv-args.js';
import { addChannelBias, convInputGradKernel } from './conv-kernels.js';
import { castTo, disposeTemps } from './util.js';
import { type Pair, pair } from './window-args.js';

/** Options of {@link convTranspose2d}, with PyTorch's defaults. */
export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  /** Extra rows/columns on the bottom/right of the output (each less than the stride or the dilation). */
  outputPadding?: Pair;
  groups?: number;
  dilation?: Pair;
}

/** What the dispatched `convTranspose2d` op records for its gradient rule. */
export type ConvTransposeAttrs = {
  readonly window: Window2d;
  readonly groups: number;
  readonly size: readonly [number, number];
  readonly hasBias: boolean;
};

/**
 * `torch.nn.functional.conv_transpose2d`: the gradient of `conv2d` with
 * respect to its input, used as a layer (an upsampling convolution).
 * `input` `[N, Cin, H, W]` (or unbatched), `weight` `[Cin, Cout/groups, kH, kW]`,
 * `bias` `[Cout]`; the output is `(H-1)*stride - 2*padding + dilation*(kH-1) +
 * outputPadding + 1` high, and as wide by the same rule.
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTranspose2dOptions = {}): Tensor {
  const op = 'convTranspose2d';
  input.assertAlive(op);
  weight.assertAlive(op);
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new ShapeError(`${op}: expected a 3-D (unbatched) or 4-D (batched) input, but got input of size ${fmtShape(input.shape)}`);
  }
  if (weight.ndim !== 4) {
    throw new ShapeError(
      `${op}: expected a 4-D weight [inChannels, outChannels/groups, kH, kW], but got weight of size ${fmtShape(weight.shape)}`,
    );
  }
  checkConvDTypes(op, input, weight, bias ?? null);
  const groups = options.groups ?? 1;
  checkGroups(op, groups);
  checkWeightGroups(op, weight, groups);
  const channels = input.shape[input.ndim - 3];
  if (channels !== weight.shape[0]) {
    throw new ShapeError(
      `${op}: given transposed=1, weight of size ${fmtShape(weight.shape)} expects input ${fmtShape(input.shape)} ` +
        `to have ${weight.shape[0]} channels, but got ${channels} channels`,
    );
  }
  checkBias(op, weight, bias ?? null, weight.shape[1] * groups);
  const window: Window2d = {
    kernel: [weight.shape[2], weight.shape[3]],
    stride: pair(op, 'stride', options.stride ?? 1, 1),
    padding: pair(op, 'padding', options.padding ?? 0, 0),
    dilation: pair(op, 'dilation', options.dilation ?? 1, 1),
  };
  const outputPadding = pair(op, 'outputPadding', options.outputPadding ?? 0, 0);
  if ([0, 1].some((d) => outputPadding[d] >= Math.max(window.stride[d], window.dilation[d]))) {
    throw new KindlingError(
      `${op}: output padding must be smaller than either stride or dilation, but got outputPadding ${fmtShape(outputPadding)}, ` +
        `stride ${fmtShape(window.stride)} and dilation ${fmtShape(window.dilation)}`,
    );
  }
  const inSize = input.shape.slice(-2);
  const size = [0, 1].map(
    (d) => (inSize[d] - 1) * window.stride[d] - 2 * window.padding[d] + window.dilation[d] * (window.kernel[d] - 1) + outputPadding[d] + 1,
  ) as [number, number];
  if (size[0] < 1 || size[1] < 1) {
    throw new ShapeError(
      `${op}: given input size per channel: (${inSize[0]} x ${inSize[1]}). ` +
        `Calculated output size per channel: (${size[0]} x ${size[1]}). Output size is too small`,
    );
  }
  if (input.ndim === 3) return asBatchOfOne(input, (batched) => transposed(batched, weight, bias ?? null, window, groups, size));
  return transposed(input, weight, bias ?? null, window, groups, size);
}

function transposed(x: Tensor, weight: Tensor, bias: Tensor | null, window: Window2d, groups: number, size: [number, number]): Tensor {
  const attrs: ConvTransposeAttrs = { window, groups, size, hasBias: bias !== null };
  return dispatch('convTranspose2d', bias ? [x, weight, bias] : [x, weight], attrs, () => {
    // float16 with a bias adds in float32 too, so the result rounds once.
    const wide = x.dtype === 'float16' && bias ? [x, weight, bias].map((t) => castTo(t, 'float32')) : [x, weight, bias];
    const product = convInputGradKernel(wide[0] as Tensor, wide[1] as Tensor, size, window, groups);
    const withBias = wide[2] ? addChannelBias(product, wide[2]) : product;
    const out = castTo(withBias, x.dtype);
    disposeTemps([...(wide.filter((t) => t !== null) as Tensor[]), product, withBias], [x, weight, ...(bias ? [bias] : []), out]);
    return out;
  });
}
