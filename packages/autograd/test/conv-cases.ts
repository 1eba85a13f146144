import * as kd from '@kindling/tensor';
import type { Tensor } from '@kindling/tensor';
import { enableGrad, grad, noGrad } from '../src/index.js';

/*
 * Gradcheck cases of the convolution ops (conv2d, conv1d, convTranspose2d,
 * unfold/fold, Tensor.unfold) and of the ops their gradients are made of
 * (conv2dInputGrad, conv2dWeightGrad, unfoldBackward: reached by
 * differentiating a first gradient again). Kept apart from the test so the
 * whole-op-table gradcheck can list them too. Each case takes the device to
 * run on, so one list covers the lowering and a backend's fused kernels.
 */

export interface ConvCase {
  /** The dispatched op the case covers (what `differentiableOps()` lists). */
  op: string;
  what: string;
  run: (device: string) => { fn: (...xs: Tensor[]) => Tensor | readonly Tensor[]; inputs: Tensor[] };
}

/** A float64 leaf of values in ±[0.3, 1.3] on `device`. */
export function leaf(device: string, ...shape: number[]): Tensor {
  return noGrad(() => {
    const u = kd.rand(shape, { dtype: 'float64', device });
    const sign = kd.rand(shape, { dtype: 'float64', device }).gt(0.5).cast('float64').mul(2).sub(1);
    return u.add(0.3).mul(sign);
  }).requiresGrad_();
}

/** A non-contiguous leaf of `shape`: a permuted view of a fresh tensor. */
function permutedLeaf(device: string, shape: readonly number[], perm: readonly number[]): Tensor {
  const inverse = perm.map((_, i) => perm.indexOf(i));
  const base = leaf(device, ...inverse.map((d) => shape[d]));
  return noGrad(() => base.permute([...perm])).requiresGrad_();
}

/** The sum of squares of the gradients of `f(x, w)` (as a graph): checks the gradient's own gradient. */
function secondOrder(f: (x: Tensor, w: Tensor) => Tensor): (x: Tensor, w: Tensor) => Tensor {
  return (x, w) =>
    enableGrad(() => {
      const y = f(x, w);
      const gy = noGrad(() => kd.linspace(-1, 1, y.numel(), { dtype: 'float64', device: y.device }).reshape(y.shape));
      const [gx, gw] = grad(y, [x, w], { gradOutputs: gy, createGraph: true }) as Tensor[];
      return gx.square().sum().add(gw.square().sum());
    });
}

