import './setup.js';
import { Generator, type Tensor, arange, stack, tensor } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import {
  Compose,
  Flatten,
  Lambda,
  Normalize,
  RandomAffine,
  RandomCrop,
  RandomHorizontalFlip,
  RandomRotation,
  ToTensor,
} from '../src/index.js';

const vals = (t: Tensor) => Array.from(t.readSync());
const bytes = (shape: number[]) =>
  tensor(
    Uint8Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i * 37) % 256),
    { shape },
  );

function expectClose(a: Tensor, b: Tensor, tol = 1e-6): void {
  expect(a.shape).toEqual(b.shape);
  const x = vals(a);
  const y = vals(b);
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(tol);
}

describe('ToTensor', () => {
  it('turns uint8 HW into float CHW in [0, 1]', () => {
    const img = bytes([2, 3]);
    const out = new ToTensor().apply(img);
    expect(out.dtype).toBe('float32');
    expect(out.shape).toEqual([1, 2, 3]);
    expectClose(
      out,
      tensor(
        Float32Array.from(vals(img), (v) => v / 255),
        { shape: [1, 2, 3] },
      ),
    );
  });

  it('moves HWC channels first, for samples and batches', () => {
    const hwc = bytes([2, 2, 3]);
    const out = new ToTensor().apply(hwc);
    expect(out.shape).toEqual([3, 2, 2]);
    // out[c][i][j] = in[i][j][c] / 255
    expect(out.readSync()[1 * 4 + 1 * 2 + 0]).toBeCloseTo(hwc.readSync()[1 * 6 + 0 * 3 + 1] / 255, 6);
    const batch = stack([hwc, hwc]);
    const outBatch = new ToTensor().applyBatch(batch);
    expect(outBatch.shape).toEqual([2, 3, 2, 2]);
    expectClose(outBatch.select(0, 1), out);
    expect(new ToTensor().applyBatch(bytes([5, 4, 4])).shape).toEqual([5, 1, 4, 4]);
  });

  it('converts other dtypes without scaling', () => {
    const f = tensor([[0.5, 2]], { dtype: 'float32' });
    expect(vals(new ToTensor().apply(f))).toEqual([0.5, 2]);
    expect(vals(new ToTensor().apply(tensor([[3, 4]])))).toEqual([3, 4]);
    expect(() => new ToTensor().apply(tensor([1, 2]))).toThrow(/expected an image of shape \[H,W\] or \[H,W,C\], got \[2\]/);
  });
});

describe('Normalize', () => {
  it('normalizes each channel of a sample and of a batch', () => {
    const x = tensor(Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), { shape: [2, 2, 2] });
    const out = new Normalize([1, 2], [2, 4]).apply(x);
    expect(vals(out)).toEqual([-0.5, 0, 0.5, 1, 0.5, 0.75, 1, 1.25]);
    const batch = new Normalize([1, 2], [2, 4]).applyBatch(stack([x, x]));
    expect(vals(batch)).toEqual([...vals(out), ...vals(out)]);
  });

  it('rejects integer input, zero std and a channel mismatch', () => {
    expect(() => new Normalize([0.5], [0.5]).apply(bytes([1, 2, 2]))).toThrow(/input should be a float tensor.*uint8/);
    expect(() => new Normalize([0], [0])).toThrow(/std evaluated to zero/);
    expect(() => new Normalize([0, 0], [1, 1]).apply(tensor(new Float32Array(12), { shape: [3, 2, 2] }))).toThrow(
      /2 means and stds for an image with 3 channels/,
    );
  });
});

describe('Compose', () => {
  it('fuses ToTensor + Normalize into one pass equal to running them in turn', () => {
    const img = bytes([3, 4, 4]);
    const fused = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])]);
    const stepwise = new Normalize([0.1307], [0.3081]).applyBatch(new ToTensor().applyBatch(img));
    expectClose(fused.applyBatch(img), stepwise, 2e-6);
    expectClose(fused.apply(img.select(0, 2)), stepwise.select(0, 2), 2e-6);
    const rgb = bytes([4, 4, 3]);
    const fusedRgb = new Compose([new ToTensor(), new Normalize([0.4, 0.5, 0.6], [0.2, 0.25, 0.3])]).apply(rgb);
    expectClose(fusedRgb, new Normalize([0.4, 0.5, 0.6], [0.2, 0.25, 0.3]).apply(new ToTensor().apply(rgb)), 2e-6);
  });

  it('chains Lambda and Flatten; batch results equal stacked per-sample results', () => {
    const t = new Compose([new ToTensor(), new Lambda((x) => x.mul(2)), new Flatten()]);
    const batch = bytes([3, 2, 2]);
    const out = t.applyBatch(batch);
    expect(out.shape).toEqual([3, 4]);
    expectClose(out.select(0, 1), t.apply(batch.select(0, 1)));
    const batchedLambda = new Lambda((x) => x.add(1), { batched: true });
    expect(vals(batchedLambda.applyBatch(arange(3)))).toEqual([1, 2, 3]);
  });
});

