import { type Tensor, where, zerosLike } from '@kindling/tensor';
import {
  BINARY_OP_NAMES,
  type SmoothBinaryOp,
  type SmoothUnaryOp,
  UNARY_OP_NAMES,
  type UnaryParams,
  binarySpec,
  unarySpec,
} from '@kindling/tensor/backend';
import { type OpCall, reluBackward } from '@kindling/tensor/internal';
import { registerGradRule } from '../rule.js';

/*
 * The derivatives of the op table's elementwise ops, one line each. A unary
 * derivative reads the op's input `x` or its output `y` (whichever gives the
 * simpler or more accurate formula, as PyTorch's derivatives.yaml chooses)
 * and the op's parameters; the table decides which ops have one, and a
 * missing entry does not compile. Piecewise-constant ops get a zero gradient.
 */

/** `g · f'` of a unary op, with PyTorch's name for its node. */
type UnaryDerivative<K extends SmoothUnaryOp> = { readonly name: string } & (
  | { readonly fromGrad: (g: Tensor) => Tensor }
  | { readonly fromInput: (g: Tensor, x: Tensor, p: UnaryParams<K>) => Tensor }
  | { readonly fromOutput: (g: Tensor, y: Tensor, p: UnaryParams<K>) => Tensor }
);

const SQRT1_2 = Math.SQRT1_2;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_TANH_BETA = Math.sqrt(2 / Math.PI);
const GELU_TANH_KAPPA = 0.044715;

/** Φ(x) + x·φ(x): the exact GELU's derivative. */
const geluGrad = (x: Tensor): Tensor =>
  x
    .mul(SQRT1_2)
    .erf()
    .add(1)
    .mul(0.5)
    .add(x.mul(x.square().mul(-0.5).exp()).mul(INV_SQRT_2PI));

/** The tanh-approximated GELU's derivative, as PyTorch writes it (GeluKernel.cpp). */
function geluTanhGrad(x: Tensor): Tensor {
  const t = x.pow(3).mul(GELU_TANH_KAPPA).add(x).mul(GELU_TANH_BETA).tanh();
  const dInner = x
    .square()
    .mul(3 * GELU_TANH_KAPPA)
    .add(1)
    .mul(GELU_TANH_BETA);
  return t
    .add(1)
    .mul(0.5)
    .add(x.mul(0.5).mul(t.square().neg().add(1)).mul(dInner));
}

const UNARY: { readonly [K in SmoothUnaryOp]: UnaryDerivative<K> } = {
  neg: { name: 'NegBackward0', fromGrad: (g) => g.neg() },
  abs: { name: 'AbsBackward0', fromInput: (g, x) => g.mul(x.sign()) },
  exp: { name: 'ExpBackward0', fromOutput: (g, y) => g.mul(y) },
  expm1: { name: 'Expm1Backward0', fromOutput: (g, y) => g.mul(y.add(1)) },
  log: { name: 'LogBackward0', fromInput: (g, x) => g.div(x) },
  log1p: { name: 'Log1PBackward0', fromInput: (g, x) => g.div(x.add(1)) },
  sqrt: { name: 'SqrtBackward0', fromOutput: (g, y) => g.div(y.mul(2)) },
  rsqrt: { name: 'RsqrtBackward0', fromOutput: (g, y) => g.mul(y.pow(3).mul(-0.5)) },
  reciprocal: { name: 'ReciprocalBackward0', fromOutput: (g, y) => g.mul(y.mul(y).neg()) },
  sin: { name: 'SinBackward0', fromInput: (g, x) => g.mul(x.cos()) },
  cos: { name: 'CosBackward0', fromInput: (g, x) => g.mul(x.sin().neg()) },
  tanh: { name: 'TanhBackward0', fromOutput: (g, y) => g.mul(y.mul(y).neg().add(1)) },
  sigmoid: { name: 'SigmoidBackward0', fromOutput: (g, y) => g.mul(y.mul(y.neg().add(1))) },
  erf: { name: 'ErfBackward0', fromInput: (g, x) => g.mul(x.square().neg().exp().mul(TWO_OVER_SQRT_PI)) },
  relu: { name: 'ReluBackward0', fromOutput: (g, y) => reluBackward(g, y) },
  leakyRelu: { name: 'LeakyReluBackward0', fromInput: (g, x, p) => where(x.gt(0), g, g.mul(p.negativeSlope)) },
  elu: { name: 'EluBackward0', fromInput: (g, x, p) => where(x.le(0), g.mul(x.exp().mul(p.alpha)), g) },
  hardtanh: { name: 'HardtanhBackward0', fromInput: (g, x, p) => where(x.le(p.minVal).logicalOr(x.ge(p.maxVal)), 0, g) },
  softplus: { name: 'SoftplusBackward0', fromInput: (g, x, p) => where(x.mul(p.beta).gt(p.threshold), g, g.mul(x.mul(p.beta).sigmoid())) },
  gelu: { name: 'GeluBackward0', fromInput: (g, x) => g.mul(geluGrad(x)) },
  geluTanh: { name: 'GeluBackward0', fromInput: (g, x) => g.mul(geluTanhGrad(x)) },
  silu: { name: 'SiluBackward0', fromInput: (g, x) => g.mul(x.sigmoid().mul(x.mul(x.sigmoid().neg().add(1)).add(1))) },
  logsigmoid: { name: 'LogSigmoidBackward0', fromInput: (g, x) => g.mul(x.neg().sigmoid()) },
};

