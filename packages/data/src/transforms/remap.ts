import { ShapeError, type Tensor, cat, full, gather, tensor } from '@kindling/tensor';

/**
 * Moves pixels of a batch `[N, C, H, W]` to a new grid in one gather:
 * `out[n, c, p] = x[n, c, source[n, p]]` for the `outH × outW` output
 * pixels `p`, with `source[n, p] = -1` meaning "outside, use `fill`". Every
 * geometric augmentation (flip, crop, rotation, affine) is such a map.
 */
export function remapBatch(x: Tensor, source: Int32Array, outH: number, outW: number, fill: number): Tensor {
  const [n, c, h, w] = x.shape;
  const plane = outH * outW;
  if (source.length !== n * plane) throw new ShapeError(`remapBatch: expected ${n * plane} source indices, got ${source.length}`);
  const flat = x.reshape(n, c, h * w);
  // One extra column holding `fill`, so "outside" is an ordinary index.
  const pad = full([n, c, 1], fill, { dtype: x.dtype, device: x.device });
  const padded = cat([flat, pad], 2);
  const index = new Int32Array(source.length);
  for (let i = 0; i < source.length; i++) index[i] = source[i] < 0 ? h * w : source[i];
  const idx = tensor(index, { shape: [n, 1, plane], device: x.device });
  const expanded = idx.expand(n, c, plane);
  const out = gather(padded, 2, expanded).reshape(n, c, outH, outW);
  for (const t of [flat, pad, padded, idx, expanded]) t.dispose();
  return out;
}

/**
 * Runs `batchFn` (which wants `[N, C, H, W]`) on a sample `[C, H, W]` or
 * `[H, W]`, or on a batch `[N, H, W]` / `[N, C, H, W]`, keeping the input's rank.
 */
export function asImageBatch(op: string, x: Tensor, batched: boolean, batchFn: (b: Tensor) => Tensor): Tensor {
  const lead = batched ? 1 : 0;
  if (x.ndim !== lead + 2 && x.ndim !== lead + 3) {
    const want = batched ? '[N,H,W] or [N,C,H,W]' : '[H,W] or [C,H,W]';
    throw new ShapeError(`${op}: expected ${want}, got [${x.shape.join(',')}]`);
  }
  const h = x.shape[x.ndim - 2];
  const w = x.shape[x.ndim - 1];
  const n = batched ? x.shape[0] : 1;
  const c = x.ndim === lead + 3 ? x.shape[lead] : 1;
  const b = x.reshape(n, c, h, w);
  const out = batchFn(b);
  b.dispose();
  const outShape = [...x.shape.slice(0, -2), out.shape[2], out.shape[3]];
  const result = out.reshape(outShape);
  if (result !== out) out.dispose();
  return result;
}