describe('random augmentations', () => {
  const img = (n: number, h = 4, w = 5) =>
    tensor(
      Int32Array.from({ length: n * h * w }, (_, i) => i + 1),
      { shape: [n, h, w] },
    );

  it('RandomHorizontalFlip mirrors with probability p, each image of a batch on its own coin', () => {
    const x = img(1, 2, 3);
    expect(vals(new RandomHorizontalFlip(1).apply(x.select(0, 0)))).toEqual([3, 2, 1, 6, 5, 4]);
    expect(vals(new RandomHorizontalFlip(0).apply(x.select(0, 0)))).toEqual([1, 2, 3, 4, 5, 6]);
    const batch = img(64, 2, 3);
    const out = new RandomHorizontalFlip(0.5, { generator: new Generator(1) }).applyBatch(batch);
    expect(out.shape).toEqual([64, 2, 3]);
    let flipped = 0;
    for (let n = 0; n < 64; n++) {
      const o = vals(out.select(0, n));
      const s = vals(batch.select(0, n));
      const mirrored = [s[2], s[1], s[0], s[5], s[4], s[3]];
      if (o.join() === mirrored.join()) flipped++;
      else expect(o).toEqual(s);
    }
    expect(flipped).toBeGreaterThan(16);
    expect(flipped).toBeLessThan(48);
    const again = new RandomHorizontalFlip(0.5, { generator: new Generator(1) }).applyBatch(batch);
    expect(vals(again)).toEqual(vals(out));
  });

  it('RandomCrop with padding shifts each image and fills the border', () => {
    const batch = img(32, 4, 4);
    const out = new RandomCrop(4, { padding: 1, generator: new Generator(3) }).applyBatch(batch);
    expect(out.shape).toEqual([32, 4, 4]);
    const shifts = new Set<string>();
    for (let n = 0; n < 32; n++) {
      const o = vals(out.select(0, n));
      const s = vals(batch.select(0, n));
      // Find the shift (dy, dx) in [-1, 1]² that explains the crop.
      let found = '';
      for (let dy = -1; dy <= 1 && !found; dy++) {
        for (let dx = -1; dx <= 1 && !found; dx++) {
          const ok = o.every((v, k) => {
            const y = Math.floor(k / 4) + dy;
            const x = (k % 4) + dx;
            return v === (y >= 0 && y < 4 && x >= 0 && x < 4 ? s[y * 4 + x] : 0);
          });
          if (ok) found = `${dy},${dx}`;
        }
      }
      expect(found).not.toBe('');
      shifts.add(found);
    }
    expect(shifts.size).toBeGreaterThan(4);
    expect(new RandomCrop([2, 3]).apply(img(1).select(0, 0)).shape).toEqual([2, 3]);
    expect(new RandomCrop(3).apply(tensor(new Float32Array(2 * 4 * 4), { shape: [2, 4, 4] })).shape).toEqual([2, 3, 3]);
    expect(() => new RandomCrop(9).apply(img(1).select(0, 0))).toThrow(/crop size \[9,9\] is larger than the padded image \[4,5\]/);
  });

  it('RandomRotation by exactly 90 degrees turns the image counter-clockwise (np.rot90)', () => {
    const x = img(1, 3, 3).select(0, 0);
    const out = new RandomRotation([90, 90]).apply(x);
    expect(vals(out)).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
    const zero = new RandomRotation(0).applyBatch(img(2, 3, 3));
    expect(vals(zero)).toEqual(vals(img(2, 3, 3)));
  });

  it('RandomAffine translates within bounds, filling what comes from outside', () => {
    const batch = tensor(new Uint8Array(16 * 8 * 8).fill(200), { shape: [16, 1, 8, 8] });
    const out = new RandomAffine({ degrees: 0, translate: [0.25, 0.25], fill: 7, generator: new Generator(9) }).applyBatch(batch);
    expect(out.shape).toEqual([16, 1, 8, 8]);
    const v = vals(out);
    expect(v.every((p) => p === 200 || p === 7)).toBe(true);
    expect(v.filter((p) => p === 7).length).toBeGreaterThan(0);
    expect(() => new RandomAffine({ degrees: 0, translate: [2, 0] })).toThrow(/translate values should be in \[0, 1\]/);
  });
});