export const convCases: ConvCase[] = [
  {
    op: 'conv2d',
    what: 'stride [2,1], padding 1, dilation [1,2], non-square kernel, bias',
    run: (d) => ({
      fn: (x, w, b) => kd.conv2d(x, w, b, { stride: [2, 1], padding: 1, dilation: [1, 2] }),
      inputs: [leaf(d, 2, 3, 5, 6), leaf(d, 4, 3, 2, 3), leaf(d, 4)],
    }),
  },
  {
    op: 'conv2d',
    what: 'groups 2, no bias, batch of one',
    run: (d) => ({ fn: (x, w) => kd.conv2d(x, w, null, { groups: 2 }), inputs: [leaf(d, 1, 4, 5, 4), leaf(d, 6, 2, 3, 2)] }),
  },
  {
    op: 'conv2d',
    what: 'depthwise (groups = channels), padding 1, bias',
    run: (d) => ({
      fn: (x, w, b) => kd.conv2d(x, w, b, { groups: 3, padding: 1 }),
      inputs: [leaf(d, 2, 3, 4, 4), leaf(d, 6, 1, 3, 3), leaf(d, 6)],
    }),
  },
  {
    op: 'conv2d',
    what: "padding 'same' with even kernels (asymmetric), dilation 2",
    run: (d) => ({
      fn: (x, w, b) => kd.conv2d(x, w, b, { padding: 'same', dilation: [1, 2] }),
      inputs: [leaf(d, 2, 2, 5, 6), leaf(d, 3, 2, 2, 3), leaf(d, 3)],
    }),
  },
  {
    op: 'conv2d',
    what: "non-contiguous input and weight, padding 'valid', stride 2",
    run: (d) => ({
      fn: (x, w) => kd.conv2d(x, w, null, { padding: 'valid', stride: 2 }),
      inputs: [permutedLeaf(d, [2, 3, 5, 5], [0, 3, 1, 2]), permutedLeaf(d, [2, 3, 3, 2], [1, 0, 3, 2])],
    }),
  },
  {
    op: 'conv2d',
    what: 'unbatched [C, H, W] input',
    run: (d) => ({ fn: (x, w) => kd.conv2d(x, w, null, { padding: [0, 1] }), inputs: [leaf(d, 2, 4, 3), leaf(d, 3, 2, 2, 2)] }),
  },
  {
    op: 'conv2dInputGrad',
    what: 'second order of conv2d (stride 2, padding 1, groups 2)',
    run: (d) => ({
      fn: secondOrder((x, w) => kd.conv2d(x, w, null, { stride: 2, padding: 1, groups: 2 })),
      inputs: [leaf(d, 2, 4, 5, 5), leaf(d, 4, 2, 3, 3)],
    }),
  },
  {
    op: 'conv2dWeightGrad',
    what: "second order of conv2d with asymmetric 'same' padding and dilation",
    run: (d) => ({
      fn: secondOrder((x, w) => kd.conv2d(x, w, null, { padding: 'same', dilation: [1, 2] })),
      inputs: [leaf(d, 1, 2, 5, 4), leaf(d, 2, 2, 2, 3)],
    }),
  },
  {
    op: 'conv1d',
    what: 'stride 2, padding 1, dilation 2, groups 2, bias',
    run: (d) => ({
      fn: (x, w, b) => kd.conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2, groups: 2 }),
      inputs: [leaf(d, 2, 4, 9), leaf(d, 6, 2, 3), leaf(d, 6)],
    }),
  },
  {
    op: 'conv1d',
    what: "padding 'same' with an even kernel, unbatched",
    run: (d) => ({ fn: (x, w) => kd.conv1d(x, w, null, { padding: 'same' }), inputs: [leaf(d, 3, 7), leaf(d, 2, 3, 4)] }),
  },
  {
    op: 'conv1d',
    what: 'second order',
    run: (d) => ({ fn: secondOrder((x, w) => kd.conv1d(x, w, null, { stride: 2 })), inputs: [leaf(d, 2, 2, 7), leaf(d, 3, 2, 3)] }),
  },
  {
    op: 'convTranspose2d',
    what: 'stride 2, padding 1, outputPadding 1, bias',
    run: (d) => ({
      fn: (x, w, b) => kd.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
      inputs: [leaf(d, 2, 3, 3, 4), leaf(d, 3, 2, 3, 3), leaf(d, 2)],
    }),
  },
  {
    op: 'convTranspose2d',
    what: 'groups 2, dilation 2, outputPadding 1 at stride 1 (a row no window reaches)',
    run: (d) => ({
      fn: (x, w) => kd.convTranspose2d(x, w, null, { groups: 2, dilation: 2, outputPadding: [1, 0] }),
      inputs: [leaf(d, 1, 4, 3, 3), leaf(d, 4, 1, 2, 3)],
    }),
  },
  {
    op: 'convTranspose2d',
    what: 'unbatched, non-contiguous input, second order',
    run: (d) => ({
      fn: secondOrder((x, w) => kd.convTranspose2d(x, w, null, { stride: [1, 2], outputPadding: [0, 1] })),
      inputs: [permutedLeaf(d, [2, 3, 3], [0, 2, 1]), leaf(d, 2, 3, 2, 2)],
    }),
  },
  {
    op: 'im2col',
    what: 'unfold with kernel [2,3], dilation [2,1], padding 1, stride [1,2]',
    run: (d) => ({ fn: (x) => kd.unfold(x, [2, 3], { dilation: [2, 1], padding: 1, stride: [1, 2] }), inputs: [leaf(d, 2, 2, 5, 4)] }),
  },
  {
    op: 'im2col',
    what: 'unfold of an unbatched non-contiguous image, then fold',
    run: (d) => ({
      fn: (x) => kd.fold(kd.unfold(x, 2), [4, 3], 2).square(),
      inputs: [permutedLeaf(d, [2, 4, 3], [0, 2, 1])],
    }),
  },
  {
    op: 'col2im',
    what: 'fold with overlapping blocks, padding and stride',
    run: (d) => ({ fn: (c) => kd.fold(c, [4, 5], [2, 3], { padding: [1, 0], stride: [2, 1] }), inputs: [leaf(d, 2, 12, 9)] }),
  },
  {
    op: 'col2im',
    what: 'fold, unbatched',
    run: (d) => ({ fn: (c) => kd.fold(c, 3, 2), inputs: [leaf(d, 8, 4)] }),
  },
  {
    op: 'unfold',
    what: 'Tensor.unfold with overlapping windows (step < size)',
    run: (d) => ({ fn: (x) => x.unfold(1, 3, 1), inputs: [leaf(d, 2, 5, 3)] }),
  },
  {
    op: 'unfold',
    what: 'Tensor.unfold with gaps (step > size), negative dim',
    run: (d) => ({ fn: (x) => x.unfold(-1, 2, 3), inputs: [leaf(d, 3, 8)] }),
  },
  {
    op: 'unfoldBackward',
    what: 'second order of Tensor.unfold',
    run: (d) => ({
      fn: (x) =>
        enableGrad(() => {
          const y = x.unfold(0, 2, 1);
          const [g] = grad(y.square().sum(), [x], { createGraph: true }) as Tensor[];
          return g.unfold(0, 3, 2).square().sum();
        }),
      inputs: [leaf(d, 7)],
    }),
  },
];
