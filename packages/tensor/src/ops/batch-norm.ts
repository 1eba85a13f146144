import type { Backend } from '../backend.js';
import type { DType } from '../dtype.js';
import { dispatch } from '../dispatch.js';
import { KindlingError, ShapeError, fmtShape } from '../errors.js';
import { contiguousStrides } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add, div, mul, neg, sqrt, square, sub } from './elementwise.js';
import { accumulateDType, checkFloatingInput } from './pool-windows.js';
import { mean as meanOf } from './reduce.js';
import { backendOf, castTo, checkSameDevice, disposeTemps, fromHandle } from './util.js';
import { declareFusedUse } from '../fused-use.js';

declareFusedUse('channelMoments', 'channelAffine');

/** Options of `batchNorm`, with PyTorch's defaults. */
export interface BatchNormOptions {
  /** Per-channel scale `[C]` (none: 1). */
  weight?: Tensor | null;
  /** Per-channel shift `[C]` (none: 0). */
  bias?: Tensor | null;
  /** Normalise with the batch's statistics and update the running ones (default false: use the running ones). */
  training?: boolean;
  /**
   * Weight of the batch statistics in the running ones' update (default 0.1).
   * PyTorch's `momentum=None` (a cumulative average) is `1 / numBatchesTracked`,
   * which the caller that counts batches (`nn.BatchNorm2d`) passes here.
   */
  momentum?: number;
  /** Added to the variance before its square root (default 1e-5). */
  eps?: number;
}

/** The attributes a `batchNorm` call records for its gradient. */
export interface BatchNormAttrs {
  readonly training: boolean;
  readonly eps: number;
  readonly hasWeight: boolean;
  readonly hasBias: boolean;
}

function checkChannels(name: string, t: Tensor | null, channels: number): void {
  if (t && t.numel() !== channels)
    throw new ShapeError(`batchNorm: ${name} should contain ${channels} elements, got shape ${fmtShape(t.shape)}`);
}

/**
 * `torch.nn.functional.batch_norm` over `[N, C]`, `[N, C, L]` or
 * `[N, C, H, W]`: each channel normalised by its mean and biased variance,
 * then scaled by `weight` and shifted by `bias`. In training the statistics
 * are the batch's, and `runningMean`/`runningVar` (when given) move towards
 * them in place by `momentum`, the variance unbiased as in PyTorch; in
 * evaluation the running statistics are used. float16 computes in float32
 * and rounds once.
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  const training = options.training ?? false;
  const momentum = options.momentum ?? 0.1;
  const eps = options.eps ?? 1e-5;
  const tensors = [input, runningMean, runningVar, weight, bias].filter((t): t is Tensor => t !== null);
  checkSameDevice('batchNorm', tensors);
  for (const t of tensors) checkFloatingInput('batchNorm', t);
  if (input.ndim < 2)
    throw new ShapeError(`batchNorm: expected an input [N, C, ...] of 2 or more dims, got shape ${fmtShape(input.shape)}`);
  const channels = input.shape[1];
  checkChannels('runningMean', runningMean, channels);
  checkChannels('runningVar', runningVar, channels);
  checkChannels('weight', weight, channels);
  checkChannels('bias', bias, channels);
  if (!training && (!runningMean || !runningVar)) {
    throw new KindlingError('batchNorm: runningMean and runningVar must be given in evaluation mode (training: false)');
  }
  if (training && input.numel() / channels <= 1) {
    throw new KindlingError(`batchNorm: expected more than 1 value per channel when training, got input size ${fmtShape(input.shape)}`);
  }
  if (!Number.isFinite(momentum) || !Number.isFinite(eps) || eps < 0) {
    throw new KindlingError(`batchNorm: momentum and eps must be finite (eps ≥ 0), got momentum ${momentum} and eps ${eps}`);
  }
  const attrs: BatchNormAttrs = { training, eps, hasWeight: weight !== null, hasBias: bias !== null };
  const inputs = [input, weight, bias].filter((t): t is Tensor => t !== null);
  const [out, mean, invStd] = dispatch('batchNorm', inputs, { ...attrs }, () => {
    const stats = training
      ? batchStats(input, runningMean, runningVar, momentum)
      : runningStats(runningMean as Tensor, runningVar as Tensor, accumulateDType(input.dtype));
    const inv = invStdOf(stats.variance, eps);
    stats.variance.dispose();
    return [normalize(input, stats.mean, inv, weight, bias), stats.mean, inv];
  });
  // The saved statistics matter only to a recorded backward; otherwise nobody else holds them.
  if (!out.gradFn) disposeTemps([mean, invStd], []);
  return out;
}

const reducedDims = (x: Tensor): number[] => x.shape.map((_, i) => i).filter((i) => i !== 1);

/** The batch's per-channel mean and biased variance (`[C]`, in the accumulation dtype), updating the running statistics. */
function batchStats(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  momentum: number,
): { mean: Tensor; variance: Tensor } {
  const b = backendOf(x);
  const channels = x.shape[1];
  let mean: Tensor;
  let variance: Tensor;
  const fused = x.dtype !== 'float16' ? b.fused?.channelMoments?.call(b.fused, x.view_()) : null;
  if (fused) {
    mean = fromHandle(b, fused[0], x.dtype, [channels]);
    variance = fromHandle(b, fused[1], x.dtype, [channels]);
  } else {
    // Two passes, as PyTorch: the mean, then the mean squared deviation from it.
    const wide = castTo(x, accumulateDType(x.dtype));
    const m = meanOf(wide, reducedDims(x), true);
    const centered = sub(wide, m);
    const squares = square(centered);
    const v = meanOf(squares, reducedDims(x));
    mean = m.reshape([channels]);
    variance = v;
    disposeTemps([wide, m, centered, squares], [x, mean]);
  }
  const count = x.numel() / channels;
  if (runningMean) updateInPlace(b, runningMean, mean, 1, momentum);
  if (runningVar) updateInPlace(b, runningVar, variance, count / (count - 1), momentum);
  return { mean, variance };
}

