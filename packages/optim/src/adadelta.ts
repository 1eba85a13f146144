import { KindlingError, type Tensor, zerosLike } from '@kindling/tensor';
import { Optimizer, type ParamsInput } from './optimizer.js';

/** Options of `Adadelta` (PyTorch's defaults: `lr` 1.0, `rho` 0.9, `eps` 1e-6, `weightDecay` 0). */
export interface AdadeltaOptions {
  /** Scales the step `Δx` before it is applied (PyTorch keeps it; the paper has none). */
  lr: number;
  /** Decay of both running averages, in [0, 1]. */
  rho: number;
  /** Added inside both square roots, so the first steps are not 0/0. */
  eps: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** Ascend the objective instead of descending it. */
  maximize: boolean;
}

/**
 * Adadelta (Zeiler 2012), the single-tensor update of `torch.optim.Adadelta`
 * (1.13), op for op: `v ← ρv + (1-ρ)g²`, `Δx = √(u+ε)/√(v+ε) · g`,
 * `u ← ρu + (1-ρ)Δx²`, `θ ← θ - lr·Δx`. The optimizer of PyTorch's
 * `examples/mnist` (with `lr` 1.0 and `StepLR` gamma 0.7). State per
 * parameter: `step`, `square_avg`, `acc_delta`, as PyTorch names them.
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: ParamsInput<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    const o: AdadeltaOptions = { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false, ...options };
    if (!(o.lr >= 0)) throw new KindlingError(`Adadelta: invalid learning rate: ${o.lr}`);
    if (!(o.rho >= 0 && o.rho <= 1)) throw new KindlingError(`Adadelta: invalid rho value: ${o.rho}`);
    if (!(o.eps >= 0)) throw new KindlingError(`Adadelta: invalid epsilon value: ${o.eps}`);
    if (!(o.weightDecay >= 0)) throw new KindlingError(`Adadelta: invalid weightDecay value: ${o.weightDecay}`);
    super(params, o);
  }

  protected updateGroup(params: Tensor[], o: AdadeltaOptions): void {
    for (const p of params) {
      let grad = p.grad as Tensor;
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.square_avg = this.keepState(zerosLike(p));
        state.acc_delta = this.keepState(zerosLike(p));
      }
      state.step = (state.step as number) + 1;
      if (o.maximize) grad = grad.neg();
      if (o.weightDecay !== 0) grad = grad.add(p, { alpha: o.weightDecay });
      const squareAvg = state.square_avg as Tensor;
      const accDelta = state.acc_delta as Tensor;
      squareAvg.mul_(o.rho).addcmul_(grad, grad, 1 - o.rho);
      const std = squareAvg.add(o.eps).sqrt_();
      const delta = accDelta.add(o.eps).sqrt_().div_(std).mul_(grad);
      accDelta.mul_(o.rho).addcmul_(delta, delta, 1 - o.rho);
      p.add_(delta, { alpha: -o.lr });
    }
  }
}
