import type { Window2d } from '../backend.js';
import { dispatch } from '../dispatch.js';
import { ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import {
  type Conv2dOptions,
  type ConvGeometry,
  asBatchOfOne,
  checkBias,
  checkConvDTypes,
  checkGroups,
  checkWeightGroups,
  convGeometry,
  convOutput,
} from './conv-args.js';
import { convForwardKernel } from './conv-kernels.js';
import { disposeTemps } from './util.js';
import { narrow, squeeze, unsqueeze } from './views.js';

/** What the dispatched `conv2d` op records for its gradient rule. */
export type ConvAttrs = {
  readonly window: Window2d;
  readonly groups: number;
  /** Leading output rows/columns dropped (asymmetric `'same'` padding; see {@link ConvGeometry}). */
  readonly crop: readonly [number, number];
  readonly hasBias: boolean;
};

/**
 * The dispatched convolution behind `conv2d` and `conv1d`: `x` `[N, Cin, H, W]`
 * with `weight` `[Cout, Cin/groups, kh, kw]`, or (conv1d) `x` `[N, Cin, L]`
 * with `weight` `[Cout, Cin/groups, k]` and a window whose height is 1.
 * Dtypes, devices and ranks are checked by the caller; channels, bias and
 * sizes here, with `op`'s name.
 */
export function convolution(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, geometry: ConvGeometry, groups: number): Tensor {
  checkGroups(op, groups);
  checkWeightGroups(op, weight, groups);
  const cin = weight.shape[1] * groups;
  if (x.shape[1] !== cin) {
    throw new ShapeError(
      `${op}: given groups=${groups}, weight of size ${fmtShape(weight.shape)} expects input ${fmtShape(x.shape)} ` +
        `to have ${cin} channels, but got ${x.shape[1]} channels`,
    );
  }
  checkBias(op, weight, bias, weight.shape[0]);
  const oneD = x.ndim === 3;
  const { window, crop } = geometry;
  const blocks = convOutput(op, oneD ? [1, x.shape[2]] : x.shape.slice(2), window);
  const attrs: ConvAttrs = { window, groups, crop, hasBias: bias !== null };
  return dispatch('conv2d', bias ? [x, weight, bias] : [x, weight], attrs, () => {
    const x4 = oneD ? unsqueeze(x, 2) : x;
    const w4 = oneD ? unsqueeze(weight, 2) : weight;
    const steps = [convForwardKernel(x4, w4, bias, window, groups, blocks)];
    const last = () => steps[steps.length - 1];
    if (crop[0] > 0) steps.push(narrow(last(), 2, crop[0], blocks[0] - crop[0]));
    if (crop[1] > 0) steps.push(narrow(last(), 3, crop[1], blocks[1] - crop[1]));
    if (oneD) steps.push(squeeze(last(), 2));
    const out = last();
    disposeTemps([x4, w4, ...steps], [x, weight, out]);
    return out;
  });
}

/**
 * `torch.nn.functional.conv2d`: a 2-D convolution (cross-correlation, as in
 * PyTorch) of `input` `[N, Cin, H, W]` (or unbatched `[Cin, H, W]`) with
 * `weight` `[Cout, Cin/groups, kH, kW]`, plus `bias` `[Cout]` when given.
 * `padding` is a number, an `[h, w]` pair, `'valid'` (none) or `'same'`
 * (output as large as the input; stride 1 only, the odd extra row/column
 * going to the bottom/right as in PyTorch). `groups` splits the channels
 * into independent convolutions (`groups = Cin` is depthwise). float16 is
 * computed in float32 and rounded once.
 *
 * @example
 * const y = conv2d(x, weight, bias, { stride: 2, padding: 1 }); // [N, Cout, ceil(H/2), ceil(W/2)] for 3x3
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  input.assertAlive('conv2d');
  weight.assertAlive('conv2d');
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new ShapeError(`conv2d: expected a 3-D (unbatched) or 4-D (batched) input, but got input of size ${fmtShape(input.shape)}`);
  }
  if (weight.ndim !== 4) {
    throw new ShapeError(
      `conv2d: expected a 4-D weight [outChannels, inChannels/groups, kH, kW], but got weight of size ${fmtShape(weight.shape)}`,
    );
  }
  checkConvDTypes('conv2d', input, weight, bias ?? null);
  const geometry = convGeometry('conv2d', [weight.shape[2], weight.shape[3]], options);
  const groups = options.groups ?? 1;
  if (input.ndim === 4) return convolution('conv2d', input, weight, bias ?? null, geometry, groups);
  return asBatchOfOne(input, (batched) => convolution('conv2d', batched, weight, bias ?? null, geometry, groups));
}
