import { KindlingError, type Tensor, zerosLike } from '@kindling/tensor';
import { Optimizer, type ParamsInput } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

function checkAdam(name: string, o: AdamOptions): void {
  if (!(o.lr >= 0)) throw new KindlingError(`${name}: invalid learning rate: ${o.lr}`);
  if (!(o.eps >= 0)) throw new KindlingError(`${name}: invalid epsilon value: ${o.eps}`);
  o.betas.forEach((b, i) => {
    if (!(b >= 0 && b < 1)) throw new KindlingError(`${name}: invalid beta parameter at index ${i}: ${b}`);
  });
  if (!(o.weightDecay >= 0)) throw new KindlingError(`${name}: invalid weightDecay value: ${o.weightDecay}`);
}

/** Adam, the single-tensor update of `torch.optim.Adam` (1.13), op for op. `decoupled` gives AdamW. */
export class Adam extends Optimizer<AdamOptions> {
  protected readonly decoupled: boolean = false;

  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    const o: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...options };
    checkAdam(new.target.name, o);
    super(params, o);
  }

  protected updateGroup(params: Tensor[], o: AdamOptions): void {
    const [beta1, beta2] = o.betas;
    for (const p of params) {
      let grad = p.grad as Tensor;
      if (o.maximize) grad = grad.neg();
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.exp_avg = this.keepState(zerosLike(p));
        state.exp_avg_sq = this.keepState(zerosLike(p));
        if (o.amsgrad) state.max_exp_avg_sq = this.keepState(zerosLike(p));
      }
      const step = (state.step as number) + 1;
      state.step = step;
      if (this.decoupled) p.mul_(1 - o.lr * o.weightDecay);
      else if (o.weightDecay !== 0) grad = grad.add(p, { alpha: o.weightDecay });
      const expAvg = state.exp_avg as Tensor;
      const expAvgSq = state.exp_avg_sq as Tensor;
      expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
      expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
      const stepSize = o.lr / biasCorrection1;
      let second = expAvgSq;
      if (o.amsgrad) {
        const max = state.max_exp_avg_sq as Tensor;
        max.maximum_(expAvgSq);
        second = max;
      }
      const denom = second.sqrt().div(biasCorrection2Sqrt).add_(o.eps);
      p.addcdiv_(expAvg, denom, -stepSize);
    }
  }
}

/** AdamW: Adam with decoupled weight decay (`torch.optim.AdamW`, default weightDecay 0.01). */
export class AdamW extends Adam {
  protected override readonly decoupled = true;

  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { weightDecay: 1e-2, ...options });
  }
}
