import { type InterpolateAttrs, type PadAttrs, interpolateBackward, padBackward } from '@kindling/tensor/internal';
import type { OpCall } from '@kindling/tensor/internal';
import { registerGradRule } from '../rule.js';

/** PyTorch's node of a pad: one per mode, and per padded rank for the border modes. */
function padName(call: OpCall): string {
  const { mode, sides } = call.attrs as unknown as PadAttrs;
  if (mode === 'constant') return 'ConstantPadNdBackward0';
  return `${mode === 'reflect' ? 'Reflection' : 'Replication'}Pad${sides.length}DBackward0`;
}

registerGradRule('pad', {
  name: padName,
  backward: (ctx, [g]) => [padBackward(g, ctx.inputMeta[0].shape, ctx.attrs as unknown as PadAttrs)],
});

registerGradRule('interpolate', {
  name: (call) =>
    (call.attrs as unknown as InterpolateAttrs).mode === 'nearest' ? 'UpsampleNearest2DBackward0' : 'UpsampleBilinear2DBackward0',
  backward: (ctx, [g]) => [interpolateBackward(g, ctx.inputMeta[0].shape, ctx.attrs as unknown as InterpolateAttrs)],
});
