import { KindlingError, type Tensor } from '@kindling/tensor';
import { foreachAdd_ } from '@kindling/tensor/internal';
import { Optimizer, type ParamsInput } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** Stochastic gradient descent with momentum, the update of `torch.optim.SGD` (1.13), op for op. */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    const o: SGDOptions = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options };
    if (!(o.lr >= 0)) throw new KindlingError(`SGD: invalid learning rate: ${o.lr}`);
    if (!(o.momentum >= 0)) throw new KindlingError(`SGD: invalid momentum value: ${o.momentum}`);
    if (!(o.weightDecay >= 0)) throw new KindlingError(`SGD: invalid weightDecay value: ${o.weightDecay}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0))
      throw new KindlingError('SGD: nesterov momentum requires a momentum and zero dampening');
    super(params, o);
  }

  protected updateGroup(params: Tensor[], o: SGDOptions): void {
    // Plain SGD (the seeds' optimizer) updates every parameter in one list op, as PyTorch's foreach path:
    // the same fused kernel per parameter as add_, without an op's bookkeeping for each.
    if (o.momentum === 0 && o.weightDecay === 0 && !o.maximize) {
      foreachAdd_(
        params,
        params.map((p) => p.grad as Tensor),
        { alpha: -o.lr },
      );
      return;
    }
    for (const p of params) {
      let d = p.grad as Tensor;
      if (o.maximize) d = d.neg();
      if (o.weightDecay !== 0) d = d.add(p, { alpha: o.weightDecay });
      if (o.momentum !== 0) {
        const state = this.stateOf(p);
        let buf = state.momentum_buffer as Tensor | undefined;
        if (!buf) {
          buf = this.keepState(d.clone());
          state.momentum_buffer = buf;
        } else {
          buf.mul_(o.momentum).add_(d, { alpha: 1 - o.dampening });
        }
        d = o.nesterov ? d.add(buf, { alpha: o.momentum }) : buf;
      }
      p.add_(d, { alpha: -o.lr });
    }
  }
}
