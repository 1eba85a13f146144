import { type Tensor, where, zerosLike } from '@kindling/tensor';
import { reluBackward } from '@kindling/tensor/internal';
import { registerGradRule } from '../rule.js';

/** Gradient of a unary op that only needs its input: `g * df(x)`. */
function unaryOfInput(op: string, name: string, df: (x: Tensor) => Tensor): void {
  registerGradRule(op, { name, saveInputs: [0], backward: (ctx, [g]) => [g.mul(df(ctx.input(0)))] });
}

/** Gradient of a unary op expressed through its output: `g * df(y)`. */
function unaryOfOutput(op: string, name: string, df: (y: Tensor) => Tensor): void {
  registerGradRule(op, { name, saveOutputs: [0], backward: (ctx, [g]) => [g.mul(df(ctx.output(0)))] });
}

/** Piecewise-constant ops: the gradient is zero almost everywhere. */
function zeroGrad(op: string, name: string): void {
  registerGradRule(op, { name, backward: (_ctx, [g]) => [zerosLike(g)] });
}

registerGradRule('add', { name: 'AddBackward0', backward: (_ctx, [g]) => [g, g] });
registerGradRule('affine', {
  name: 'AffineBackward0',
  backward: (ctx, [g]) => [g.mul((ctx.attrs as { scale: number }).scale)],
});
registerGradRule('sub', { name: 'SubBackward0', backward: (_ctx, [g]) => [g, g.neg()] });
registerGradRule('mul', {
  name: 'MulBackward0',
  saveInputs: [0, 1],
  backward: (ctx, [g]) => [g.mul(ctx.input(1)), g.mul(ctx.input(0))],
});
registerGradRule('div', {
  name: 'DivBackward0',
  saveInputs: [0, 1],
  backward: (ctx, [g]) => {
    const b = ctx.input(1);
    const ga = g.div(b);
    return [ga, ga.mul(ctx.input(0)).div(b).neg()];
  },
});
registerGradRule('pow', {
  name: (call) => (call.inputs[1].ndim === 0 && !call.inputs[1].requiresGrad ? 'PowBackward0' : 'PowBackward1'),
  saveInputs: [0, 1],
  saveOutputs: [0],
  backward: (ctx, [g]) => {
    const a = ctx.input(0);
    const b = ctx.input(1);
    // d/da a^b = b * a^(b-1); PyTorch defines it as 0 where b == 0 (even at a == 0).
    const da = where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1))));
    // d/db a^b = a^b * log(a); 0 where a == 0 and b >= 0 (the limit).
    const db = where(a.eq(0).logicalAnd(b.ge(0)), 0, g.mul(ctx.output(0)).mul(a.log()));
    return [da, db];
  },
});
registerGradRule('maximum', {
  name: 'MaximumBackward0',
  saveInputs: [0, 1],
  backward: (ctx, [g]) => tieSplit(ctx.input(0), ctx.input(1), g),
});
registerGradRule('minimum', {
  name: 'MinimumBackward0',
  saveInputs: [0, 1],
  // With the arguments swapped, tieSplit's first result is the gradient of the smaller input, a.
  backward: (ctx, [g]) => tieSplit(ctx.input(1), ctx.input(0), g),
});

/** maximum's rule: the larger input gets the gradient; ties split it evenly (PyTorch). */
function tieSplit(a: Tensor, b: Tensor, g: Tensor): Tensor[] {
  const half = g.div(2);
  const ga = where(a.gt(b), g, where(a.eq(b), half, 0));
  const gb = where(b.gt(a), g, where(a.eq(b), half, 0));
  return [ga, gb];
}

registerGradRule('remainder', {
  name: 'RemainderBackward0',
  saveInputs: [0, 1],
  backward: (ctx, [g]) => [g, g.mul(ctx.input(0).floorDivide(ctx.input(1))).neg()],
});
zeroGrad('floorDivide', 'FloorDivideBackward0');

registerGradRule('neg', { name: 'NegBackward0', backward: (_ctx, [g]) => [g.neg()] });
unaryOfInput('abs', 'AbsBackward0', (x) => x.sign());
unaryOfOutput('exp', 'ExpBackward0', (y) => y);
unaryOfOutput('expm1', 'Expm1Backward0', (y) => y.add(1));
unaryOfInput('log', 'LogBackward0', (x) => x.reciprocal());
unaryOfInput('log1p', 'Log1PBackward0', (x) => x.add(1).reciprocal());
unaryOfOutput('sqrt', 'SqrtBackward0', (y) => y.mul(2).reciprocal());
unaryOfOutput('rsqrt', 'RsqrtBackward0', (y) => y.pow(3).mul(-0.5));
unaryOfOutput('reciprocal', 'ReciprocalBackward0', (y) => y.mul(y).neg());
unaryOfInput('sin', 'SinBackward0', (x) => x.cos());
unaryOfInput('cos', 'CosBackward0', (x) => x.sin().neg());
unaryOfOutput('tanh', 'TanhBackward0', (y) => y.mul(y).neg().add(1));
unaryOfOutput('sigmoid', 'SigmoidBackward0', (y) => y.mul(y.neg().add(1)));
registerGradRule('relu', { name: 'ReluBackward0', saveOutputs: [0], backward: (ctx, [g]) => [reluBackward(g, ctx.output(0))] });
// Its own derivative (for double backward): linear in the gradient, piecewise constant in the output.
registerGradRule('reluBackward', {
  name: 'ThresholdBackwardBackward0',
  saveInputs: [1],
  backward: (ctx, [g]) => [reluBackward(g, ctx.input(1)), null],
});
zeroGrad('sign', 'SignBackward0');
zeroGrad('floor', 'FloorBackward0');
zeroGrad('ceil', 'CeilBackward0');
zeroGrad('round', 'RoundBackward0');
zeroGrad('trunc', 'TruncBackward0');

registerGradRule('where', {
  name: 'WhereBackward0',
  saveInputs: [0],
  backward: (ctx, [g]) => {
    const c = ctx.input(0);
    return [null, where(c, g, 0), where(c, 0, g)];
  },
});

registerGradRule('clamp', {
  name: 'ClampBackward1',
  saveInputs: [0],
  backward: (ctx, [g]) => {
    const x = ctx.input(0);
    const { min, max } = ctx.attrs as { min: number | null; max: number | null };
    let inside = min === null ? null : x.ge(min);
    if (max !== null) inside = inside ? inside.logicalAnd(x.le(max)) : x.le(max);
    return [where(inside as Tensor, g, 0)];
  },
});
