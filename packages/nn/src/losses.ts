import type { Tensor } from '@kindling/tensor';
import * as F from './functional.js';
import type { Reduction } from './functional.js';
import { Module } from './module.js';

/**
 * Base of loss modules: `forward(input, target)`, called as PyTorch calls a
 * criterion: `const loss = criterion(logps, labels)`.
 */
export abstract class Loss extends Module {
  constructor(readonly reduction: Reduction = 'mean') {
    super();
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

/** Options of `CrossEntropyLoss` and `NLLLoss`. */
export interface ClassLossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

/** Cross-entropy of logits and int32 class indices (`torch.nn.CrossEntropyLoss`). */
export class CrossEntropyLoss extends Loss {
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(options: ClassLossOptions & { labelSmoothing?: number } = {}) {
    super(options.reduction);
    this.weight = options.weight ?? null;
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Negative log-likelihood of log-probabilities and int32 class indices (`torch.nn.NLLLoss`). */
export class NLLLoss extends Loss {
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;

  constructor(options: ClassLossOptions = {}) {
    super(options.reduction);
    this.weight = options.weight ?? null;
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class MSELoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, this.reduction);
  }
}

export class L1Loss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, this.reduction);
  }
}

export class BCELoss extends Loss {
  readonly weight: Tensor | null;
  constructor(options: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(options.reduction);
    this.weight = options.weight ?? null;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends Loss {
  readonly weight: Tensor | null;
  readonly posWeight: Tensor | null;
  constructor(options: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}) {
    super(options.reduction);
    this.weight = options.weight ?? null;
    this.posWeight = options.posWeight ?? null;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}
