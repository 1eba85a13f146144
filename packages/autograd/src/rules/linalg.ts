import { type OpCall, type Tensor, matmul } from '@kindling/tensor';
import { registerGradRule } from '../rule.js';

/** Swaps the last two dims. */
const mT = (t: Tensor): Tensor => t.transpose(-1, -2);

/**
 * Gradients of `matmul(a, b)` for every rank combination; 1-D operands are
 * treated as the row/column matrices the forward made of them.
 */
function matmulGrads(a: Tensor, b: Tensor, g: Tensor): [Tensor, Tensor] {
  if (a.ndim === 1 && b.ndim === 1) return [g.mul(b), g.mul(a)];
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(1) : b;
  let g2 = g;
  if (a.ndim === 1) g2 = g2.unsqueeze(-2);
  if (b.ndim === 1) g2 = g2.unsqueeze(-1);
  let ga = matmul(g2, mT(b2));
  let gb = matmul(mT(a2), g2);
  if (a.ndim === 1) ga = ga.squeeze(-2);
  if (b.ndim === 1) gb = gb.squeeze(-1);
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
  backward: (ctx, [g]) => matmulGrads(ctx.input(0), ctx.input(1), g),
});

registerGradRule('mm', {
  name: 'MmBackward0',
  saveInputs: [0, 1],
  backward: (ctx, [g]) => matmulGrads(ctx.input(0), ctx.input(1), g),
});

registerGradRule('linear', {
  name: (call) => ((call.attrs as { hasBias: boolean }).hasBias && call.inputs[0].ndim === 2 ? 'AddmmBackward0' : 'MmBackward0'),
  saveInputs: [0, 1],
  backward: (ctx, [g]) => {
    const x = ctx.input(0);
    const w = ctx.input(1);
    const gx = matmul(g, w);
    // Leading dims of x all index samples: flatten them so the weight gradient is one matrix product.
    const x2 = x.ndim === 1 ? x.unsqueeze(0) : x.reshape(-1, x.shape[x.ndim - 1]);
    const g2 = g.ndim === 1 ? g.unsqueeze(0) : g.reshape(-1, g.shape[g.ndim - 1]);
    const gw = matmul(g2.t(), x2);
    const hasBias = (ctx.attrs as { hasBias: boolean }).hasBias;
    return hasBias ? [gx, gw, g2.sum(0)] : [gx, gw];
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
    return [g.sub(y.exp().mul(g.sum(dim, true)))];
  },
});
