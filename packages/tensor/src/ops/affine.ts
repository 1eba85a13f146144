import { type DType, isFloating } from '../dtype.js';
import { dispatch } from '../dispatch.js';
import { DTypeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { cast } from './convert.js';
import { add, mul } from './elementwise.js';
import { backendOf, checkBackendDType, disposeTemps, fromHandle } from './util.js';

/** Options of {@link affine}. */
export interface AffineOptions {
  /** The result's floating dtype; default `x`'s dtype when floating, else float32. */
  readonly dtype?: DType;
}

/**
 * `cast(x, dtype) * scale + shift`: torchvision's `ToTensor` followed by
 * `Normalize` on image bytes is `affine(bytes, 1 / (255 * std), -mean / std)`.
 * The multiply and the add each round to `dtype`, exactly as the three
 * separate ops do; a backend with a fused kernel does it in one pass over
 * the data instead of three.
 */
export function affine(x: Tensor, scale: number, shift: number, options: AffineOptions = {}): Tensor {
  x.assertAlive('affine');
  const dtype = options.dtype ?? (isFloating(x.dtype) ? x.dtype : 'float32');
  if (!isFloating(dtype)) throw new DTypeError(`affine: dtype must be a floating dtype, got ${dtype}`);
  const backend = backendOf(x);
  checkBackendDType('affine', backend, dtype);
  return dispatch('affine', [x], { scale, shift, dtype }, () => {
    const handle = backend.fused?.affine?.(x.view_(), scale, shift, dtype) ?? null;
    if (handle !== null) return fromHandle(backend, handle, dtype, x.shape);
    const converted = cast(x, dtype);
    const scaled = mul(converted, scale);
    const out = add(scaled, shift);
    disposeTemps(converted === x ? [scaled] : [converted, scaled], [out]);
    return out;
  });
}
