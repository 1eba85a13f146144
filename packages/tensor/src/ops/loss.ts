import { dispatch } from '../dispatch.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { mul, ne, neg, where } from './elementwise.js';
import { gather } from './indexing.js';
import { sum } from './reduce.js';

/** How a loss combines per-sample values. */
export type Reduction = 'mean' | 'sum' | 'none';

export interface NllLossOptions {
  /** Per-class weights, shape `[C]`. */
  weight?: Tensor | null;
  /** Target value whose samples contribute nothing (PyTorch's default -100). */
  ignoreIndex?: number;
  reduction?: Reduction;
}

/**
 * Negative log-likelihood of class indices under log-probabilities
 * (`torch.nn.functional.nll_loss`): `input` is `[N, C]` (or `[C]`), `target`
 * int32 `[N]` (or `[]`). With `mean`, the sum is divided by the total weight
 * of the non-ignored samples, exactly as PyTorch does.
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  const reduction = options.reduction ?? 'mean';
  const ignoreIndex = options.ignoreIndex ?? -100;
  const weight = options.weight ?? null;
  if (target.dtype !== 'int32') {
    throw new DTypeError(`nllLoss: target must be an int32 tensor of class indices, got ${target.dtype}`);
  }
  if (input.ndim !== 1 && input.ndim !== 2) {
    throw new ShapeError(`nllLoss: input must be [N, C] or [C] log-probabilities, got shape ${fmtShape(input.shape)}`);
  }
  const batched = input.ndim === 2;
  if ((batched && (target.ndim !== 1 || target.shape[0] !== input.shape[0])) || (!batched && target.ndim !== 0)) {
    throw new ShapeError(
      `nllLoss: expected target of shape ${batched ? `[${input.shape[0]}]` : '[]'} for input ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`,
    );
  }
  const classes = input.shape[input.ndim - 1];
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== classes)) {
    throw new ShapeError(`nllLoss: weight must have shape [${classes}], got ${fmtShape(weight.shape)}`);
  }
  const inputs = weight ? [input, target, weight] : [input, target];
  return dispatch('nllLoss', inputs, { reduction, ignoreIndex }, () => {
    const logp = batched ? input : input.unsqueeze(0);
    const tgt = batched ? target : target.unsqueeze(0);
    const { safeTarget, sampleWeight } = nllSampleWeights(tgt, weight, ignoreIndex, classes, input.dtype);
    const picked = gather(logp, 1, safeTarget.unsqueeze(1)).squeeze(1);
    const losses = neg(mul(picked, sampleWeight));
    if (reduction === 'none') return batched ? losses : losses.reshape([]);
    const total = sum(losses);
    return reduction === 'sum' ? total : total.div(sum(sampleWeight));
  });
}

/**
 * Per-sample weights of an NLL loss (class weight, 0 for ignored samples) and
 * targets with ignored entries replaced by class 0 so they index safely.
 * Exported for the loss's gradient rule.
 */
export function nllSampleWeights(
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
  classes: number,
  dtype: Tensor['dtype'],
): { safeTarget: Tensor; sampleWeight: Tensor } {
  const kept = ne(target, ignoreIndex);
  const safeTarget = where(kept, target, 0);
  checkTargetRange(safeTarget, classes);
  const classWeight = weight ? weight.indexSelect(0, safeTarget) : null;
  const sampleWeight = classWeight ? where(kept, classWeight, 0) : kept.cast(dtype);
  return { safeTarget, sampleWeight };
}

function checkTargetRange(target: Tensor, classes: number): void {
  if (!target.storage.backend.readSync || target.size === 0) return;
  // Device backends check bounds in their gather kernel; here the message can name the value.
  const values = target.dataSync();
  for (const v of values) {
    if (v < 0 || v >= classes) throw new ShapeError(`nllLoss: target ${v} is out of bounds for ${classes} classes`);
  }
}
