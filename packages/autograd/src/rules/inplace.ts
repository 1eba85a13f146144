import { type Tensor, where } from '@kindling/tensor';
import { reluBackward } from '@kindling/tensor/internal';
import { registerGradRule } from '../rule.js';

/*
 * Derivatives of in-place ops on tensors in the graph. Input 0 is the tensor
 * written to; when a rule needs its value from before the write, the recorder
 * saves a copy taken before the op ran.
 */

interface ScalarAttrs {
  scalar?: number;
  alpha?: number;
}

const scalarOf = (attrs: Readonly<Record<string, unknown>>): number | undefined => (attrs as ScalarAttrs).scalar;

registerGradRule('add_', {
  name: 'AddBackward0',
  backward: (ctx, [g]) => [g, g.mul((ctx.attrs as ScalarAttrs).alpha ?? 1)],
});
registerGradRule('sub_', {
  name: 'SubBackward0',
  backward: (ctx, [g]) => [g, g.mul(-((ctx.attrs as ScalarAttrs).alpha ?? 1))],
});
registerGradRule('mul_', {
  name: 'MulBackward0',
  saveInputs: [0, 1],
  backward: (ctx, [g]) => {
    const s = scalarOf(ctx.attrs);
    if (s !== undefined) return [g.mul(s)];
    return [g.mul(ctx.input(1)), g.mul(ctx.input(0))];
  },
});
registerGradRule('div_', {
  name: 'DivBackward0',
  saveInputs: [0, 1],
  backward: (ctx, [g]) => {
    const s = scalarOf(ctx.attrs);
    if (s !== undefined) return [g.div(s)];
    const b = ctx.input(1);
    const ga = g.div(b);
    return [ga, ga.mul(ctx.input(0)).div(b).neg()];
  },
});
registerGradRule('neg_', { name: 'NegBackward0', backward: (_ctx, [g]) => [g.neg()] });
registerGradRule('relu_', { name: 'ReluBackward0', saveOutputs: [0], backward: (ctx, [g]) => [reluBackward(g, ctx.output(0))] });
registerGradRule('clamp_', {
  name: 'ClampBackward1',
  saveInputs: [0],
  backward: (ctx, [g]) => {
    const x = ctx.input(0);
    const { min, max } = ctx.attrs as { min?: number | null; max?: number | null };
    let inside: Tensor | null = min === null || min === undefined ? null : x.ge(min);
    if (max !== null && max !== undefined) inside = inside ? inside.logicalAnd(x.le(max)) : x.le(max);
    return [inside ? where(inside, g, 0) : g];
  },
});
// The old value is overwritten, so it receives no gradient; the source receives all of it.
registerGradRule('fill_', { name: 'FillBackward0', backward: () => [null] });
registerGradRule('copy_', { name: 'CopyBackwards', backward: (_ctx, [g]) => [null, g] });
