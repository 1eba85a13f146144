import { dispatch, inputsMayBeKept } from '../dispatch.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { div, mul, ne, neg, sub, where } from './elementwise.js';
import { gather } from './indexing.js';
import { sum } from './reduce.js';
import { disposeTemps } from './util.js';

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
  checkNllArgs('nllLoss', input, target, weight);
  const inputs = weight ? [input, target, weight] : [input, target];
  return dispatch('nllLoss', inputs, { reduction, ignoreIndex }, () => nllOf('nllLoss', input, target, weight, ignoreIndex, reduction));
}

/**
 * The computation of `nllLoss` on checked arguments; losses lowering to it
 * pass their own name for the out-of-range error. Call it only inside a
 * dispatched op's `run`, where nothing records the ops it uses: it frees its
 * temporaries.
 */
export function nllOf(op: string, input: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number, reduction: Reduction): Tensor {
  const batched = input.ndim === 2;
  const logp = batched ? input : input.unsqueeze(0);
  const tgt = batched ? target : target.unsqueeze(0);
  const classes = input.shape[input.ndim - 1];
  const { safeTarget, sampleWeight } = nllSampleWeights(tgt, weight, ignoreIndex, classes, input.dtype, op);
  const index = safeTarget.unsqueeze(1);
  const gathered = gather(logp, 1, index);
  if (!sampleWeight && reduction !== 'none') {
    // Every sample weighs 1: 0 - sum(picked) is sum(-picked) bit for bit (rounding is symmetric
    // in sign, and both give +0 when every picked value is ±0, where -sum would give -0), with
    // no squeeze and one negation instead of N.
    const total = sum(gathered);
    const negated = sub(0, total);
    const out = reduction === 'mean' ? div(negated, logp.shape[0]) : negated;
    disposeTemps([logp, tgt, index, gathered, total, negated], [input, target, out]);
    return out;
  }
  const picked = gathered.squeeze(1);
  const weighted = sampleWeight ? mul(picked, sampleWeight) : picked;
  const temps = [logp, tgt, safeTarget, index, gathered, picked, weighted];
  const out = reduceLosses(neg(weighted), sampleWeight, reduction, batched, temps);
  disposeTemps(temps, [input, target, out]);
  return out;
}

/**
 * Applies `reduction` to per-sample `losses` (`[N]`, already weighted):
 * `mean` divides by the total `sampleWeight` (null: every sample weighs 1,
 * so by N), and `none` of an unbatched input is 0-dim. Pushes every tensor it
 * is done with (`losses` and `sampleWeight` included) onto `temps` for the
 * caller to dispose.
 */
export function reduceLosses(losses: Tensor, sampleWeight: Tensor | null, reduction: Reduction, batched: boolean, temps: Tensor[]): Tensor {
  temps.push(losses);
  if (sampleWeight) temps.push(sampleWeight);
  if (reduction === 'none') return batched ? losses : losses.reshape([]);
  const total = sum(losses);
  if (reduction === 'sum') return total;
  temps.push(total);
  if (!sampleWeight) return div(total, losses.numel());
  const totalWeight = sum(sampleWeight);
  temps.push(totalWeight);
  return div(total, totalWeight);
}

/**
 * Throws unless `input` is `[N, C]` (or `[C]`), `target` int32 `[N]` (or
 * `[]`) and `weight` null or `[C]`: the arguments of `nllLoss` and of the
 * losses built on it, whose errors name `op` and call the input `inputKind`.
 */
export function checkNllArgs(op: string, input: Tensor, target: Tensor, weight: Tensor | null, inputKind = 'log-probabilities'): void {
  if (target.dtype !== 'int32') {
    throw new DTypeError(`${op}: target must be an int32 tensor of class indices, got ${target.dtype}`);
  }
  if (input.ndim !== 1 && input.ndim !== 2) {
    throw new ShapeError(`${op}: input must be [N, C] or [C] ${inputKind}, got shape ${fmtShape(input.shape)}`);
  }
  const batched = input.ndim === 2;
  if ((batched && (target.ndim !== 1 || target.shape[0] !== input.shape[0])) || (!batched && target.ndim !== 0)) {
    throw new ShapeError(
      `${op}: expected target of shape ${batched ? `[${input.shape[0]}]` : '[]'} for input ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`,
    );
  }
  const classes = input.shape[input.ndim - 1];
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== classes)) {
    throw new ShapeError(`${op}: weight must have shape [${classes}], got ${fmtShape(weight.shape)}`);
  }
}

/**
 * Per-sample weights of an NLL loss (class weight, 0 for ignored samples) and
 * targets with ignored entries replaced by class 0 so they index safely.
 * `sampleWeight` is null when every sample weighs 1 (no class weights, and a
 * host-memory target with nothing ignored), and `safeTarget` is then `target`
 * itself: the common case costs no mask ops. Exported for the losses'
 * gradient rules; `op` names the loss in the error for an out-of-range target.
 */
export function nllSampleWeights(
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
  classes: number,
  dtype: Tensor['dtype'],
  op = 'nllLoss',
): { safeTarget: Tensor; sampleWeight: Tensor | null } {
  // Host-memory targets are checked here, where the message can name the value;
  // device backends check bounds in their gather kernel.
  if (target.storage.backend.readSync && target.numel() > 0) {
    let ignored = false;
    for (const v of target.readSync()) {
      if (v === ignoreIndex) ignored = true;
      else if (v < 0 || v >= classes) throw new ShapeError(`${op}: target ${v} is out of bounds for ${classes} classes`);
    }
    if (!ignored && !weight) return { safeTarget: target, sampleWeight: null };
  }
  const kept = ne(target, ignoreIndex);
  const safeTarget = where(kept, target, 0);
  const classWeight = weight ? weight.indexSelect(0, safeTarget) : null;
  const sampleWeight = classWeight ? where(kept, classWeight, 0) : kept.cast(dtype);
  // Inside another op's run nothing can have saved the mask; elsewhere autograd may hold it.
  if (!inputsMayBeKept()) disposeTemps(classWeight ? [kept, classWeight] : [kept], [safeTarget, sampleWeight]);
  return { safeTarget, sampleWeight };
}