/** `[g_a, g_b]` of a binary op from the gradient, the operands and the output. */
type BinaryDerivative = {
  readonly name: string | ((call: OpCall) => string);
  /**
   * What backward reads besides the gradient: nothing (add), the operands
   * (div), those and the output (pow), or each operand only for the other's
   * gradient (mul: as in PyTorch, `x.mul(3)` keeps nothing, so `x` may then
   * change in place).
   */
  readonly reads: 'nothing' | 'operands' | 'output' | 'each other';
  readonly backward: (g: Tensor, a: Tensor, b: Tensor, y: Tensor) => readonly Tensor[];
};

/** maximum's rule: the larger input gets the gradient; ties split it evenly (PyTorch). */
function tieSplit(a: Tensor, b: Tensor, g: Tensor): Tensor[] {
  const half = g.div(2);
  return [where(a.gt(b), g, where(a.eq(b), half, 0)), where(b.gt(a), g, where(a.eq(b), half, 0))];
}

/**
 * pow: d/da = b·a^(b-1), defined as 0 where b == 0 (even at a == 0); d/db =
 * a^b·log(a), 0 where a == 0 and b >= 0 (the limit). As PyTorch.
 */
const powGrad = (g: Tensor, a: Tensor, b: Tensor, y: Tensor): Tensor[] => [
  where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))),
  where(a.eq(0).logicalAnd(b.ge(0)), 0, g.mul(y).mul(a.log())),
];

/** pow by a constant 0-dim exponent is PowBackward0 in PyTorch. */
const powName = (call: OpCall): string => (call.inputs[1].ndim === 0 && !call.inputs[1].requiresGrad ? 'PowBackward0' : 'PowBackward1');

const BINARY: { readonly [K in SmoothBinaryOp]: BinaryDerivative } = {
  add: { name: 'AddBackward0', reads: 'nothing', backward: (g) => [g, g] },
  sub: { name: 'SubBackward0', reads: 'nothing', backward: (g) => [g, g.neg()] },
  mul: { name: 'MulBackward0', reads: 'each other', backward: (g, a, b) => [g.mul(b), g.mul(a)] },
  div: { name: 'DivBackward0', reads: 'operands', backward: (g, a, b) => [g.div(b), g.div(b).mul(a).div(b).neg()] },
  pow: { name: powName, reads: 'output', backward: powGrad },
  maximum: { name: 'MaximumBackward0', reads: 'operands', backward: (g, a, b) => tieSplit(a, b, g) },
  // With the operands swapped, tieSplit's first result is the gradient of the smaller one, a.
  minimum: { name: 'MinimumBackward0', reads: 'operands', backward: (g, a, b) => tieSplit(b, a, g) },
  remainder: { name: 'RemainderBackward0', reads: 'operands', backward: (g, a, b) => [g, g.mul(a.floorDivide(b)).neg()] },
};

/** PyTorch's node name of a piecewise-constant op: `floorDivide` → `FloorDivideBackward0`. */
const zeroGradName = (op: string): string => `${op[0].toUpperCase()}${op.slice(1)}Backward0`;

function registerUnary<K extends SmoothUnaryOp>(op: K, d: UnaryDerivative<K>): void {
  const params = (ctx: { attrs: Readonly<Record<string, unknown>> }) => ctx.attrs as UnaryParams<K>;
  if ('fromGrad' in d) registerGradRule(op, { name: d.name, backward: (_ctx, [g]) => [d.fromGrad(g)] });
  else if ('fromInput' in d)
    registerGradRule(op, { name: d.name, saveInputs: [0], backward: (ctx, [g]) => [d.fromInput(g, ctx.input(0), params(ctx))] });
  else registerGradRule(op, { name: d.name, saveOutputs: [0], backward: (ctx, [g]) => [d.fromOutput(g, ctx.output(0), params(ctx))] });
}

for (const op of UNARY_OP_NAMES) {
  const grad = unarySpec(op).grad;
  if (grad === 'smooth') registerUnary(op as SmoothUnaryOp, UNARY[op as SmoothUnaryOp] as UnaryDerivative<SmoothUnaryOp>);
  else if (grad === 'zero') registerGradRule(op, { name: zeroGradName(op), backward: (_ctx, [g]) => [zerosLike(g)] });
}
for (const op of BINARY_OP_NAMES) {
  const grad = binarySpec(op).grad;
  if (grad === 'zero') registerGradRule(op, { name: zeroGradName(op), backward: (_ctx, [g]) => [zerosLike(g), zerosLike(g)] });
  if (grad !== 'smooth') continue;
  const d = BINARY[op as SmoothBinaryOp];
  if (d.reads === 'each other') {
    registerGradRule(op, {
      name: d.name,
      saveInputs: (call) => [0, 1].filter((i) => call.inputs[1 - i].requiresGrad),
      // A product's gradient for each operand is g times the other one.
      backward: (ctx, [g]) => [ctx.needsInputGrad[0] ? g.mul(ctx.input(1)) : null, ctx.needsInputGrad[1] ? g.mul(ctx.input(0)) : null],
    });
    continue;
  }
  registerGradRule(op, {
    name: d.name,
    saveInputs: d.reads === 'nothing' ? [] : [0, 1],
    saveOutputs: d.reads === 'output' ? [0] : [],
    backward: (ctx, [g]) =>
      d.reads === 'nothing' ? d.backward(g, g, g, g) : d.backward(g, ctx.input(0), ctx.input(1), d.reads === 'output' ? ctx.output(0) : g),
  });
}

registerGradRule('affine', {
  name: 'AffineBackward0',
  backward: (ctx, [g]) => [g.mul((ctx.attrs as { scale: number }).scale)],
});
// Its own derivative (for double backward): linear in the gradient, piecewise constant in the output.
registerGradRule('reluBackward', {
  name: 'ThresholdBackwardBackward0',
  saveInputs: [1],
  backward: (ctx, [g]) => [reluBackward(g, ctx.input(1)), null],
});

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
