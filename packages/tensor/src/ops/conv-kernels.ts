import type { View, Window2d } from '../backend.js';
import type { Tensor } from '../tensor.js';
import { col2imKernel } from './col2im.js';
import { fillsGrid, im2colKernel, zerosOn } from './im2col.js';
import { backendOf, castTo, disposeTemps, fromHandle } from './util.js';
import { viewStrides } from './views.js';
import { declareFusedUse } from '../fused-use.js';

declareFusedUse('conv2d', 'conv2dInputGrad', 'conv2dWeightGrad');

/*
 * The three products of a convolution, each through the backend's fused
 * kernel when it takes the case and otherwise lowered to im2col/col2im and
 * one batched `matmul` over the groups. Operands are 4-D and already
 * checked; results are fresh contiguous tensors. float16 runs in float32
 * and rounds once, like PyTorch's half convolutions.
 */

/** `t` (4-D) viewed as `shape` when its strides allow, else a contiguous copy viewed so. Returns the view and any copy. */
function viewAs(t: Tensor, shape: readonly number[]): [View, Tensor | null] {
  const strides = viewStrides(t.shape, t.strides, shape);
  if (strides) return [{ ...t.view_(), shape, strides }, null];
  const b = backendOf(t);
  const copy = fromHandle(b, b.cast(t.view_(), t.dtype), t.dtype, t.shape);
  return [{ ...copy.view_(), shape, strides: viewStrides(copy.shape, copy.strides, shape) as number[] }, copy];
}

/** Swaps the last two dims of a view. */
function mT(v: View): View {
  const r = v.shape.length;
  const shape = [...v.shape];
  const strides = [...v.strides];
  [shape[r - 2], shape[r - 1]] = [shape[r - 1], shape[r - 2]];
  [strides[r - 2], strides[r - 1]] = [strides[r - 1], strides[r - 2]];
  return { ...v, shape, strides };
}

/** A view with a stride-0 leading dim of `n` (the batch a weight is shared over). */
const overBatch = (v: View, n: number): View => ({ ...v, shape: [n, ...v.shape], strides: [0, ...v.strides] });

/** Runs a float16 product in float32 and rounds its result once. */
function inFloat32(operands: readonly Tensor[], run: (wide: Tensor[]) => Tensor): Tensor {
  const wide = operands.map((t) => castTo(t, 'float32'));
  const product = run(wide);
  const out = castTo(product, 'float16');
  disposeTemps([...wide, product], [...operands, out]);
  return out;
}

/** `conv2d(x, weight) + bias` for `x` `[N, Cin, H, W]`, giving `[N, Cout, ...blocks]`. */
export function convForwardKernel(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  window: Window2d,
  groups: number,
  blocks: readonly [number, number],
): Tensor {
  const [n] = x.shape;
  const cout = weight.shape[0];
  const shape = [n, cout, blocks[0], blocks[1]];
  if (n * cout * blocks[0] * blocks[1] === 0) return zerosOn(x, shape);
  const b = backendOf(x);
  const handle = b.fused?.conv2d?.(x.view_(), weight.view_(), bias ? bias.view_() : null, window, groups) ?? null;
  if (handle !== null) return fromHandle(b, handle, x.dtype, shape);
  if (x.dtype === 'float16') {
    return inFloat32(bias ? [x, weight, bias] : [x, weight], ([wx, ww, wb]) =>
      convForwardKernel(wx, ww, wb ?? null, window, groups, blocks),
    );
  }
  const ck = weight.shape[1] * window.kernel[0] * window.kernel[1];
  const l = blocks[0] * blocks[1];
  const cols = im2colKernel(x, window, blocks);
  const colsView: View = { ...cols.view_(), shape: [n, groups, ck, l], strides: [groups * ck * l, ck * l, l, 1] };
  const [w, wCopy] = viewAs(weight, [groups, cout / groups, ck]);
  const product = fromHandle(b, b.matmul(overBatch(w, n), colsView), x.dtype, shape);
  disposeTemps(wCopy ? [cols, wCopy] : [cols], []);
  if (!bias) return product;
  const out = addChannelBias(product, bias);
  product.dispose();
  return out;
}

