import { type Tensor, cat, fold, unfold, zeros } from '@kindling/tensor';
import type { Window2d } from '@kindling/tensor/backend';
import {
  type ConvAttrs,
  type ConvTransposeAttrs,
  conv2dInputGrad,
  conv2dWeightGrad,
  conv2dWindow,
  unfoldBackward,
} from '@kindling/tensor/internal';
import { registerGradRule } from '../rule.js';

/*
 * Gradients of convolutions and im2col. Every product is a dispatched op with
 * a rule of its own (conv2dInputGrad and conv2dWeightGrad are linear in both
 * operands, so their gradients are convolutions again), so with
 * `createGraph` higher-order gradients follow.
 */

/** `g` with `rows` zero rows before dim 2 and `cols` zero columns before dim 3 (undoing a 'same' crop). */
function padFront(g: Tensor, [rows, cols]: readonly [number, number]): Tensor {
  let out = g;
  const zerosLike = (shape: number[]) => zeros(shape, { dtype: g.dtype, device: g.device });
  if (rows > 0) out = cat([zerosLike([out.shape[0], out.shape[1], rows, out.shape[3]]), out], 2);
  if (cols > 0) out = cat([zerosLike([out.shape[0], out.shape[1], out.shape[2], cols]), out], 3);
  return out;
}

/** The spatial `[H, W]` of a 4-D shape. */
const spatial = (shape: readonly number[]): [number, number] => [shape[2], shape[3]];

registerGradRule('conv2d', {
  name: 'ConvolutionBackward0',
  saveInputs: [0, 1],
  backward: (ctx, [grad]) => {
    const { window, groups, crop, hasBias } = ctx.attrs as ConvAttrs;
    const [needX, needW, needBias] = ctx.needsInputGrad;
    // conv1d runs as a convolution of height 1: its operands gain that dim here and lose it again.
    const oneD = ctx.inputMeta[0].shape.length === 3;
    const lift = (t: Tensor) => (oneD ? t.unsqueeze(2) : t);
    const drop = (t: Tensor | null) => (t && oneD ? t.squeeze(2) : t);
    const g = padFront(lift(grad), crop);
    const x = lift(ctx.input(0));
    const w = lift(ctx.input(1));
    const gx = needX ? drop(conv2dInputGrad(g, w, spatial(x.shape), window, groups)) : null;
    const gw = needW ? drop(conv2dWeightGrad(x, g, window, groups)) : null;
    if (!hasBias) return [gx, gw];
    return [gx, gw, needBias ? g.sum([0, 2, 3]) : null];
  },
});

registerGradRule('convTranspose2d', {
  name: 'ConvolutionBackward0',
  saveInputs: [0, 1],
  backward: (ctx, [g]) => {
    const { window, groups, hasBias } = ctx.attrs as ConvTransposeAttrs;
    const [needX, needW, needBias] = ctx.needsInputGrad;
    const x = ctx.input(0);
    const w = ctx.input(1);
    // The forward is conv2d's input gradient, so its adjoints are conv2d itself and the weight gradient with roles swapped.
    const gx = needX ? conv2dWindow(g, w, window, groups, spatial(x.shape)) : null;
    const gw = needW ? conv2dWeightGrad(g, x, window, groups) : null;
    if (!hasBias) return [gx, gw];
    return [gx, gw, needBias ? g.sum([0, 2, 3]) : null];
  },
});

interface InputGradAttrs {
  size: [number, number];
  window: Window2d;
  groups: number;
}

registerGradRule('conv2dInputGrad', {
  name: 'ConvolutionBackwardBackward0',
  saveInputs: [0, 1],
  backward: (ctx, [gg]) => {
    const { window, groups } = ctx.attrs as unknown as InputGradAttrs;
    const [needG, needW] = ctx.needsInputGrad;
    const g = ctx.input(0);
    return [
      needG ? conv2dWindow(gg, ctx.input(1), window, groups, spatial(g.shape)) : null,
      needW ? conv2dWeightGrad(gg, g, window, groups) : null,
    ];
  },
});

registerGradRule('conv2dWeightGrad', {
  name: 'ConvolutionBackwardBackward0',
  saveInputs: [0, 1],
  backward: (ctx, [gw]) => {
    const { window, groups } = ctx.attrs as unknown as InputGradAttrs;
    const [needX, needG] = ctx.needsInputGrad;
    const x = ctx.input(0);
    const g = ctx.input(1);
    return [
      needX ? conv2dInputGrad(g, gw, spatial(x.shape), window, groups) : null,
      needG ? conv2dWindow(x, gw, window, groups, spatial(g.shape)) : null,
    ];
  },
});

interface Im2colAttrs {
  window: Window2d;
  size: [number, number];
}

registerGradRule('im2col', {
  name: 'Im2ColBackward0',
  backward: (ctx, [g]) => {
    const { window, size } = ctx.attrs as unknown as Im2colAttrs;
    return [fold(g, size, window.kernel, window)];
  },
});

registerGradRule('col2im', {
  name: 'Col2ImBackward0',
  backward: (ctx, [g]) => {
    const { window } = ctx.attrs as unknown as Im2colAttrs;
    return [unfold(g, window.kernel, window)];
  },
});

interface UnfoldAttrs {
  dim: number;
  size: number;
  step: number;
}

registerGradRule('unfold', {
  name: 'UnfoldBackward0',
  backward: (ctx, [g]) => {
    const { dim, size, step } = ctx.attrs as unknown as UnfoldAttrs;
    return [unfoldBackward(g, ctx.inputMeta[0].shape, dim, size, step)];
  },
});

registerGradRule('unfoldBackward', {
  name: 'UnfoldBackwardBackward0',
  backward: (ctx, [g]) => {
    const { dim, size, step } = ctx.attrs as unknown as UnfoldAttrs;
    return [g.unfold(dim, size, step)];
  },
});
