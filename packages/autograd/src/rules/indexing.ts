import { type Reduction, type Tensor, isGradEnabled, scatterAdd, zeros } from '@kindling/tensor';
import { nllGradOnHost, nllSampleWeights } from '@kindling/tensor/internal';
import { registerGradRule } from '../rule.js';

/** Zeros of the input's shape with `g` added at `index` along `dim`; differentiable in `g`. */
function scatterInto(shape: readonly number[], dim: number, index: Tensor, g: Tensor): Tensor {
  return scatterAdd(zeros(shape, { dtype: g.dtype, device: g.device }), dim, index, g);
}

registerGradRule('gather', {
  name: 'GatherBackward0',
  saveInputs: [1],
  backward: (ctx, [g]) => {
    const dim = (ctx.attrs as { dim: number }).dim;
    return [scatterInto(ctx.inputMeta[0].shape, dim, ctx.input(1), g), null];
  },
});

registerGradRule('indexSelect', {
  name: 'IndexSelectBackward0',
  saveInputs: [1],
  backward: (ctx, [g]) => {
    const dim = (ctx.attrs as { dim: number }).dim;
    const shape = ctx.inputMeta[0].shape;
    const index = ctx.input(1);
    // Broadcast the 1-D index over g's other dims so one scatter-add routes every slice back.
    const viewShape = g.shape.map((_, i) => (i === dim ? g.shape[i] : 1));
    const expanded = index.reshape(viewShape).expand(g.shape);
    const base = shape.length === 0 ? [1] : shape;
    const grad = scatterInto(base, dim, expanded, g);
    return [shape.length === 0 ? grad.reshape([]) : grad, null];
  },
});

registerGradRule('scatterAdd', {
  name: 'ScatterAddBackward0',
  saveInputs: [1],
  backward: (ctx, [g]) => {
    const dim = (ctx.attrs as { dim: number }).dim;
    return [g, null, g.gather(dim, ctx.input(1))];
  },
});

registerGradRule('topk', {
  name: 'TopkBackward0',
  saveOutputs: [1],
  backward: (ctx, [g]) => {
    const dim = (ctx.attrs as { dim: number }).dim;
    const shape = ctx.inputMeta[0].shape;
    if (shape.length === 0) return [g.reshape([])];
    return [scatterInto(shape, dim, ctx.output(1), g)];
  },
});

registerGradRule('cat', {
  name: 'CatBackward0',
  backward: (ctx, [g]) => {
    const dim = (ctx.attrs as { dim: number }).dim;
    let start = 0;
    return ctx.inputMeta.map((meta) => {
      // cat skips 1-D empty inputs; they get an empty gradient.
      if (meta.shape.length === 1 && meta.shape[0] === 0 && g.ndim !== 1) return zeros([0], { dtype: g.dtype, device: g.device });
      const len = meta.shape[dim];
      const part = g.narrow(dim, start, len);
      start += len;
      return part;
    });
  },
});

registerGradRule('cast', { name: 'ToCopyBackward0', backward: (_ctx, [g]) => [g] });
registerGradRule('clone', { name: 'CloneBackward0', backward: (_ctx, [g]) => [g] });
registerGradRule('toDevice', {
  name: 'ToCopyBackward0',
  backward: (ctx, [g]) => [g.to((ctx.attrs as { from: string }).from)],
});

registerGradRule('nllLoss', {
  name: 'NllLossBackward0',
  saveInputs: [1, 2],
  backward: (ctx, [g]) => {
    const meta = ctx.inputMeta[0];
    const { reduction, ignoreIndex } = ctx.attrs as { reduction: Reduction; ignoreIndex: number };
    const batched = meta.shape.length === 2;
    const weight = ctx.inputMeta.length > 2 ? ctx.input(2) : null;
    // The usual training step (no class weights, no graph of the gradient) builds it in one upload.
    const onHost =
      !weight && g.dtype === meta.dtype && !isGradEnabled() ? nllGradOnHost(g, ctx.input(1), meta.shape, reduction, ignoreIndex) : null;
    if (onHost) return [onHost, null, null];
    const target = batched ? ctx.input(1) : ctx.input(1).unsqueeze(0);
    const classes = meta.shape[meta.shape.length - 1];
    const { safeTarget, sampleWeight } = nllSampleWeights(target, weight, ignoreIndex, classes, meta.dtype);
    // d loss / d input[i, target_i] = -w_i * g (÷ total weight for 'mean'); every other entry is 0.
    const rows = batched ? meta.shape[0] : 1;
    const gi = reduction === 'none' && !batched ? g.reshape([1]) : g;
    // No sample weights means every w_i is 1 and the total weight is the number of samples: then one
    // op on the 0-dim g gives every row's value, -g / rows (bit for bit -g then ÷ rows), and a view spreads it.
    let perSample: Tensor;
    if (sampleWeight) {
      perSample = sampleWeight.neg().mul(gi);
      if (reduction === 'mean') perSample = perSample.div(sampleWeight.sum());
    } else perSample = (reduction === 'mean' ? gi.div(-rows) : gi.neg()).expand([rows]);
    const grad = scatterAdd(
      zeros([rows, classes], { dtype: meta.dtype, device: meta.device }),
      1,
      safeTarget.unsqueeze(1),
      perSample.unsqueeze(1),
    );
    return [batched ? grad : grad.reshape([classes]), null, null];
  },
});

registerGradRule('crossEntropy', {
  name: 'CrossEntropyLossBackward0',
  saveInputs: [0, 1, 2],
  backward: (ctx, [g]) => {
    const meta = ctx.inputMeta[0];
    const { reduction, ignoreIndex } = ctx.attrs as { reduction: Reduction; ignoreIndex: number };
    const batched = meta.shape.length === 2;
    const logits = batched ? ctx.input(0) : ctx.input(0).unsqueeze(0);
    const target = batched ? ctx.input(1) : ctx.input(1).unsqueeze(0);
    const weight = ctx.inputMeta.length > 2 ? ctx.input(2) : null;
    const classes = meta.shape[meta.shape.length - 1];
    const { safeTarget, sampleWeight } = nllSampleWeights(target, weight, ignoreIndex, classes, meta.dtype, 'crossEntropyLoss');
    // d loss_i / d logits[i] = w_i * g_i * (softmax(logits[i]) - onehot(target_i)), ÷ total weight for 'mean'.
    // Computed as PyTorch's NllLossBackward0 then LogSoftmaxBackward0 compute it (v = -w·g at the target,
    // then v·onehot - exp(logp)·v), so training steps round exactly as with F.cross_entropy.
    const gi = reduction === 'none' && !batched ? g.reshape([1]) : g;
    const rows = batched ? meta.shape[0] : 1;
    const scaled = reduction === 'mean' ? gi.div(sampleWeight ? sampleWeight.sum() : rows) : gi;
    const v = (sampleWeight ? sampleWeight.mul(scaled.neg()) : scaled.neg().expand([rows])).unsqueeze(1);
    const spread = logits.logSoftmax(1).exp().mul(v).neg();
    // scatterAdd wants one dtype; float64 logits with float32 class weights leave `v` narrower.
    const grad = scatterAdd(spread, 1, safeTarget.unsqueeze(1), v.cast(spread.dtype));
    return [batched ? grad : grad.reshape([classes]), null, null];
  },
});
