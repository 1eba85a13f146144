import { type Tensor, affine, tensor } from '@kindling/tensor';
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

/**
 * The fast path of `affineToFloat` for single-channel samples held as bytes
 * in host memory: the requested rows are copied into one byte buffer (a
 * native copy per row, no gather kernel), uploaded as a uint8 batch and
 * converted by one `affine`; the result is `[N, 1, ...sampleShape]`. Null
 * when the samples have channels.
 */
export function hostRowsToFloat(source: HostRows, indices: Int32Array, scale: number, shift: number, device: string): Tensor | null {
  if (source.sampleShape.length !== 2) return null;
  const rowSize = source.sampleShape[0] * source.sampleShape[1];
  const rows = scratchBytes(indices.length * rowSize);
  for (let k = 0; k < indices.length; k++) {
    const start = indices[k] * rowSize;
    rows.set(source.data.subarray(start, start + rowSize), k * rowSize);
  }
  const bytes = tensor(rows, { shape: [indices.length, 1, ...source.sampleShape], device });
  const out = affine(bytes, scale, shift, { dtype: 'float32' });
  bytes.dispose();
  return out;
}

let scratch = new Uint8Array(0);

// `tensor()` copies its input into the backend, so one buffer serves every batch.
function scratchBytes(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(size);
  return scratch.subarray(0, size);
}
