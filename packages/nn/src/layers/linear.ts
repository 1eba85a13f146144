import { type Tensor, empty, linear } from '@kindling/tensor';
import { kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** Options of `Linear`. */
export interface LinearOptions {
  bias?: boolean;
  device?: string;
  dtype?: 'float32' | 'float64';
}

/**
 * `y = x Wᵀ + b` (`torch.nn.Linear`), initialised like PyTorch:
 * kaiming-uniform weight with a = √5 (bound 1/√in) and uniform bias in ±1/√in.
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    const like = { device: options.device, dtype: options.dtype ?? 'float32' };
    this.weight = new Parameter(empty([outFeatures, inFeatures], like));
    this.bias = options.bias === false ? null : new Parameter(empty([outFeatures], like));
    this.resetParameters();
  }

  /** Re-draws the weights from the default initialisation. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? 'True' : 'False'}`;
  }
}
