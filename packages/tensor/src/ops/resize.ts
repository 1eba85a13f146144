import { KindlingError } from '../errors.js';
import { checkShape, contiguousStrides, numel } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { zeros } from './create.js';
import { copy_ } from './inplace.js';
import { disposeTemps } from './util.js';
import { isContiguousTensor, narrow, reshape } from './views.js';

/** How `resize_` changes a tensor: a new layout on its storage, or a new storage to move into. */
export type ResizePlan = { kind: 'restride'; shape: number[]; strides: number[] } | { kind: 'reallocate'; shape: number[]; fresh: Tensor };

/**
 * `torch.Tensor.resize_`. A contiguous tensor whose storage already holds
 * the new element count (from its offset) is only given the new shape, as
 * PyTorch does; otherwise it moves to a new contiguous storage that keeps
 * its leading elements (in row-major order) and fills the rest with zeros.
 * PyTorch refuses to resize a tensor that requires grad, and so does this.
 */
export function planResize(x: Tensor, shape: readonly number[]): ResizePlan {
  x.assertAlive('resize_');
  const target = checkShape('resize_', shape);
  if (x.requiresGrad) {
    throw new KindlingError('resize_: cannot resize a tensor that requires grad; resize a detached copy (x.detach().clone())');
  }
  const n = numel(target);
  if (isContiguousTensor(x) && x.offset + n <= x.storage.size) {
    return { kind: 'restride', shape: target, strides: contiguousStrides(target) };
  }
  const fresh = zeros(target, { dtype: x.dtype, device: x.device });
  const keep = Math.min(n, x.numel());
  if (keep > 0) {
    const flat = reshape(x, [-1]);
    const src = narrow(flat, 0, 0, keep);
    const freshFlat = reshape(fresh, [-1]);
    const dst = narrow(freshFlat, 0, 0, keep);
    copy_(dst, src);
    disposeTemps([flat, src, freshFlat, dst], [x, fresh]);
  }
  return { kind: 'reallocate', shape: target, fresh };
}
