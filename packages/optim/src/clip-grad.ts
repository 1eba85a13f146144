import { type Tensor, stack, noGrad } from '@kindling/tensor';

/**
 * Scales gradients so their total norm is at most `maxNorm`
 * (`torch.nn.utils.clip_grad_norm_`). Returns the total norm before clipping.
 */
export function clipGradNorm_(parameters: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  const grads = [...parameters].map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return 0;
  return noGrad(() => {
    let total: Tensor;
    if (normType === Number.POSITIVE_INFINITY) total = stack(grads.map((g) => g.abs().amax())).amax();
    else
      total = stack(grads.map((g) => g.abs().pow(normType).sum()))
        .sum()
        .pow(1 / normType);
    const norm = total.itemSync();
    const coef = Math.min(maxNorm / (norm + 1e-6), 1);
    for (const g of grads) g.mul_(coef);
    return norm;
  });
}

/** Clamps every gradient element into `[-clipValue, clipValue]` (`torch.nn.utils.clip_grad_value_`). */
export function clipGradValue_(parameters: Iterable<Tensor>, clipValue: number): void {
  noGrad(() => {
    for (const p of parameters) p.grad?.clamp_(-clipValue, clipValue);
  });
}
