import { type Tensor, isGradEnabled, matmul } from '@kindling/tensor';
import { type OpCall, linearBackward, logSoftmaxBackward } from '@kindling/tensor/internal';
import { registerGradRule } from '../rule.js';

/** Swaps the last two dims. */
const mT = (t: Tensor): Tensor => t.transpose(-1, -2);

/**
 * Gradients of `matmul(a, b)` for every rank combination; 1-D operands are
 * treated as the row/column matrices the forward made of them.
 */
function matmulGrads(a: Tensor, b: Tensor, g: Tensor, [needA, needB]: readonly boolean[]): [Tensor | null, Tensor | null] {
  if (a.ndim === 1 && b.ndim === 1) return [needA ? g.mul(b) : null, needB ? g.mul(a) : null];
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(1) : b;
  let g2 = g;
  if (a.ndim === 1) g2 = g2.unsqueeze(-2);
  if (b.ndim === 1) g2 = g2.unsqueeze(-1);
  // A product not needed (an input batch, a frozen weight) is never computed.
  let ga = needA ? matmul(g2, mT(b2)) : null;
  let gb = needB ? matmul(mT(a2), g2) : null;
  if (ga && a.ndim === 1) ga = ga.squeeze(-2);
  if (gb && b.ndim === 1) gb = gb.squeeze(-1);
  return [ga, gb];
}

function matmulName(call: OpCall): string {
  const [a, b] = call.inputs;
  if (a.ndim === 1 && b.ndim === 1) return 'DotBackward0';
  if (a.ndim === 2 && b.ndim === 1) return 'MvBackward0';
  if (a.ndim <= 2 && b.ndim <= 2) return 'MmBackward0';
  return 'BmmBackward0';
}

registerGradRule('matmul', {
  name: matmulName,
  saveInputs: [0, 1],
  backward: (ctx, [g]) => matmulGrads(ctx.input(0), ctx.input(1), g, ctx.needsInputGrad),
});

registerGradRule('mm', {
  name: 'MmBackward0',
  saveInputs: [0, 1],
  backward: (ctx, [g]) => matmulGrads(ctx.input(0), ctx.input(1), g, ctx.needsInputGrad),
});

registerGradRule('linear', {
  name: (call) => ((call.attrs as { hasBias: boolean }).hasBias && call.inputs[0].ndim === 2 ? 'AddmmBackward0' : 'MmBackward0'),
  saveInputs: [0, 1],
  backward: (ctx, [g]) => {
    const x = ctx.input(0);
    const w = ctx.input(1);
    const [needX, needW, needBias] = ctx.needsInputGrad;
    const hasBias = (ctx.attrs as { hasBias: boolean }).hasBias;
    // The usual batch with no graph of the gradients: one op, no transposed view or checks in between.
    // (A gradient of another dtype takes the ops, whose matmul refuses it by name.)
    if (x.ndim === 2 && g.ndim === 2 && g.dtype === x.dtype && w.dtype === x.dtype && !isGradEnabled()) {
      const [gx, gw, gb] = linearBackward(g, x, w, [needX, needW, hasBias && needBias]);
      return hasBias ? [gx, gw, gb] : [gx, gw];
    }
    // The first layer's input is data: its gradient, the biggest product here, is skipped.
    const gx = needX ? matmul(g, w) : null;
    // Leading dims of x all index samples: flatten them so the weight gradient is one matrix product.
    // A 2-D x (the usual batch) is used as it is: a reshape to its own shape would still make a view.
    const x2 = x.ndim === 2 ? x : x.ndim === 1 ? x.unsqueeze(0) : x.reshape(-1, x.shape[x.ndim - 1]);
    const g2 = g.ndim === 2 ? g : g.ndim === 1 ? g.unsqueeze(0) : g.reshape(-1, g.shape[g.ndim - 1]);
    const gw = needW ? matmul(g2.t(), x2) : null;
    return hasBias ? [gx, gw, needBias ? g2.sum(0) : null] : [gx, gw];
  },
});

registerGradRule('softmax', {
  name: 'SoftmaxBackward0',
  saveOutputs: [0],
  backward: (ctx, [g]) => {
    const y = ctx.output(0);
    const dim = (ctx.attrs as { dim: number }).dim;
    return [y.mul(g.sub(g.mul(y).sum(dim, true)))];
  },
});

registerGradRule('logSoftmax', {
  name: 'LogSoftmaxBackward0',
  saveOutputs: [0],
  backward: (ctx, [g]) => {
    const y = ctx.output(0);
    const dim = (ctx.attrs as { dim: number }).dim;
    // Building a graph (double backward) needs the differentiable ops; otherwise one fused op does.
    if (!isGradEnabled()) return [logSoftmaxBackward(g, y, dim)];
    return [g.sub(y.exp().mul(g.sum(dim, true)))];
  },
});
