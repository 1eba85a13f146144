import { ShapeError, type Tensor } from '@kindling/tensor';
import { affineToFloat, hostImageGeometry, hostRowsToFloat } from './affine-cast.js';
import type { Normalize } from './normalize.js';
import type { PixelMap } from './remap.js';
import type { HostRows, Transform } from './transform.js';

/**
 * `torchvision.transforms.ToTensor`: an image `[H, W]` or `[H, W, C]` becomes
 * float32 `[C, H, W]`; uint8 values are scaled to [0, 1], other dtypes only
 * converted. A batch `[N, H, W]` or `[N, H, W, C]` becomes `[N, C, H, W]`.
 */
export class ToTensor implements Transform {
  apply(x: Tensor): Tensor {
    return convert(x, false, null);
  }

  applyBatch(x: Tensor): Tensor {
    return convert(x, true, null);
  }

  applyBatchToHostRows(source: HostRows, indices: Int32Array, device: string): Tensor | null {
    return this.hostRowsToFloat(source, indices, device, null);
  }

  /** @internal The host-row conversion with a pixel map (crops and flips before it) folded in. */
  hostRowsToFloat(source: HostRows, indices: Int32Array, device: string, map: PixelMap | null): Tensor | null {
    return hostRowsToFloat(source, indices, [1 / 255], [0], device, map);
  }

  /** ToTensor then `normalize`, as one pass (what `Compose` runs for the pair). */
  fuse(normalize: Normalize): ToTensorNormalize {
    return new ToTensorNormalize(normalize);
  }
}

/** ToTensor and Normalize fused: bytes to normalized floats in one pass. @internal */
export class ToTensorNormalize extends ToTensor {
  constructor(private readonly normalize: Normalize) {
    super();
  }

  override apply(x: Tensor): Tensor {
    return convert(x, false, this.normalize);
  }

  override applyBatch(x: Tensor): Tensor {
    return convert(x, true, this.normalize);
  }

  override hostRowsToFloat(source: HostRows, indices: Int32Array, device: string, map: PixelMap | null): Tensor | null {
    const geometry = hostImageGeometry(source.sampleShape);
    if (geometry === null) return null;
    const { c } = geometry;
    this.normalize.checkChannels(c);
    // ((v / 255) - mean) / std as one multiply-add per channel.
    const scale = Array.from({ length: c }, (_, i) => 1 / 255 / this.normalize.stdOf(i));
    const shift = Array.from({ length: c }, (_, i) => -this.normalize.meanOf(i) / this.normalize.stdOf(i));
    return hostRowsToFloat(source, indices, scale, shift, device, map);
  }
}

/** The `[..., C, H, W]` view of an image or batch in `[..., H, W(, C)]` layout. */
function chwView(x: Tensor, batched: boolean): Tensor {
  const lead = batched ? 1 : 0;
  if (x.ndim === lead + 2) return x.unsqueeze(lead);
  if (x.ndim === lead + 3) return batched ? x.permute(0, 3, 1, 2) : x.permute(2, 0, 1);
  const want = batched ? '[N,H,W] or [N,H,W,C]' : '[H,W] or [H,W,C]';
  throw new ShapeError(`ToTensor: expected an image of shape ${want}, got [${x.shape.join(',')}]`);
}

function convert(x: Tensor, batched: boolean, normalize: Normalize | null): Tensor {
  const chw = chwView(x, batched);
  const channelDim = chw.ndim - 3;
  const channels = chw.shape[channelDim];
  const factor = x.dtype === 'uint8' ? 1 / 255 : 1;
  let scale = [factor];
  let shift = [0];
  if (normalize) {
    normalize.checkChannels(channels);
    // ((v * factor) - mean) / std, folded into one multiply-add per element.
    scale = Array.from({ length: channels }, (_, c) => factor / normalize.stdOf(c));
    shift = Array.from({ length: channels }, (_, c) => -normalize.meanOf(c) / normalize.stdOf(c));
  } else if (x.dtype === 'float32') {
    // Already floats: only the layout changes (a view when it is already contiguous).
    const out = chw.contiguous();
    if (out !== chw) chw.dispose();
    return out;
  }
  const out = affineToFloat(chw, channelDim, scale, shift);
  chw.dispose();
  return out;
}
