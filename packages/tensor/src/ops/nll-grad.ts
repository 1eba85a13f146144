import type { Tensor } from '../tensor.js';
import { tensor } from './create.js';
import type { Reduction } from './loss.js';

/**
 * The gradient of `nllLoss(input, target)` with respect to `input`, built in
 * host memory where that is cheaper than the ops it replaces: float32, no class
 * weights, a `mean` or `sum` reduction, and `grad` and `target` on a backend
 * that reads synchronously. Every row is zero but for `-grad` (÷ the batch for
 * `mean`, rounded to float32 as the `div` op rounds it) at its target: the
 * values `zeros` + `scatterAdd` write, for one small upload instead of six ops
 * and their tensors. Returns null where it does not apply (a target equal to
 * `ignoreIndex` or outside the classes included): the rule then takes the ops.
 * Not differentiable: autograd calls it only when no graph is being built.
 */
export function nllGradOnHost(
  grad: Tensor,
  target: Tensor,
  inputShape: readonly number[],
  reduction: Reduction,
  ignoreIndex: number,
): Tensor | null {
  const readSync = grad.storage.backend.readSync;
  if (grad.dtype !== 'float32' || reduction === 'none' || !readSync || !target.storage.backend.readSync) return null;
  const batched = inputShape.length === 2;
  const rows = batched ? inputShape[0] : 1;
  const classes = inputShape[inputShape.length - 1];
  const g = grad.itemSync();
  // Math.fround of the double quotient is the float32 quotient: double has room for exact rounding twice.
  const value = reduction === 'mean' ? Math.fround(g / -rows) : -g;
  const labels = target.readSync();
  const out = new Float32Array(rows * classes);
  for (let i = 0; i < rows; i++) {
    const label = labels[i];
    if (label === ignoreIndex || !(label >= 0 && label < classes)) return null;
    // Added, not stored, as scatterAdd onto zeros adds: a -0 value leaves +0.
    out[i * classes + label] += value;
  }
  return tensor(out, { shape: batched ? [rows, classes] : [classes], device: grad.device });
}
