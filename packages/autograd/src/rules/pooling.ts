import type { Tensor } from '@kindling/tensor';
import { type AvgPoolArgs, adaptiveAvgPool2dBackward, avgPool2dBackward, maxPool2dBackward } from '@kindling/tensor/internal';
import { registerGradRule } from '../rule.js';

// Pooling gradients. The forward ops return [values, indices] for max pooling (PyTorch's
// max_pool2d_with_indices), so backward routes each gradient to the input element that won.

registerGradRule('maxPool2d', {
  name: 'MaxPool2DWithIndicesBackward0',
  saveOutputs: [1],
  backward: (ctx, [g]) => [maxPool2dBackward(g, ctx.output(1), ctx.inputMeta[0].shape)],
});

registerGradRule('avgPool2d', {
  name: 'AvgPool2DBackward0',
  backward: (ctx, [g]) => [avgPool2dBackward(g, ctx.inputMeta[0].shape, ctx.attrs as unknown as AvgPoolArgs)],
});

registerGradRule('adaptiveAvgPool2d', {
  // PyTorch computes a 1x1 adaptive average as a mean over the last two dims.
  name: (call) => ((call.attrs.outputSize as number[]).every((s) => s === 1) ? 'MeanBackward1' : 'AdaptiveAvgPool2DBackward0'),
  backward: (ctx, [g]): Tensor[] => [adaptiveAvgPool2dBackward(g, ctx.inputMeta[0].shape)],
});