/** `t` `[N, C, H, W]` plus `bias[c]` on every channel, as a new tensor. */
export function addChannelBias(t: Tensor, bias: Tensor): Tensor {
  const b = backendOf(t);
  const biasView: View = { ...bias.view_(), shape: t.shape, strides: [0, bias.strides[0], 0, 0] };
  return fromHandle(b, b.binary('add', t.view_(), biasView, t.dtype), t.dtype, t.shape);
}

/**
 * The gradient of `conv2d` with respect to its input (a transposed
 * convolution): `grad` `[N, Cout, outH, outW]` through `weight` into
 * `[N, Cin, ...size]`, as `col2im(weightᵀ @ grad)`.
 */
export function convInputGradKernel(
  grad: Tensor,
  weight: Tensor,
  size: readonly [number, number],
  window: Window2d,
  groups: number,
): Tensor {
  const [n, cout, oh, ow] = grad.shape;
  const cin = weight.shape[1] * groups;
  const shape = [n, cin, size[0], size[1]];
  if (n * cin * size[0] * size[1] === 0) return zerosOn(grad, shape);
  const b = backendOf(grad);
  const handle = fillsGrid(size, window, [oh, ow])
    ? (b.fused?.conv2dInputGrad?.(grad.view_(), weight.view_(), size, window, groups) ?? null)
    : null;
  if (handle !== null) return fromHandle(b, handle, grad.dtype, shape);
  if (grad.dtype === 'float16') {
    return inFloat32([grad, weight], ([wg, ww]) => convInputGradKernel(wg, ww, size, window, groups));
  }
  const ck = weight.shape[1] * window.kernel[0] * window.kernel[1];
  const [w, wCopy] = viewAs(weight, [groups, cout / groups, ck]);
  const [g, gCopy] = viewAs(grad, [n, groups, cout / groups, oh * ow]);
  const cols = fromHandle(b, b.matmul(overBatch(mT(w), n), g), grad.dtype, [n, cin * window.kernel[0] * window.kernel[1], oh * ow]);
  const out = col2imKernel(cols, size, window, [oh, ow]);
  disposeTemps([cols, ...(wCopy ? [wCopy] : []), ...(gCopy ? [gCopy] : [])], []);
  return out;
}

/**
 * The gradient of `conv2d` with respect to its weight, summed over the batch:
 * `grad` `[N, Cout, outH, outW]` against the input's columns, one product
 * per group with the batch folded into the inner dimension.
 */
export function convWeightGradKernel(x: Tensor, grad: Tensor, window: Window2d, groups: number): Tensor {
  const [n, cin] = x.shape;
  const [, cout, oh, ow] = grad.shape;
  const [kh, kw] = window.kernel;
  const shape = [cout, cin / groups, kh, kw];
  if (n * oh * ow === 0) return zerosOn(x, shape);
  const b = backendOf(x);
  const handle = fillsGrid(x.shape.slice(2), window, [oh, ow])
    ? (b.fused?.conv2dWeightGrad?.(x.view_(), grad.view_(), window, groups) ?? null)
    : null;
  if (handle !== null) return fromHandle(b, handle, x.dtype, shape);
  if (x.dtype === 'float16') return inFloat32([x, grad], ([wx, wg]) => convWeightGradKernel(wx, wg, window, groups));
  const ck = (cin / groups) * kh * kw;
  const l = oh * ow;
  const cols = im2colKernel(x, window, [oh, ow], 'channels');
  const colsView: View = { ...cols.view_(), shape: [groups, ck, n * l], strides: [ck * n * l, n * l, 1] };
  // The gradient as [Cout, N*L]: a view for a batch of one, a copy of [N, Cout, L] transposed otherwise.
  const gPerm: Tensor = grad.permute([1, 0, 2, 3]);
  const [g, gCopy] = viewAs(gPerm, [groups, cout / groups, n * l]);
  const out = fromHandle(b, b.matmul(g, mT(colsView)), x.dtype, shape);
  disposeTemps([cols, gPerm, ...(gCopy ? [gCopy] : [])], []);
  return out;
}
