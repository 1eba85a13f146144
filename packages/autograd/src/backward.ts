import { type BackwardOptions, KindlingError, type Tensor, onesLike } from '@kindling/tensor';
import { type BackwardRoot, runBackward } from './engine.js';
import { edgeOf } from './node.js';

/** Checks a root tensor and the gradient given for it; builds the implicit 1 for scalars. */
export function rootOf(t: Tensor, gradient: Tensor | undefined, index: number, op: string): BackwardRoot {
  const [node, slot] = edgeOf(t);
  if (!node) {
    throw new KindlingError(`${op}: element ${index} of tensors does not require grad and does not have a gradFn`);
  }
  if (gradient === undefined) {
    if (t.numel() !== 1) {
      throw new KindlingError(
        `${op}: grad can be implicitly created only for scalar outputs (got shape [${t.shape.join(',')}]); pass a gradient`,
      );
    }
    return { edge: [node, slot], grad: onesLike(t) };
  }
  if (gradient.shape.length !== t.shape.length || gradient.shape.some((d, i) => d !== t.shape[i])) {
    throw new KindlingError(
      `${op}: mismatch in shape: gradient has shape [${gradient.shape.join(',')}] and output ${index} has shape [${t.shape.join(',')}]`,
    );
  }
  return { edge: [node, slot], grad: gradient };
}

/** `tensor.backward()`: accumulates gradients of `root` into the `.grad` of the leaves. */
export function backward(root: Tensor, gradient: Tensor | undefined, options: BackwardOptions): void {
  const createGraph = options.createGraph ?? false;
  runBackward([rootOf(root, gradient, 0, 'backward')], { retainGraph: options.retainGraph ?? createGraph, createGraph });
}
