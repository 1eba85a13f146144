/**
 * PyTorch's warning for reading `.grad` of a non-leaf tensor, which
 * `backward()` never fills unless the tensor called `retainGrad()`. Emitted
 * once per process, as Python shows a UserWarning once per call site.
 */
export const NON_LEAF_GRAD_WARNING =
  "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated " +
  'during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retainGrad() ' +
  'on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. ' +
  'See github.com/pytorch/pytorch/pull/30531 for more informations.';

let warned = false;

interface WarningProcess {
  emitWarning?: (message: string, type?: string) => void;
}

/** Warns about a non-leaf `.grad` read, the first time only. */
export function warnNonLeafGrad(): void {
  if (warned) return;
  warned = true;
  // `process` is absent in browsers; read it off globalThis so no Node types are needed.
  const proc = (globalThis as { process?: WarningProcess }).process;
  if (typeof proc?.emitWarning === 'function') proc.emitWarning(NON_LEAF_GRAD_WARNING, 'UserWarning');
  else console.warn(`UserWarning: ${NON_LEAF_GRAD_WARNING}`);
}

/** @internal Lets tests see the warning again. */
export function resetNonLeafGradWarning(): void {
  warned = false;
}
