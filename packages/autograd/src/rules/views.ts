import { type Tensor, zeros } from '@kindling/tensor';
import { dispatch } from '@kindling/tensor/internal';
import { registerGradRule } from '../rule.js';

const backToInputShape = (name: string) => ({
  name,
  backward: (ctx: { inputMeta: readonly { shape: readonly number[] }[] }, [g]: readonly Tensor[]) => [g.reshape(ctx.inputMeta[0].shape)],
});

registerGradRule('view', backToInputShape('ViewBackward0'));
registerGradRule('reshape', backToInputShape('UnsafeViewBackward0'));
registerGradRule('squeeze', backToInputShape('SqueezeBackward1'));
registerGradRule('unsqueeze', backToInputShape('UnsqueezeBackward0'));

registerGradRule('permute', {
  name: 'PermuteBackward0',
  backward: (ctx, [g]) => {
    const dims = (ctx.attrs as { dims: number[] }).dims;
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => {
      inverse[d] = i;
    });
    return [g.permute(inverse)];
  },
});

registerGradRule('transpose', {
  name: 'TransposeBackward0',
  backward: (ctx, [g]) => {
    const { dim0, dim1 } = ctx.attrs as { dim0: number; dim1: number };
    return [g.transpose(dim0, dim1)];
  },
});

// The engine sums a gradient back to its input's shape, which is exactly expand's derivative.
registerGradRule('expand', { name: 'ExpandBackward0', backward: (_ctx, [g]) => [g] });

interface SliceAttrs {
  dim: number;
  start: number;
  end: number;
  step: number;
}

/**
 * The gradient of a slice: zeros of the input's shape with `g` written into
 * the sliced window. It is an op of its own so that, with `createGraph`, its
 * derivative (slicing again) is recorded too.
 */
function sliceBackward(g: Tensor, shape: readonly number[], attrs: SliceAttrs): Tensor {
  return dispatch('sliceBackward', [g], { ...attrs, shape }, () => {
    const out = zeros(shape, { dtype: g.dtype, device: g.device });
    const window = out.slice(attrs.dim, attrs.start, attrs.end, attrs.step);
    window.copy_(g);
    window.dispose();
    return out;
  });
}

registerGradRule('slice', {
  name: 'SliceBackward0',
  backward: (ctx, [g]) => [sliceBackward(g, ctx.inputMeta[0].shape, ctx.attrs as unknown as SliceAttrs)],
});

registerGradRule('sliceBackward', {
  name: 'SliceBackwardBackward0',
  backward: (ctx, [g]) => {
    const { dim, start, end, step } = ctx.attrs as unknown as SliceAttrs;
    return [g.slice(dim, start, end, step)];
  },
});

registerGradRule('select', {
  name: 'SelectBackward0',
  backward: (ctx, [g]) => {
    const { dim, index } = ctx.attrs as { dim: number; index: number };
    return [sliceBackward(g.unsqueeze(dim), ctx.inputMeta[0].shape, { dim, start: index, end: index + 1, step: 1 })];
  },
});
