import { dispatch } from '../dispatch.js';
import type { Tensor } from '../tensor.js';
import { mul } from './elementwise.js';
import { type NllLossOptions, checkNllArgs, nllOf, nllSampleWeights, reduceLosses } from './loss.js';
import { logSoftmax } from './softmax.js';
import { backendOf, checkSameDevice, disposeTemps, fromHandle } from './util.js';

/** Options of `crossEntropyLoss`: class weights, the ignored target value and the reduction, as for `nllLoss`. */
export type CrossEntropyLossOptions = NllLossOptions;

/**
 * Cross-entropy of raw logits with class indices
 * (`torch.nn.functional.cross_entropy` without label smoothing): `input` is
 * `[N, C]` (or `[C]`), `target` int32 `[N]` (or `[]`). Equals
 * `nllLoss(logSoftmax(input, -1), target, options)`, weights, ignored targets
 * and the `mean` divisor (total weight of the kept samples) included.
 *
 * On a backend with a fused `crossEntropy` kernel the per-sample terms come
 * from one pass over the logits, so the `[N, C]` log-probabilities are never
 * written and read back; elsewhere it runs as that lowering.
 */
export function crossEntropyLoss(input: Tensor, target: Tensor, options: CrossEntropyLossOptions = {}): Tensor {
  const reduction = options.reduction ?? 'mean';
  const ignoreIndex = options.ignoreIndex ?? -100;
  const weight = options.weight ?? null;
  const inputs = weight ? [input, target, weight] : [input, target];
  checkSameDevice('crossEntropyLoss', inputs);
  checkNllArgs('crossEntropyLoss', input, target, weight, 'logits');
  const batched = input.ndim === 2;
  const classes = input.shape[input.ndim - 1];
  return dispatch('crossEntropy', inputs, { reduction, ignoreIndex }, () => {
    const backend = backendOf(input);
    const fused = backend.fused?.crossEntropy;
    // The kernel takes float32/float64 only: half precision lowers so it rounds where PyTorch does,
    // and integer logits reach float32 through logSoftmax.
    if (!fused || (input.dtype !== 'float32' && input.dtype !== 'float64')) {
      const logp = logSoftmax(input, -1);
      const out = nllOf('crossEntropyLoss', logp, target, weight, ignoreIndex, reduction);
      logp.dispose();
      return out;
    }
    const logits = batched ? input : input.unsqueeze(0);
    const tgt = batched ? target : target.unsqueeze(0);
    const { safeTarget, sampleWeight } = nllSampleWeights(tgt, weight, ignoreIndex, classes, input.dtype, 'crossEntropyLoss');
    const handle = fused.call(backend.fused, logits.view_(), safeTarget.view_());
    const terms = fromHandle(backend, handle, input.dtype, [logits.shape[0]]);
    const temps = [logits, tgt, safeTarget, terms];
    const out = reduceLosses(sampleWeight ? mul(terms, sampleWeight) : terms, sampleWeight, reduction, batched, temps);
    disposeTemps(temps, [input, target, out]);
    return out;
  });
}
