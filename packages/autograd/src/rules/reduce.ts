import type { Tensor } from '@kindling/tensor';
import { registerGradRule } from '../rule.js';

interface ReduceAttrs {
  dims: readonly number[];
  keepdim: boolean;
}

/** Re-inserts reduced dims (as size 1) so `g` broadcasts against the input. */
function unreduce(g: Tensor, attrs: ReduceAttrs, rank: number): Tensor {
  if (attrs.keepdim || attrs.dims.length === 0) return g;
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(attrs.dims.includes(i) ? 1 : g.shape[k++]);
  return g.reshape(shape);
}

const allDims = (attrs: ReduceAttrs, rank: number) => attrs.dims.length === rank;

registerGradRule('sum', {
  name: (call) =>
    allDims(call.attrs as unknown as ReduceAttrs, call.inputs[0].ndim) && !(call.attrs as unknown as ReduceAttrs).keepdim
      ? 'SumBackward0'
      : 'SumBackward1',
  backward: (ctx, [g]) => {
    const meta = ctx.inputMeta[0];
    return [unreduce(g, ctx.attrs as unknown as ReduceAttrs, meta.shape.length).expand(meta.shape)];
  },
});

registerGradRule('mean', {
  name: (call) =>
    allDims(call.attrs as unknown as ReduceAttrs, call.inputs[0].ndim) && !(call.attrs as unknown as ReduceAttrs).keepdim
      ? 'MeanBackward0'
      : 'MeanBackward1',
  backward: (ctx, [g]) => {
    const meta = ctx.inputMeta[0];
    const attrs = ctx.attrs as unknown as ReduceAttrs;
    const count = attrs.dims.reduce((n, d) => n * meta.shape[d], 1);
    return [unreduce(g, attrs, meta.shape.length).div(count).expand(meta.shape)];
  },
});

registerGradRule('prod', {
  name: (call) => (allDims(call.attrs as unknown as ReduceAttrs, call.inputs[0].ndim) ? 'ProdBackward0' : 'ProdBackward1'),
  saveInputs: [0],
  saveOutputs: [0],
  backward: (ctx, [g]) => {
    const x = ctx.input(0);
    const attrs = ctx.attrs as unknown as ReduceAttrs;
    const y = unreduce(ctx.output(0), attrs, x.ndim);
    // d prod / dx_i = prod / x_i; exact for inputs without zeros.
    return [unreduce(g, attrs, x.ndim).mul(y).div(x)];
  },
});

/** amax/amin: the gradient is shared evenly by the elements that attain the extremum. */
function extremumRule(op: string, name: string): void {
  registerGradRule(op, {
    name,
    saveInputs: [0],
    saveOutputs: [0],
    backward: (ctx, [g]) => {
      const x = ctx.input(0);
      const attrs = ctx.attrs as unknown as ReduceAttrs;
      const mask = x.eq(unreduce(ctx.output(0), attrs, x.ndim)).cast(x.dtype);
      const count = mask.sum(attrs.dims as number[], true);
      return [unreduce(g, attrs, x.ndim).mul(mask).div(count)];
    },
  });
}
extremumRule('amax', 'AmaxBackward0');
extremumRule('amin', 'AminBackward0');

registerGradRule('logsumexp', {
  name: 'LogsumexpBackward0',
  saveInputs: [0],
  saveOutputs: [0],
  backward: (ctx, [g]) => {
    const x = ctx.input(0);
    const attrs = ctx.attrs as unknown as ReduceAttrs;
    return [unreduce(g, attrs, x.ndim).mul(x.sub(unreduce(ctx.output(0), attrs, x.ndim)).exp())];
  },
});
