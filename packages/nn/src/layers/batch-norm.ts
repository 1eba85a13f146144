import { ShapeError, type Tensor, batchNorm, empty, ones, scalar, zeros, noGrad } from '@kindling/tensor';
import { ones_, zeros_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkNumber, pyFloat } from './arguments.js';
import { checkInt, pyBool } from './window.js';

/** Options of `BatchNorm1d` and `BatchNorm2d` (PyTorch's defaults). */
export interface BatchNormOptions {
  /** Added to the variance before its square root (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running statistics (default 0.1); null for their cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` (ones) and shift `bias` (zeros) (default true). */
  affine?: boolean;
  /** Keep `running_mean`/`running_var` for `eval()` (default true); without them every mode uses batch statistics. */
  trackRunningStats?: boolean;
  device?: string;
  dtype?: 'float32' | 'float64';
}

/**
 * What `BatchNorm1d` and `BatchNorm2d` share (PyTorch's `_BatchNorm`).
 * Buffers `running_mean` (zeros), `running_var` (ones) and
 * `num_batches_tracked` (int32 0-dim: Kindling's integer dtype; PyTorch's
 * int64 count loads into it) carry PyTorch's state-dict names, so PyTorch
 * checkpoints load as they are.
 */
export abstract class BatchNorm extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  protected constructor(
    readonly numFeatures: number,
    options: BatchNormOptions,
  ) {
    super();
    const name = new.target.name;
    checkInt(name, 'numFeatures', numFeatures, 1);
    this.eps = checkNumber(name, 'eps', options.eps ?? 1e-5);
    const momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.momentum = momentum === null ? null : checkNumber(name, 'momentum', momentum);
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    const like = { device: options.device, dtype: options.dtype ?? 'float32' };
    this.weight = this.affine ? new Parameter(empty([numFeatures], like)) : null;
    this.bias = this.affine ? new Parameter(empty([numFeatures], like)) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], like));
      this.registerBuffer('running_var', ones([numFeatures], like));
      this.registerBuffer('num_batches_tracked', scalar(0, { device: options.device, dtype: 'int32' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
    this.resetParameters();
  }

  /** The running mean (`bn.running_mean`), null without `trackRunningStats`. */
  get runningMean(): Tensor | null {
    return this.getBuffer('running_mean');
  }

  /** The running unbiased variance (`bn.running_var`), null without `trackRunningStats`. */
  get runningVar(): Tensor | null {
    return this.getBuffer('running_var');
  }

  /** Batches seen in training (`bn.num_batches_tracked`), null without `trackRunningStats`. */
  get numBatchesTracked(): Tensor | null {
    return this.getBuffer('num_batches_tracked');
  }

  /** Running statistics back to mean 0, variance 1, no batches. */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  /** Running statistics reset, weight ones, bias zeros. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  /** Throws PyTorch's `expected 4D input (got 3D input)` when `x` has the wrong rank. */
  protected abstract checkInputDim(x: Tensor): void;

  /**
   * In training, normalises with the batch's statistics (mean and biased
   * variance per channel) and folds them into the running ones (unbiased
   * variance); in `eval()`, uses the running ones, as PyTorch's `_BatchNorm.forward`.
   */
  forward(x: Tensor): Tensor {
    this.checkInputDim(x);
    let factor = this.momentum ?? 0;
    const tracked = this.numBatchesTracked;
    if (this.training && tracked) {
      noGrad(() => tracked.add_(1));
      // A cumulative average weighs the n-th batch 1/n; reading the count costs a sync, only in this mode.
      if (this.momentum === null) factor = 1 / tracked.itemSync();
    }
    const useRunning = !this.training || this.trackRunningStats;
    const training = this.training || (this.runningMean === null && this.runningVar === null);
    return batchNorm(x, useRunning ? this.runningMean : null, useRunning ? this.runningVar : null, {
      weight: this.weight,
      bias: this.bias,
      training,
      momentum: factor,
      eps: this.eps,
    });
  }

  /** `32, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True`. */
  override extraRepr(): string {
    const momentum = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return (
      `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${momentum}, ` +
      `affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`
    );
  }
}

function rankError(owner: string, expected: string, x: Tensor): ShapeError {
  return new ShapeError(`${owner}: expected ${expected} input (got ${x.ndim}D input)`);
}

/** Batch normalisation over `[N, C]` or `[N, C, L]` (`torch.nn.BatchNorm1d`). */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options);
  }
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw rankError('BatchNorm1d', '2D or 3D', x);
  }
}

/** Batch normalisation over `[N, C, H, W]` images, per channel (`torch.nn.BatchNorm2d`). */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options);
  }
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4) throw rankError('BatchNorm2d', '4D', x);
  }
}
