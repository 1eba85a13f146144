import {
  type GeluOptions,
  KindlingError,
  type NllLossOptions,
  type Reduction,
  ShapeError,
  type Tensor,
  arange,
  crossEntropyLoss,
  elu as eluOp,
  gelu as geluOp,
  hardtanh as hardtanhOp,
  leakyRelu as leakyReluOp,
  linear as linearOp,
  logsigmoid as logsigmoidOp,
  maximum,
  nllLoss as nllLossOp,
  silu as siluOp,
  softplus as softplusOp,
  where,
} from '@kindling/tensor';
import { maskedDropout } from './functional/dropout.js';
import { nllSampleWeights } from '@kindling/tensor/internal';
import { checkNumber } from './layers/arguments.js';

export type { Reduction, NllLossOptions, GeluOptions };

/*
 * The activations are thin wrappers over the tensor ops of the same name:
 * they take PyTorch's positional arguments (`F.elu(x, alpha)`) where the ops
 * take an options object, and check them here so the error names this
 * function and the argument. PyTorch's `inplace` flags are not taken (as in
 * `Dropout`): every op returns a new tensor.
 */

/** `max(x, 0)` (`F.relu`). */
export const relu = (x: Tensor): Tensor => x.relu();

/** `x` where `x > 0`, else `negativeSlope · x` (`F.leaky_relu`). Floating tensors only, as in PyTorch. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return leakyReluOp(x, { negativeSlope: checkNumber('leakyRelu', 'negativeSlope', negativeSlope) });
}

/** `x` where `x > 0`, else `alpha · (eˣ - 1)` (`F.elu`). Floating tensors only. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return eluOp(x, { alpha: checkNumber('elu', 'alpha', alpha) });
}

/**
 * `log(1 + e^{βx}) / β`, and `x` itself where `βx > threshold` so large inputs
 * neither overflow nor lose precision (`F.softplus`). Floating tensors only.
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return softplusOp(x, { beta: checkNumber('softplus', 'beta', beta), threshold: checkNumber('softplus', 'threshold', threshold) });
}

/**
 * `x` clamped to `[minVal, maxVal]` (`F.hardtanh`). Like PyTorch, the function
 * does not check `minVal < maxVal` (every output is then `maxVal`); the
 * `Hardtanh` module does.
 */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  return hardtanhOp(x, { minVal: checkNumber('hardtanh', 'minVal', minVal), maxVal: checkNumber('hardtanh', 'maxVal', maxVal) });
}

/**
 * The Gaussian error linear unit `x·Φ(x)`, or with `{ approximate: 'tanh' }`
 * its tanh approximation (`F.gelu`; `approximate` is keyword-only there too).
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  return geluOp(x, options);
}

/** `x · sigmoid(x)`, also called swish (`F.silu`). Floating tensors only. */
export const silu = (x: Tensor): Tensor => siluOp(x);

/** `log(sigmoid(x))`, computed without overflow for large `|x|` (`F.logsigmoid`). Floating tensors only. */
export const logsigmoid = (x: Tensor): Tensor => logsigmoidOp(x);

/** `1 / (1 + e⁻ˣ)` (`F.sigmoid`). */
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
/** Hyperbolic tangent (`F.tanh`). */
export const tanh = (x: Tensor): Tensor => x.tanh();
/** Softmax along `dim` (`F.softmax`). */
export const softmax = (x: Tensor, dim: number): Tensor => x.softmax(dim);
/** Log-softmax along `dim`, computed stably (`F.log_softmax`). */
export const logSoftmax = (x: Tensor, dim: number): Tensor => x.logSoftmax(dim);

/** `x @ weight^T + bias`. */
export const linear = (x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor => linearOp(x, weight, bias);

/** Inverted dropout: zeroes elements with probability `p` and scales the rest by `1/(1-p)`; identity unless `training`. */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  return maskedDropout('dropout', x, p, training, x.shape);
}

function reduce(losses: Tensor, reduction: Reduction, op: string): Tensor {
  if (reduction === 'none') return losses;
  if (reduction === 'sum') return losses.sum();
  if (reduction === 'mean') return losses.mean();
  throw new KindlingError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
}

function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  if (input.shape.length !== target.shape.length || input.shape.some((d, i) => d !== target.shape[i])) {
    throw new ShapeError(`${op}: target shape [${target.shape.join(',')}] must equal input shape [${input.shape.join(',')}]`);
  }
}

/** Negative log-likelihood of class indices (int32) under log-probabilities `[N, C]`. */
export const nllLoss = (input: Tensor, target: Tensor, options?: NllLossOptions): Tensor => nllLossOp(input, target, options);

