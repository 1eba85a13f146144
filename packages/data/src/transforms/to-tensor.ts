import { ShapeError, type Tensor } from '@kindling/tensor';
import { affineToFloat, hostRowsToFloat } from './affine-cast.js';
import type { Normalize } from './normalize.js';
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
    return hostRowsToFloat(source, indices, 1 / 255, 0, device);
  }

  /** ToTensor then `normalize`, as one pass (what `Compose` runs for the pair). */
  fuse(normalize: Normalize): Transform {
    return {
      apply: (x) => convert(x, false, normalize),
      applyBatch: (x) => convert(x, true, normalize),
      applyBatchToHostRows: (source, indices, device) => {
        normalize.checkChannels(1);
        const mean = normalize.meanOf(0);
        const std = normalize.stdOf(0);
        return hostRowsToFloat(source, indices, 1 / 255 / std, -mean / std, device);
      },
    };
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
