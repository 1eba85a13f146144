import { type IndexAttrs, type IndexPutAttrs, type Tensor, where, zeros } from '@kindling/tensor';
import { registerGradRule } from '../rule.js';
import { sumToShape } from '../sum-to-shape.js';

/*
 * `x[index] = value` (Tensor.indexPut_). The old values of x where it was
 * written are gone, so they get no gradient; the value gets the incoming
 * gradient of the region it filled, summed back over its broadcast dims.
 * Reads (`Tensor.at`) are views, then for tensor indices one `index` op.
 */

const attrsOf = (attrs: Readonly<Record<string, unknown>>): IndexPutAttrs => attrs as unknown as IndexPutAttrs;

/** Where `x[index] = value` wrote, as a bool tensor of the target's shape (a view of the mask for `x[mask] = scalar`). */
function written(g: Tensor, attrs: IndexPutAttrs): Tensor {
  const { mask } = attrs;
  if (mask) return mask.reshape([...mask.shape, ...g.shape.slice(mask.ndim).map(() => 1)]);
  return zeros(g.shape, { dtype: 'bool', device: g.device }).indexPut_(attrs.index, true);
}

/** The gradient of the value: `g[index]` summed to the value's shape (PyTorch strips the value's leading 1s, then broadcasts). */
function valueGrad(g: Tensor, attrs: IndexPutAttrs, shape: readonly number[]): Tensor {
  if (attrs.mask) return where(written(g, attrs), g, 0).sum().reshape(shape);
  const lead = shape.findIndex((s) => s !== 1);
  const stripped = lead === -1 ? [] : shape.slice(lead);
  return sumToShape(g.at(...attrs.index), stripped).reshape(shape);
}

registerGradRule('indexPut_', {
  name: (call) => attrsOf(call.attrs).nodeName,
  backward: (ctx, [g]) => {
    const attrs = attrsOf(ctx.attrs);
    const target = ctx.needsInputGrad[0] ? where(written(g, attrs), 0, g) : null;
    if (ctx.inputMeta.length === 1) return [target];
    return [target, ctx.needsInputGrad[1] ? valueGrad(g, attrs, ctx.inputMeta[1].shape) : null];
  },
});

/*
 * `v[indices]`, the tensor-index part of `Tensor.at`: the gradient is
 * scatter-added back into the positions read, so an index that repeats
 * accumulates, like PyTorch's index_put_(accumulate=True).
 */
registerGradRule('index', {
  name: 'IndexBackward0',
  saveInputs: [1],
  backward: (ctx, [g]) => {
    const a = ctx.attrs as unknown as IndexAttrs;
    const shape = ctx.inputMeta[0].shape;
    const linear = ctx.input(1);
    const count = linear.shape[0] ?? 0;
    const lead = a.adjacent ? a.rest.slice(0, a.placeAt) : [];
    const tail = a.adjacent ? a.rest.slice(a.placeAt) : a.rest;
    const rowsOfG = g.reshape([...lead, count, ...tail]);
    const index = linear.reshape([...lead.map(() => 1), count, ...tail.map(() => 1)]).expand(rowsOfG.shape);
    const summed = zeros([...lead, a.rows, ...tail], { dtype: g.dtype, device: g.device }).scatterAdd(lead.length, index, rowsOfG);
    if (a.adjacent) return [summed.reshape(shape), null];
    const moved = summed.reshape(a.perm.map((d) => shape[d] as number));
    return [moved.permute(a.perm.map((_, i) => a.perm.indexOf(i))), null];
  },
});
