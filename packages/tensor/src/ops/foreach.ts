import { isFloating } from '../dtype.js';
import { dispatch } from '../dispatch.js';
import { ShapeError } from '../errors.js';
import { isGradEnabled } from '../grad-mode.js';
import { shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add_ } from './inplace.js';
import { backendOf, checkSameDevice } from './util.js';

/**
 * `tensors[i] += alpha * others[i]` for every i: PyTorch's `torch._foreach_add_`,
 * which its optimizers use to update all parameters at once. An optimizer step
 * is a handful of tiny in-place ops per parameter, and on the CPU each costs
 * more in op bookkeeping (checks, dispatch, views) than in arithmetic; here the
 * list is one op and each pair one call of the backend's fused `axpy` kernel.
 *
 * With grad mode on (a write autograd may have to record or refuse), each pair
 * runs as `add_` does, with its checks and errors; pairs the kernel does not
 * take (mixed dtypes, broadcasting, no kernel) run as `add_` too, so results
 * are those of `add_` in every case.
 */
export function foreachAdd_(tensors: readonly Tensor[], others: readonly Tensor[], options?: { alpha?: number }): void {
  if (tensors.length !== others.length) {
    throw new ShapeError(`foreachAdd_: expected as many tensors as others, got ${tensors.length} and ${others.length}`);
  }
  const alpha = options?.alpha ?? 1;
  if (isGradEnabled()) {
    for (let i = 0; i < tensors.length; i++) add_(tensors[i], others[i], { alpha });
    return;
  }
  if (tensors.length === 0) return;
  dispatch(
    'foreachAdd_',
    [...tensors, ...others],
    { alpha },
    () => {
      for (let i = 0; i < tensors.length; i++) {
        const t = tensors[i];
        const o = others[i];
        checkSameDevice('foreachAdd_', [t, o]);
        const fused = backendOf(t).fused;
        const direct = fused?.axpy && o.dtype === t.dtype && isFloating(t.dtype) && shapesEqual(t.shape, o.shape);
        if (direct && fused.axpy?.(t.view_(), o.view_(), alpha)) t.noteWrite();
        else add_(t, o, { alpha });
      }
      return tensors[0];
    },
    true,
  );
}
