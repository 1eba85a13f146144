import type { Tensor } from '@kindling/tensor';
import { BaseTransform } from './transform.js';

/**
 * A transform from a function (`torchvision.transforms.Lambda`). By default
 * `fn` sees one sample and batches are transformed sample by sample; pass
 * `{ batched: true }` when `fn` also works on a batch `[N, ...]`.
 */
export class Lambda extends BaseTransform {
  constructor(
    readonly fn: (x: Tensor) => Tensor,
    private readonly options: { batched?: boolean } = {},
  ) {
    super();
  }

  apply(x: Tensor): Tensor {
    return this.fn(x);
  }

  override applyBatch(x: Tensor): Tensor {
    return this.options.batched ? this.fn(x) : super.applyBatch(x);
  }
}
