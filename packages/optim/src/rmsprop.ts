import { KindlingError, type Tensor, zerosLike } from '@kindling/tensor';
import { Optimizer, type ParamsInput } from './optimizer.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** RMSprop, the update of `torch.optim.RMSprop` (1.13). */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    const o: RMSpropOptions = {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
      ...options,
    };
    if (!(o.lr >= 0)) throw new KindlingError(`RMSprop: invalid learning rate: ${o.lr}`);
    if (!(o.alpha >= 0)) throw new KindlingError(`RMSprop: invalid alpha value: ${o.alpha}`);
    super(params, o);
  }

  protected updateGroup(params: Tensor[], o: RMSpropOptions): void {
    for (const p of params) {
      let grad = p.grad as Tensor;
      if (o.maximize) grad = grad.neg();
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.square_avg = this.keepState(zerosLike(p));
        if (o.momentum > 0) state.momentum_buffer = this.keepState(zerosLike(p));
        if (o.centered) state.grad_avg = this.keepState(zerosLike(p));
      }
      state.step = (state.step as number) + 1;
      if (o.weightDecay !== 0) grad = grad.add(p, { alpha: o.weightDecay });
      const squareAvg = state.square_avg as Tensor;
      squareAvg.mul_(o.alpha).addcmul_(grad, grad, 1 - o.alpha);
      let avg: Tensor;
      if (o.centered) {
        const gradAvg = state.grad_avg as Tensor;
        gradAvg.mul_(o.alpha).add_(grad, { alpha: 1 - o.alpha });
        avg = squareAvg.clone().addcmul_(gradAvg, gradAvg, -1).sqrt_().add_(o.eps);
      } else {
        avg = squareAvg.sqrt().add_(o.eps);
      }
      if (o.momentum > 0) {
        const buf = state.momentum_buffer as Tensor;
        buf.mul_(o.momentum).addcdiv_(grad, avg);
        p.add_(buf, { alpha: -o.lr });
      } else {
        p.addcdiv_(grad, avg, -o.lr);
      }
    }
  }
}