/** `running = (1 - momentum) * running + momentum * (stat * correction)`, written into `running`'s storage. */
function updateInPlace(b: Backend, running: Tensor, stat: Tensor, correction: number, momentum: number): void {
  const own = castTo(stat, running.dtype);
  const corrected = correction === 1 ? own : mul(own, correction);
  const fresh = mul(corrected, momentum);
  const flat = running.reshape([-1]);
  const kept = mul(flat, 1 - momentum);
  const next = add(fresh, kept);
  b.assign(running.view_(), { ...next.view_(), shape: running.shape, strides: contiguousStrides(running.shape) });
  disposeTemps([own, corrected, fresh, flat, kept, next], [stat, running]);
  running.noteWrite();
}

/** Fresh `[C]` copies of the running statistics in `dtype` (they become outputs: never the buffers themselves). */
function runningStats(runningMean: Tensor, runningVar: Tensor, dtype: DType): { mean: Tensor; variance: Tensor } {
  const b = backendOf(runningMean);
  const copy = (t: Tensor) =>
    fromHandle(b, b.cast({ ...t.view_(), shape: [t.numel()], strides: [t.ndim ? t.strides[t.ndim - 1] : 0] }, dtype), dtype, [t.numel()]);
  return { mean: copy(runningMean), variance: copy(runningVar) };
}

/** `1 / sqrt(variance + eps)`, as PyTorch computes it. */
function invStdOf(variance: Tensor, eps: number): Tensor {
  const shifted = add(variance, eps);
  const root = sqrt(shifted);
  const inv = div(1, root);
  disposeTemps([shifted, root], []);
  return inv;
}

/** `t` (`[C]` of any shape) as a `[C]` tensor of `dtype`, recording what to dispose. */
function channelVector(t: Tensor, dtype: DType, temps: Tensor[]): Tensor {
  const flat = t.reshape([-1]);
  const out = castTo(flat, dtype);
  temps.push(flat, out);
  return out;
}

/** `x * alpha + beta` with PyTorch's per-channel `alpha = invStd * weight` and `beta = bias - mean * alpha`. */
function normalize(x: Tensor, mean: Tensor, invStd: Tensor, weight: Tensor | null, bias: Tensor | null): Tensor {
  const b = backendOf(x);
  const temps: Tensor[] = [];
  const keep = [x, mean, invStd, ...[weight, bias].filter((t): t is Tensor => t !== null)];
  if (x.dtype === mean.dtype && b.fused?.channelAffine) {
    const w = weight ? channelVector(weight, x.dtype, temps) : null;
    const v = bias ? channelVector(bias, x.dtype, temps) : null;
    const handle = b.fused.channelAffine.call(b.fused, x.view_(), mean.view_(), invStd.view_(), w?.view_() ?? null, v?.view_() ?? null);
    if (handle) {
      disposeTemps(temps, keep);
      return fromHandle(b, handle, x.dtype, x.shape);
    }
  }
  const dtype = invStd.dtype;
  const alpha = weight ? mul(invStd, channelVector(weight, dtype, temps)) : invStd;
  const shift = mul(mean, alpha);
  const beta = bias ? sub(channelVector(bias, dtype, temps), shift) : neg(shift);
  const shape = x.shape.map((d, i) => (i === 1 ? d : 1));
  const alphaB = alpha.reshape(shape);
  const betaB = beta.reshape(shape);
  const wide = castTo(x, dtype);
  const scaled = mul(wide, alphaB);
  const wideOut = add(scaled, betaB);
  const out = castTo(wideOut, x.dtype);
  temps.push(alpha, shift, beta, alphaB, betaB, wide, scaled, wideOut);
  disposeTemps(temps, [...keep, out]);
  return out;
}
