import { KindlingError } from '@kindling/tensor';
import type { Optimizer } from '../optimizer.js';
import { LRScheduler, type SchedulerStateDict } from './lr-scheduler.js';

/** Multiplies the learning rate by `gamma` every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  constructor(
    optimizer: Optimizer<object>,
    readonly stepSize: number,
    readonly gamma = 0.1,
  ) {
    super(optimizer);
    if (!(stepSize > 0)) throw new KindlingError(`StepLR: stepSize must be positive, got ${stepSize}`);
    this.initialStep();
  }
  protected lrAt(epoch: number): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** Math.floor(epoch / this.stepSize));
  }
}

/** Multiplies the learning rate by `gamma` at each milestone epoch. */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  constructor(
    optimizer: Optimizer<object>,
    milestones: readonly number[],
    readonly gamma = 0.1,
  ) {
    super(optimizer);
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.initialStep();
  }
  protected lrAt(epoch: number): number[] {
    const passed = this.milestones.filter((m) => m <= epoch).length;
    return this.baseLrs.map((lr) => lr * this.gamma ** passed);
  }
}

/** Multiplies the learning rate by `gamma` every epoch. */
export class ExponentialLR extends LRScheduler {
  constructor(
    optimizer: Optimizer<object>,
    readonly gamma: number,
  ) {
    super(optimizer);
    this.initialStep();
  }
  protected lrAt(epoch: number): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** epoch);
  }
}

/** Cosine annealing from the base rate to `etaMin` over `tMax` epochs (closed form). */
export class CosineAnnealingLR extends LRScheduler {
  constructor(
    optimizer: Optimizer<object>,
    readonly tMax: number,
    readonly etaMin = 0,
  ) {
    super(optimizer);
    this.initialStep();
  }
  protected lrAt(epoch: number): number[] {
    return this.baseLrs.map((lr) => this.etaMin + ((lr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2);
  }
}

/** Scales the learning rate linearly from `startFactor` to `endFactor` over `totalIters` epochs. */
export class LinearLR extends LRScheduler {
  constructor(
    optimizer: Optimizer<object>,
    readonly startFactor = 1 / 3,
    readonly endFactor = 1,
    readonly totalIters = 5,
  ) {
    super(optimizer);
    if (!(startFactor > 0 && startFactor <= 1)) throw new KindlingError(`LinearLR: startFactor must be in (0, 1], got ${startFactor}`);
    this.initialStep();
  }
  protected lrAt(epoch: number): number[] {
    const t = Math.min(epoch, this.totalIters) / this.totalIters;
    return this.baseLrs.map((lr) => lr * (this.startFactor + (this.endFactor - this.startFactor) * t));
  }
}

export interface OneCycleOptions {
  maxLr: number | number[];
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

/** The 1cycle policy (`torch.optim.lr_scheduler.OneCycleLR`), stepped once per batch. */
export class OneCycleLR extends LRScheduler {
  private readonly phases: Array<{ end: number; from: 'initial' | 'max' | 'min'; to: 'initial' | 'max' | 'min' }>;
  private readonly totalSteps: number;
  private readonly maxLrs: number[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly divFactor: number;
  private readonly finalDivFactor: number;

  constructor(optimizer: Optimizer<object>, options: OneCycleOptions) {
    super(optimizer);
    const total = options.totalSteps ?? (options.epochs ?? 0) * (options.stepsPerEpoch ?? 0);
    if (!(total > 0)) throw new KindlingError('OneCycleLR: give totalSteps, or epochs and stepsPerEpoch');
    this.totalSteps = total;
    const pct = options.pctStart ?? 0.3;
    this.divFactor = options.divFactor ?? 25;
    this.finalDivFactor = options.finalDivFactor ?? 1e4;
    this.phases = options.threePhase
      ? [
          { end: pct * total - 1, from: 'initial', to: 'max' },
          { end: 2 * pct * total - 2, from: 'max', to: 'initial' },
          { end: total - 1, from: 'initial', to: 'min' },
        ]
      : [
          { end: pct * total - 1, from: 'initial', to: 'max' },
          { end: total - 1, from: 'max', to: 'min' },
        ];
    const max = options.maxLr;
    this.maxLrs = optimizer.paramGroups.map((_, i) => (Array.isArray(max) ? max[i] : max));
    this.anneal =
      options.annealStrategy === 'linear'
        ? (start, end, p) => (end - start) * p + start
        : (start, end, p) => end + ((start - end) / 2) * (Math.cos(Math.PI * p) + 1);
    this.initialStep();
  }

  protected lrAt(step: number): number[] {
    if (step >= this.totalSteps) {
      throw new KindlingError(`OneCycleLR: tried to step ${step + 1} times; the total number of steps is ${this.totalSteps}`);
    }
    return this.maxLrs.map((maxLr) => {
      const initial = maxLr / this.divFactor;
      const values = { initial, max: maxLr, min: initial / this.finalDivFactor };
      let start = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i];
        if (step <= phase.end || i === this.phases.length - 1) {
          return this.anneal(values[phase.from], values[phase.to], (step - start) / (phase.end - start));
        }
        start = phase.end;
      }
      return values.min;
    });
  }
}

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

/** Lowers the learning rate when a metric stops improving (`step(metric)` once per epoch). */
export class ReduceLROnPlateau {
  private best: number;
  private badEpochs = 0;
  private cooldownLeft = 0;
  lastEpoch = 0;
  private readonly o: Required<Omit<ReduceLROnPlateauOptions, 'minLr'>> & { minLrs: number[] };

  constructor(
    private readonly optimizer: Optimizer<object>,
    options: ReduceLROnPlateauOptions = {},
  ) {
    const factor = options.factor ?? 0.1;
    if (factor >= 1) throw new KindlingError(`ReduceLROnPlateau: factor should be < 1.0, got ${factor}`);
    const minLr = options.minLr ?? 0;
    this.o = {
      mode: options.mode ?? 'min',
      factor,
      patience: options.patience ?? 10,
      threshold: options.threshold ?? 1e-4,
      thresholdMode: options.thresholdMode ?? 'rel',
      cooldown: options.cooldown ?? 0,
      eps: options.eps ?? 1e-8,
      minLrs: optimizer.paramGroups.map((_, i) => (Array.isArray(minLr) ? minLr[i] : minLr)),
    };
    this.best = this.o.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  private isBetter(value: number): boolean {
    const { mode, threshold, thresholdMode } = this.o;
    if (mode === 'min') return thresholdMode === 'rel' ? value < this.best * (1 - threshold) : value < this.best - threshold;
    return thresholdMode === 'rel' ? value > this.best * (threshold + 1) : value > this.best + threshold;
  }

  step(metric: number): void {
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.badEpochs = 0;
    } else {
      this.badEpochs += 1;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft -= 1;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.o.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const options = g.options as { lr: number };
        const newLr = Math.max(options.lr * this.o.factor, this.o.minLrs[i]);
        if (options.lr - newLr > this.o.eps) options.lr = newLr;
      });
      this.cooldownLeft = this.o.cooldown;
      this.badEpochs = 0;
    }
  }

  getLastLr(): number[] {
    return this.optimizer.lrs;
  }

  stateDict(): SchedulerStateDict {
    return { best: this.best, num_bad_epochs: this.badEpochs, cooldown_counter: this.cooldownLeft, last_epoch: this.lastEpoch };
  }

  loadStateDict(state: SchedulerStateDict): void {
    this.best = state.best as number;
    this.badEpochs = state.num_bad_epochs as number;
    this.cooldownLeft = state.cooldown_counter as number;
    this.lastEpoch = state.last_epoch as number;
  }
}
