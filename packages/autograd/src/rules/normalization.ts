import type { Tensor } from '@kindling/tensor';
import type { BatchNormAttrs } from '@kindling/tensor/internal';
import { registerGradRule } from '../rule.js';

/**
 * Batch norm's gradient in closed form, from the statistics the forward
 * returned (outputs 1 and 2: the per-channel mean and 1/std it normalised
 * with). In training the statistics depend on the input:
 * `dx = invStd * w * (g - mean(g) - xhat * mean(g * xhat))`; in evaluation
 * they are constants and `dx = g * invStd * w`. Either way
 * `dweight = sum(g * xhat)` and `dbias = sum(g)` over every dim but 1.
 */
registerGradRule('batchNorm', {
  name: 'NativeBatchNormBackward0',
  saveInputs: [0, 1],
  saveOutputs: [1, 2],
  backward: (ctx, [g]) => {
    const attrs = ctx.attrs as unknown as BatchNormAttrs;
    const x = ctx.input(0);
    const [needX, ...needParams] = ctx.needsInputGrad;
    const needWeight = attrs.hasWeight && needParams[0];
    const needBias = attrs.hasBias && needParams[attrs.hasWeight ? 1 : 0];
    const perChannel = x.shape.map((d, i) => (i === 1 ? d : 1));
    const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const mean = ctx.output(1).reshape(perChannel);
    const invStd = ctx.output(2).reshape(perChannel);
    const weight = attrs.hasWeight ? ctx.input(1).reshape(perChannel) : null;
    const wide = g.cast(invStd.dtype);
    const xhat = needWeight || (needX && attrs.training) ? x.sub(mean).mul(invStd) : null;
    let gx: Tensor | null = null;
    if (needX) {
      const scale = weight ? invStd.mul(weight) : invStd;
      const centered = attrs.training
        ? wide.sub(wide.mean(dims, true)).sub((xhat as Tensor).mul(wide.mul(xhat as Tensor).mean(dims, true)))
        : wide;
      gx = centered.mul(scale);
    }
    const grads: (Tensor | null)[] = [gx];
    if (attrs.hasWeight) grads.push(needWeight ? wide.mul(xhat as Tensor).sum(dims) : null);
    if (attrs.hasBias) grads.push(needBias ? wide.sum(dims) : null);
    return grads;
  },
});
