import { KindlingError, type Tensor, rand } from '@kindling/tensor';

/** Throws unless `p` is a probability, with PyTorch's message. */
export function checkProbability(owner: string, p: unknown): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new KindlingError(`${owner}: probability has to be between 0 and 1, but got ${String(p)}`);
  }
  return p;
}

/**
 * Inverted dropout with one draw per entry of `maskShape` (which broadcasts
 * to `x`): the mask is scaled by `1/(1-p)` before the one multiply, so a
 * channel mask `[N, C, 1, 1]` costs one pass over `x`.
 */
export function maskedDropout(op: string, x: Tensor, p: number, training: boolean, maskShape: readonly number[]): Tensor {
  checkProbability(op, p);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const keep = rand(maskShape, { device: x.device, dtype: x.dtype === 'float64' ? 'float64' : 'float32' }).lt(1 - p);
  return x.mul(keep.cast(x.dtype).div(1 - p));
}