/** Options of `crossEntropy` / `CrossEntropyLoss`. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: `(1-ε)·nll + ε·mean(-log p)` (PyTorch ≥ 1.10). */
  labelSmoothing?: number;
}

/**
 * Cross-entropy of raw logits `[N, C]` with class indices `[N]` (log-softmax + NLL, computed stably).
 * Without label smoothing it is one op (`crossEntropyLoss`), which backends with a fused kernel run
 * without writing the `[N, C]` log-probabilities.
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing <= 1))
    throw new KindlingError(`crossEntropy: labelSmoothing must be between 0 and 1, got ${smoothing}`);
  if (input.ndim !== 1 && input.ndim !== 2)
    throw new ShapeError(`crossEntropy: input must be [N, C] or [C] logits, got shape [${input.shape.join(',')}]`);
  if (smoothing === 0) return crossEntropyLoss(input, target, options);
  const classDim = input.ndim - 1;
  const logp = input.logSoftmax(classDim);
  const nll = nllLossOp(logp, target, options);
  // PyTorch's formula (aten/src/ATen/native/LossNLL.cpp, cross_entropy with label smoothing).
  const reduction = options.reduction ?? 'mean';
  const weight = options.weight ?? null;
  const classes = input.shape[classDim];
  const batchedTarget = input.ndim === 2 ? target : target.unsqueeze(0);
  const { sampleWeight } = nllSampleWeights(batchedTarget, weight, options.ignoreIndex ?? -100, classes, input.dtype);
  const kept = batchedTarget.ne(options.ignoreIndex ?? -100);
  const weighted = weight ? logp.mul(weight) : logp;
  let smooth = where(kept, weighted.sum(classDim).neg(), 0);
  if (input.ndim === 1) smooth = smooth.reshape([]);
  let reduced: Tensor;
  if (reduction === 'none') reduced = smooth;
  else if (reduction === 'sum') reduced = smooth.sum();
  else reduced = smooth.sum().div(sampleWeight ? sampleWeight.sum() : kept.cast(input.dtype).sum());
  return nll.mul(1 - smoothing).add(reduced.mul(smoothing / classes));
}

/** Squared error between `input` and a `target` of the same shape, reduced by `reduction` (`F.mse_loss`). */
export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  checkSameShape('mseLoss', input, target);
  const d = input.sub(target);
  return reduce(d.mul(d), reduction, 'mseLoss');
}

/** Absolute error between `input` and a `target` of the same shape, reduced by `reduction` (`F.l1_loss`). */
export function l1Loss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  checkSameShape('l1Loss', input, target);
  return reduce(input.sub(target).abs(), reduction, 'l1Loss');
}

/** Binary cross-entropy of probabilities; logs are clamped at -100 like PyTorch. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  checkSameShape('binaryCrossEntropy', input, target);
  const logP = input.log().clamp(-100);
  const log1mP = input.neg().add(1).log().clamp(-100);
  let losses = target.mul(logP).add(target.neg().add(1).mul(log1mP)).neg();
  if (options.weight) losses = losses.mul(options.weight);
  return reduce(losses, options.reduction ?? 'mean', 'binaryCrossEntropy');
}

/** Binary cross-entropy of logits, stable for large |x|: `max(x,0) - x·y + log1p(exp(-|x|))`. */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {},
): Tensor {
  checkSameShape('binaryCrossEntropyWithLogits', input, target);
  const softplusNeg = input.abs().neg().exp().log1p().add(maximum(input.neg(), 0));
  let losses: Tensor;
  if (options.posWeight) {
    const logWeight = options.posWeight.sub(1).mul(target).add(1);
    losses = target.neg().add(1).mul(input).add(logWeight.mul(softplusNeg));
  } else {
    losses = input.sub(input.mul(target)).add(softplusNeg);
  }
  if (options.weight) losses = losses.mul(options.weight);
  return reduce(losses, options.reduction ?? 'mean', 'binaryCrossEntropyWithLogits');
}

/** One-hot encoding of int32 class indices: shape `[..., numClasses]`, int32. */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  if (indices.dtype !== 'int32') throw new KindlingError(`oneHot: indices must be int32, got ${indices.dtype}`);
  const classes = numClasses >= 0 ? numClasses : indices.amax().itemSync() + 1;
  return indices
    .unsqueeze(-1)
    .eq(arange(classes, { device: indices.device }))
    .int();
}

export {
  conv1d,
  conv2d,
  convTranspose2d,
  maxPool2d,
  avgPool2d,
  adaptiveAvgPool2d,
  batchNorm,
  pad,
  interpolate,
  unfold,
  fold,
  flatten,
  dropout2d,
} from './functional/spatial.js';
