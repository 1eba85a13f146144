import './setup.js';
import { Generator, type Tensor, arange, tensor } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { ConcatDataset, Dataset, Subset, TensorDataset, defaultCollate, randomSplit } from '../src/index.js';

const ints = (t: Tensor) => Array.from(t.readSync());

/** A dataset without getBatch: sample i is [i * 10 as a [2] float tensor, label i % 3]. */
class Plain extends Dataset<[Tensor, number]> {
  constructor(readonly n: number) {
    super();
  }
  get length(): number {
    return this.n;
  }
  getItem(i: number): [Tensor, number] {
    return [tensor([i * 10, i * 10 + 1], { dtype: 'float32' }), i % 3];
  }
}

describe('TensorDataset', () => {
  const x = arange(12).reshape(6, 2);
  const y = arange(6);
  const ds = new TensorDataset(x, y);

  it('indexes along the first dim', () => {
    expect(ds.length).toBe(6);
    const [xi, yi] = ds.getItem(4);
    expect(ints(xi)).toEqual([8, 9]);
    expect(yi.itemSync()).toBe(4);
  });

  it('fetches a batch with one gather per tensor, equal to collating the samples', () => {
    const idx = Int32Array.of(5, 0, 3);
    const [bx, by] = ds.getBatch(idx);
    expect(bx.shape).toEqual([3, 2]);
    expect(ints(bx)).toEqual([10, 11, 0, 1, 6, 7]);
    expect(ints(by)).toEqual([5, 0, 3]);
    const [cx, cy] = defaultCollate([...idx].map((i) => ds.getItem(i)));
    expect(ints(cx)).toEqual(ints(bx));
    expect(ints(cy)).toEqual(ints(by));
  });

  it('rejects mismatched sizes and out-of-range indices', () => {
    expect(() => new TensorDataset(x, arange(5))).toThrow(/size mismatch.*\[6,2\].*\[5\]/);
    expect(() => ds.getItem(6)).toThrow(/TensorDataset.getItem: index 6 is out of range for a dataset of length 6/);
    expect(() => ds.getBatch(Int32Array.of(0, -1))).toThrow(/index -1 is out of range/);
  });
});

describe('defaultCollate', () => {
  it('stacks tensors, turns numbers and booleans into tensors, and recurses', () => {
    const batch = defaultCollate([
      { x: tensor([1, 2]), y: 1, w: 0.5, ok: true, pair: [tensor(3), 4] as [Tensor, number] },
      { x: tensor([3, 4]), y: 2, w: 1, ok: false, pair: [tensor(5), 6] as [Tensor, number] },
    ]);
    expect(batch.x.shape).toEqual([2, 2]);
    expect(ints(batch.x)).toEqual([1, 2, 3, 4]);
    expect(batch.y.dtype).toBe('int32');
    expect(batch.w.dtype).toBe('float32');
    expect(batch.ok.dtype).toBe('bool');
    expect(ints(batch.pair[0])).toEqual([3, 5]);
    expect(ints(batch.pair[1])).toEqual([4, 6]);
  });

  it('rejects empty batches and mixed types', () => {
    expect(() => defaultCollate([])).toThrow(/empty batch/);
    expect(() => defaultCollate([1, tensor(2)] as unknown[])).toThrow(/mixes numbers/);
  });
});

describe('Subset and randomSplit', () => {
  it('maps indices, including through getBatch', () => {
    const ds = new TensorDataset(arange(10));
    const sub = new Subset(ds, [7, 2, 9]);
    expect(sub.length).toBe(3);
    expect(sub.getItem(1)[0].itemSync()).toBe(2);
    expect(ints((sub.getBatch as (i: Int32Array) => Tensor[])(Int32Array.of(2, 0))[0])).toEqual([9, 7]);
    expect(() => new Subset(ds, [10])).toThrow(/out of range/);
    expect(new Subset(new Plain(4), [1]).getBatch).toBeUndefined();
  });

  it('splits into disjoint, seeded subsets (counts or fractions)', () => {
    const ds = new Plain(10);
    const [a, b] = randomSplit(ds, [7, 3], new Generator(42));
    expect([a.length, b.length]).toEqual([7, 3]);
    expect([...a.indices, ...b.indices].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const [a2] = randomSplit(ds, [7, 3], new Generator(42));
    expect([...a2.indices]).toEqual([...a.indices]);
    const [c] = randomSplit(ds, [7, 3], new Generator(43));
    expect([...c.indices]).not.toEqual([...a.indices]);
    // PyTorch: floor(10 * 0.33) = 3 each, the remainder 1 goes to the first subset.
    expect(randomSplit(ds, [0.34, 0.33, 0.33], new Generator(0)).map((s) => s.length)).toEqual([4, 3, 3]);
    expect(() => randomSplit(ds, [5, 4])).toThrow(/summing to the dataset length 10/);
  });
});

describe('ConcatDataset', () => {
  const a = new TensorDataset(arange(3));
  const b = new TensorDataset(arange(100, 105));
  const ds = new ConcatDataset([a, b]);

  it('indexes across parts', () => {
    expect(ds.length).toBe(8);
    expect(ds.cumulativeSizes).toEqual([3, 8]);
    expect([...Array(8).keys()].map((i) => ds.getItem(i)[0].itemSync())).toEqual([0, 1, 2, 100, 101, 102, 103, 104]);
    expect(() => ds.getItem(8)).toThrow(/out of range/);
  });

  it('batches across parts, keeping the requested order', () => {
    const batch = (ds.getBatch as (i: Int32Array) => Tensor[])(Int32Array.of(4, 0, 7, 2, 3));
    expect(ints(batch[0])).toEqual([101, 0, 104, 2, 100]);
    expect(ints((ds.getBatch as (i: Int32Array) => Tensor[])(Int32Array.of(5, 6))[0])).toEqual([102, 103]);
    expect(new ConcatDataset<[Tensor, number]>([new Plain(2), new Plain(2)]).getBatch).toBeUndefined();
  });
});
