import type { View } from '../backend.js';
import { dispatch } from '../dispatch.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkSameDevice, fromHandle } from './util.js';

/** Which of `linear`'s gradients to compute: input, weight, bias. */
export type LinearGradsNeeded = readonly [input: boolean, weight: boolean, bias: boolean];

/**
 * The gradients of `linear(x, weight, bias)` for a 2-D input, from the output
 * gradient `grad` (`[N, out]`): `grad @ weight`, `gradᵀ @ x` and the column sums
 * of `grad`, each only where `needed`. They are the products and the sum the
 * differentiable ops compute (the same backend kernels on the same operands, so
 * the same bits), in one op: the transpose is a strided view of `grad` handed to
 * the kernel, not a tensor, and no op in between checks, records or frees.
 * Not differentiable: autograd calls it only when no graph is being built.
 */
export function linearBackward(
  grad: Tensor,
  x: Tensor,
  weight: Tensor,
  needed: LinearGradsNeeded,
): [Tensor | null, Tensor | null, Tensor | null] {
  const backend = checkSameDevice('linearBackward', [grad, x, weight]);
  const [n, out] = grad.shape;
  if (grad.ndim !== 2 || x.ndim !== 2 || x.shape[0] !== n || weight.shape[0] !== out || weight.shape[1] !== x.shape[1]) {
    throw new ShapeError(
      `linearBackward: grad ${fmtShape(grad.shape)}, input ${fmtShape(x.shape)} and weight ${fmtShape(weight.shape)} do not match a 2-D linear layer`,
    );
  }
  if (grad.dtype !== x.dtype || weight.dtype !== x.dtype) {
    throw new DTypeError(`linearBackward: expected grad, input and weight of one dtype, got ${grad.dtype}, ${x.dtype} and ${weight.dtype}`);
  }
  const inputs = [grad, x, weight];
  const results = dispatch('linearBackward', inputs, { needed }, () => {
    const g = grad.view_();
    const made: Tensor[] = [];
    if (needed[0]) made.push(fromHandle(backend, backend.matmul(g, weight.view_()), grad.dtype, [n, weight.shape[1]]));
    if (needed[1]) {
      const gT: View = { ...g, shape: [out, n], strides: [g.strides[1], g.strides[0]] };
      made.push(fromHandle(backend, backend.matmul(gT, x.view_()), grad.dtype, [out, x.shape[1]]));
    }
    if (needed[2]) made.push(fromHandle(backend, backend.reduce('sum', g, [0], grad.dtype), grad.dtype, [out]));
    return made;
  });
  let next = 0;
  return [needed[0] ? results[next++] : null, needed[1] ? results[next++] : null, needed[2] ? results[next++] : null];
}
