import type { Optimizer } from '../optimizer.js';

/** A scheduler's saved state: everything but the optimizer, PyTorch-style. */
export type SchedulerStateDict = Record<string, unknown>;

type LrOptions = { lr: number };

/**
 * Base of epoch-indexed schedulers (`torch.optim.lr_scheduler._LRScheduler`).
 * Subclasses give the learning rate of each group at `lastEpoch` in closed
 * form; `step()` advances and writes it into the optimizer. Constructing a
 * scheduler sets the initial learning rate (epoch 0), as in PyTorch.
 */
export abstract class LRScheduler {
  lastEpoch = -1;
  readonly baseLrs: number[];
  protected lastLrs: number[] = [];

  constructor(protected readonly optimizer: Optimizer<object>) {
    this.baseLrs = optimizer.paramGroups.map((g) => (g.options as LrOptions).lr);
  }

  /** Call at the end of the constructor of a subclass (after its fields are set). */
  protected initialStep(): void {
    this.step();
  }

  /** The learning rate of each group at `lastEpoch`. */
  protected abstract lrAt(epoch: number): number[];

  step(): void {
    this.lastEpoch += 1;
    this.lastLrs = this.lrAt(this.lastEpoch);
    this.optimizer.paramGroups.forEach((g, i) => {
      (g.options as LrOptions).lr = this.lastLrs[i];
    });
  }

  /** The learning rates the last `step()` set (`get_last_lr()`). */
  getLastLr(): number[] {
    return [...this.lastLrs];
  }

  stateDict(): SchedulerStateDict {
    return { last_epoch: this.lastEpoch, base_lrs: [...this.baseLrs], _last_lr: [...this.lastLrs] };
  }

  loadStateDict(state: SchedulerStateDict): void {
    this.lastEpoch = state.last_epoch as number;
    this.lastLrs = [...(state._last_lr as number[])];
    (state.base_lrs as number[]).forEach((lr, i) => {
      this.baseLrs[i] = lr;
    });
  }
}
