import { Tensor } from '@kindling/tensor';

/**
 * A tensor that is a module's learnable weight (`torch.nn.Parameter`). It
 * shares `data`'s storage, is a leaf, and requires grad unless told otherwise.
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape, data.strides, data.offset);
    if (requiresGrad) this.requiresGrad_(true);
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

export function isParameter(value: unknown): value is Parameter {
  return value instanceof Parameter;
}
