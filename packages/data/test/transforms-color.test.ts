import './setup.js';
import { Generator, type Tensor, tensor } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { Compose, type HostRows, Normalize, RandomAffine, RandomCrop, RandomHorizontalFlip, ToTensor } from '../src/index.js';

const vals = (t: Tensor) => Array.from(t.readSync());
/** uint8 colour images `[n, h, w, 3]` (HWC), distinct values per channel. */
function hwcBytes(n: number, h: number, w: number): Uint8Array {
  return Uint8Array.from({ length: n * h * w * 3 }, (_, i) => (i * 53 + (i % 3) * 80) % 256);
}
const hwc = (n: number, h: number, w: number) => tensor(hwcBytes(n, h, w), { shape: [n, h, w, 3] });

function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = vals(a);
  const y = vals(b);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  return worst;
}

describe('geometric transforms on uint8 HWC colour images', () => {
  it('RandomHorizontalFlip mirrors the width of [H, W, 3] samples and [N, H, W, 3] batches, keeping the layout', () => {
    const batch = hwc(2, 4, 5);
    const flipped = new RandomHorizontalFlip(1).applyBatch(batch);
    expect(flipped.shape).toEqual([2, 4, 5, 3]);
    expect(flipped.dtype).toBe('uint8');
    // out[n, y, x, c] = in[n, y, W-1-x, c]
    expect(vals(flipped.select(0, 1).select(0, 2).select(0, 0))).toEqual(vals(batch.select(0, 1).select(0, 2).select(0, 4)));
    const sample = new RandomHorizontalFlip(1).apply(batch.select(0, 0));
    expect(sample.shape).toEqual([4, 5, 3]);
    expect(vals(sample)).toEqual(vals(flipped.select(0, 0)));
  });

  it('RandomCrop of HWC images equals the crop of the same images as CHW, moved back to HWC', () => {
    const batch = hwc(16, 8, 8);
    const chw = batch.permute(0, 3, 1, 2).cast('float32');
    const a = new RandomCrop(8, { padding: 2, fill: 7, generator: new Generator(4) }).applyBatch(batch);
    const b = new RandomCrop(8, { padding: 2, fill: 7, generator: new Generator(4) }).applyBatch(chw);
    expect(a.shape).toEqual([16, 8, 8, 3]);
    expect(b.shape).toEqual([16, 3, 8, 8]);
    expect(maxDiff(a.cast('float32'), b.permute(0, 2, 3, 1))).toBe(0);
    expect(vals(a).filter((v) => v === 7).length).toBeGreaterThan(0);
    expect(new RandomCrop(5).apply(batch.select(0, 0)).shape).toEqual([5, 5, 3]);
  });

  it('ToTensor + per-channel Normalize turns HWC bytes into normalized float CHW', () => {
    const batch = hwc(2, 3, 4);
    const mean = [0.4914, 0.4822, 0.4465];
    const std = [0.247, 0.2435, 0.2616];
    const out = new Compose([new ToTensor(), new Normalize(mean, std)]).applyBatch(batch);
    expect(out.shape).toEqual([2, 3, 3, 4]);
    const src = hwcBytes(2, 3, 4);
    const want = Float32Array.from({ length: 2 * 3 * 12 }, (_, i) => {
      const [n, c, p] = [Math.floor(i / 36), Math.floor(i / 12) % 3, i % 12];
      return (src[n * 36 + p * 3 + c] / 255 - mean[c]) / std[c];
    });
    expect(maxDiff(out, tensor(want, { shape: [2, 3, 3, 4] }))).toBeLessThan(1e-5);
  });
});

describe('Compose on host rows (the dataset fast path)', () => {
  const mean = [0.5, 0.4, 0.3];
  const std = [0.2, 0.25, 0.3];
  const data = hwcBytes(10, 6, 6);
  const rows: HostRows = { data, sampleShape: [6, 6, 3] };
  const indices = Int32Array.of(9, 0, 4, 4, 7);
  const gathered = () =>
    tensor(
      Uint8Array.from({ length: indices.length * 108 }, (_, i) => data[indices[Math.floor(i / 108)] * 108 + (i % 108)]),
      { shape: [indices.length, 6, 6, 3] },
    );

  const pipelines: Record<string, (seed: number) => Compose> = {
    'ToTensor, Normalize': () => new Compose([new ToTensor(), new Normalize(mean, std)]),
    'RandomCrop, RandomHorizontalFlip, ToTensor, Normalize': (seed) =>
      new Compose([
        new RandomCrop(6, { padding: 2, generator: new Generator(seed) }),
        new RandomHorizontalFlip(0.5, { generator: new Generator(seed + 1) }),
        new ToTensor(),
        new Normalize(mean, std),
      ]),
    'RandomCrop (smaller, fill 9), ToTensor': (seed) =>
      new Compose([new RandomCrop([4, 5], { padding: 1, fill: 9, generator: new Generator(seed) }), new ToTensor()]),
    'RandomAffine, ToTensor, Normalize, RandomHorizontalFlip': (seed) =>
      new Compose([
        new RandomAffine({ degrees: 30, translate: [0.2, 0.2], generator: new Generator(seed) }),
        new ToTensor(),
        new Normalize(mean, std),
        new RandomHorizontalFlip(0.5, { generator: new Generator(seed + 1) }),
      ]),
  };

  for (const [name, make] of Object.entries(pipelines)) {
    it(`${name}: one pass over the bytes, equal to the tensor path with the same random draws`, () => {
      const fast = make(3).applyBatchToHostRows(rows, indices, 'cpu');
      expect(fast).not.toBeNull();
      const slow = make(3).applyBatch(gathered());
      expect(maxDiff(fast as Tensor, slow)).toBeLessThan(1e-5);
    });
  }

  it('falls back (null) before drawing anything when maps disagree on the fill or the layout is unknown', () => {
    const crop = new RandomCrop(6, { padding: 2, fill: 1, generator: new Generator(1) });
    const mixed = new Compose([crop, new RandomAffine({ degrees: 10, fill: 2 }), new ToTensor()]);
    expect(mixed.applyBatchToHostRows(rows, indices, 'cpu')).toBeNull();
    const big = new Compose([new RandomCrop(6, { padding: 1, fill: 300 }), new ToTensor()]);
    expect(big.applyBatchToHostRows(rows, indices, 'cpu')).toBeNull();
    const odd = new Compose([new RandomHorizontalFlip(), new ToTensor()]);
    expect(odd.applyBatchToHostRows({ data, sampleShape: [6, 18] }, indices, 'cpu')).not.toBeNull();
    expect(odd.applyBatchToHostRows({ data, sampleShape: [3, 6, 6] }, indices, 'cpu')).toBeNull(); // CHW bytes: left to the tensor path
    // The crop drew nothing: its next batch is what a fresh generator gives.
    const fresh = new RandomCrop(6, { padding: 2, fill: 1, generator: new Generator(1) });
    const x = gathered();
    expect(vals(crop.applyBatch(x))).toEqual(vals(fresh.applyBatch(x)));
  });

  it('a Normalize with the wrong number of channels fails as on the tensor path', () => {
    const t = new Compose([new RandomHorizontalFlip(), new ToTensor(), new Normalize([0.5, 0.5], [0.5, 0.5])]);
    expect(() => t.applyBatchToHostRows(rows, indices, 'cpu')).toThrow(/Normalize: 2 means and stds for an image with 3 channels/);
  });
});
