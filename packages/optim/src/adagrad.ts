import { KindlingError, type Tensor, fullLike } from '@kindling/tensor';
import { Optimizer, type ParamsInput } from './optimizer.js';

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/** Adagrad, the update of `torch.optim.Adagrad` (1.13). */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    const o: AdagradOptions = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, ...options };
    if (!(o.lr >= 0)) throw new KindlingError(`Adagrad: invalid learning rate: ${o.lr}`);
    if (!(o.initialAccumulatorValue >= 0))
      throw new KindlingError(`Adagrad: invalid initialAccumulatorValue: ${o.initialAccumulatorValue}`);
    super(params, o);
  }

  protected updateGroup(params: Tensor[], o: AdagradOptions): void {
    for (const p of params) {
      let grad = p.grad as Tensor;
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.sum = this.keepState(fullLike(p, o.initialAccumulatorValue));
      }
      const step = (state.step as number) + 1;
      state.step = step;
      if (o.maximize) grad = grad.neg();
      if (o.weightDecay !== 0) grad = grad.add(p, { alpha: o.weightDecay });
      const clr = o.lr / (1 + (step - 1) * o.lrDecay);
      const sum = state.sum as Tensor;
      sum.addcmul_(grad, grad, 1);
      const std = sum.sqrt().add_(o.eps);
      p.addcdiv_(grad, std, -clr);
    }
  }
}
