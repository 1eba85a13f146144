import { type Tensor, affine, tensor } from '@kindling/tensor';
import { gatherRows } from '../gather-rows.js';
import type { PixelMap } from './remap.js';
import type { HostRows } from './transform.js';

/**
 * `out = float32(x) * scale[c] + shift[c]` along channel dim `channelDim`:
 * the fused form of ToTensor + Normalize, one `affine` pass when every
 * channel has the same scale and shift. The result is contiguous.
 */
export function affineToFloat(x: Tensor, channelDim: number, scale: readonly number[], shift: readonly number[]): Tensor {
  if (scale.length === 1 && shift.length === 1) return affine(x, scale[0], shift[0], { dtype: 'float32' });
  const channels = x.shape[channelDim];
  const shape = x.shape.map((_, d) => (d === channelDim ? channels : 1));
  const pick = (v: readonly number[]) => Float32Array.from({ length: channels }, (_, c) => v[v.length === 1 ? 0 : c]);
  const s = tensor(pick(scale), { shape, device: x.device });
  const t = tensor(pick(shift), { shape, device: x.device });
  const out = x.cast('float32');
  const result = (out === x ? x.clone() : out).mul_(s).add_(t);
  s.dispose();
  t.dispose();
  return result;
}

/** Height, width and channels of host-row samples `[H, W]` or HWC `[H, W, C]`, or null for other layouts. */
export function hostImageGeometry(sampleShape: readonly number[]): { h: number; w: number; c: number } | null {
  if (sampleShape.length === 2) return { h: sampleShape[0], w: sampleShape[1], c: 1 };
  // The layout `isChannelLast` recognises, so this path sees images as the tensor path does.
  const c = sampleShape[2];
  if (sampleShape.length === 3 && (c === 1 || c === 3 || c === 4)) {
    return { h: sampleShape[0], w: sampleShape[1], c: sampleShape[2] };
  }
  return null;
}

/**
 * The fast path of `affineToFloat` for samples held as bytes in host memory
 * (`[H, W]`, or HWC `[H, W, C]`): `out[k, c, p] = byte * scale[c] + shift[c]`
 * for the rows `indices`, as float32 `[N, C, outH, outW]`. With a pixel map
 * (crops and flips folded in), output pixel `p` of sample `k` reads input
 * pixel `map.source[k, p]` (or `map.fill` for -1). No gather kernel runs: a
 * single-channel batch without a map is one native copy per row and one
 * `affine`; otherwise one pass in JavaScript writes the float batch. Null
 * for other sample layouts.
 */
export function hostRowsToFloat(
  source: HostRows,
  indices: Int32Array,
  scale: readonly number[],
  shift: readonly number[],
  device: string,
  map: PixelMap | null = null,
): Tensor | null {
  const geometry = hostImageGeometry(source.sampleShape);
  if (geometry === null) return null;
  const { h, w, c } = geometry;
  const rowSize = h * w * c;
  const n = indices.length;
  if (c === 1 && map === null) {
    const rows = scratchBytes(n * rowSize);
    gatherRows(source.data, rowSize, indices, rows);
    const bytes = tensor(rows, { shape: [n, 1, h, w], device });
    const out = affine(bytes, scale[0], shift[0], { dtype: 'float32' });
    bytes.dispose();
    return out;
  }
  const outH = map ? map.outH : h;
  const outW = map ? map.outW : w;
  const plane = outH * outW;
  const out = new Float32Array(n * c * plane);
  const data = source.data;
  for (let k = 0; k < n; k++) {
    const base = indices[k] * rowSize;
    for (let ch = 0; ch < c; ch++) {
      const a = scale[scale.length === 1 ? 0 : ch];
      const b = shift[shift.length === 1 ? 0 : ch];
      const outside = map ? map.fill * a + b : 0;
      const dst = (k * c + ch) * plane;
      if (map === null) {
        for (let p = 0; p < plane; p++) out[dst + p] = data[base + p * c + ch] * a + b;
      } else {
        const src = map.source.subarray(k * plane, (k + 1) * plane);
        for (let p = 0; p < plane; p++) {
          const q = src[p];
          out[dst + p] = q < 0 ? outside : data[base + q * c + ch] * a + b;
        }
      }
    }
  }
  return tensor(out, { shape: [n, c, outH, outW], device });
}
let scratch = new Uint8Array(0);

// `tensor()` copies its input into the backend, so one buffer serves every batch.
function scratchBytes(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(size);
  return scratch.subarray(0, size);
}
