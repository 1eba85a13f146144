import { ShapeError, type Tensor, cat, full, gather, tensor } from '@kindling/tensor';

/**
 * Where every output pixel of a batch of `n` images comes from:
 * `source[s * outH * outW + p]` is the input pixel `y * W + x` that output
 * pixel `p` of image `s` copies, or -1 for "outside the image, use `fill`".
 * Every geometric augmentation (flip, crop, rotation, affine) is such a map.
 */
export interface PixelMap {
  readonly source: Int32Array;
  readonly outH: number;
  readonly outW: number;
  readonly fill: number;
}

/**
 * A transform that is a pixel map: `pixelMap` draws its random parameters
 * for `n` images of `h × w` and says where each output pixel comes from.
 * `outsideFill` is the fill its maps use, or null when they never reach
 * outside the image (a flip); it is known before drawing, so a pipeline can
 * decide to fuse maps without consuming random numbers.
 * @internal
 */
export interface PixelMapper {
  readonly outsideFill: number | null;
  pixelMap(n: number, h: number, w: number): PixelMap;
}

/** Whether `t` is a `PixelMapper`. @internal */
export function isPixelMapper(t: object): t is PixelMapper {
  return typeof (t as Partial<PixelMapper>).pixelMap === 'function' && 'outsideFill' in t;
}

/**
 * `second` applied after `first` as one map (both over the same `n` images;
 * `second` was drawn for `first`'s output size). Outside pixels of either
 * become -1; callers only compose maps whose fills agree.
 */
export function composePixelMaps(first: PixelMap, second: PixelMap, n: number): PixelMap {
  const inner = first.outH * first.outW;
  const plane = second.outH * second.outW;
  const source = new Int32Array(n * plane);
  for (let s = 0; s < n; s++) {
    for (let p = 0; p < plane; p++) {
      const q = second.source[s * plane + p];
      source[s * plane + p] = q < 0 ? -1 : first.source[s * inner + q];
    }
  }
  return { source, outH: second.outH, outW: second.outW, fill: second.fill };
}

/**
 * Whether an image tensor is channel-last (HWC): a uint8 image `[H, W, C]`
 * (batch `[N, H, W, C]`) whose last dim is 1, 3 or 4, as datasets give
 * colour images (CIFAR10; torchvision's PIL images) and `ToTensor` reads
 * them. Everything else is channel-first (`[C, H, W]`, torchvision's tensor
 * layout) or has no channel dim (`[H, W]`).
 */
export function isChannelLast(x: Tensor, batched: boolean): boolean {
  const c = x.shape[x.ndim - 1];
  return x.dtype === 'uint8' && x.ndim === (batched ? 4 : 3) && (c === 1 || c === 3 || c === 4);
}

/**
 * Applies the pixel map `mapFn` draws to a sample (`[H, W]`, `[C, H, W]` or
 * uint8 `[H, W, C]`) or a batch (the same with a leading `N`), keeping the
 * input's layout and rank. The whole batch is one gather:
 * `out[s, c, p] = x[s, c, source[s, p]]`, with one extra pixel holding `fill`.
 */
export function remapImages(op: string, x: Tensor, batched: boolean, mapFn: (n: number, h: number, w: number) => PixelMap): Tensor {
  const lead = batched ? 1 : 0;
  if (x.ndim !== lead + 2 && x.ndim !== lead + 3) {
    const want = batched ? '[N,H,W], [N,C,H,W] or uint8 [N,H,W,C]' : '[H,W], [C,H,W] or uint8 [H,W,C]';
    throw new ShapeError(`${op}: expected ${want}, got [${x.shape.join(',')}]`);
  }
  const last = isChannelLast(x, batched);
  const hDim = last ? x.ndim - 3 : x.ndim - 2;
  const [h, w] = [x.shape[hDim], x.shape[hDim + 1]];
  const n = batched ? x.shape[0] : 1;
  const c = x.ndim === lead + 2 ? 1 : x.shape[last ? x.ndim - 1 : lead];
  const { source, outH, outW, fill } = mapFn(n, h, w);
  const plane = outH * outW;
  if (source.length !== n * plane) throw new ShapeError(`${op}: expected ${n * plane} source indices, got ${source.length}`);
  // Pixels along one dim, channels along the other: [n, c, hw] (CHW) or [n, hw, c] (HWC).
  const pixelDim = last ? 1 : 2;
  const flat = last ? x.reshape(n, h * w, c) : x.reshape(n, c, h * w);
  // One extra pixel holding `fill`, so "outside" is an ordinary index.
  const pad = full(last ? [n, 1, c] : [n, c, 1], fill, { dtype: x.dtype, device: x.device });
  const padded = cat([flat, pad], pixelDim);
  const index = new Int32Array(source.length);
  for (let i = 0; i < source.length; i++) index[i] = source[i] < 0 ? h * w : source[i];
  const idx = tensor(index, { shape: last ? [n, plane, 1] : [n, 1, plane], device: x.device });
  const expanded = last ? idx.expand(n, plane, c) : idx.expand(n, c, plane);
  const gathered = gather(padded, pixelDim, expanded);
  const outShape = last ? [...x.shape.slice(0, -3), outH, outW, c] : [...x.shape.slice(0, -2), outH, outW];
  const out = gathered.reshape(outShape);
  for (const t of [flat, pad, padded, idx, expanded, gathered]) if (t !== out) t.dispose();
  return out;
}
