import type { Tensor } from '@kindling/tensor';
import type { Transform } from './transform.js';

/** Flattens a sample to 1-D (a batch to `[N, features]`), e.g. 1×28×28 images to 784 features for an MLP. */
export class Flatten implements Transform {
  apply(x: Tensor): Tensor {
    return x.reshape(-1);
  }

  applyBatch(x: Tensor): Tensor {
    return x.reshape(x.shape[0], -1);
  }
}
