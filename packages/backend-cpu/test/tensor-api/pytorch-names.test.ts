import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { Generator, KindlingError, ShapeError, arange, max, memory, min, scalar, tensor, tidy, zeros } from '@kindling/tensor';

// The Tensor API under PyTorch's names (issue 16): size/dim, .data, read, item, tuples, resize_, type, normal_.

describe('size() and dim()', () => {
  it('size() is the shape, size(dim) one length, negative dims counting from the end', () => {
    const x = zeros(2, 3, 4);
    expect(x.size()).toEqual([2, 3, 4]);
    expect(x.size(0)).toBe(2);
    expect(x.size(-1)).toBe(4);
    expect(x.size(-3)).toBe(2);
    expect(x.numel()).toBe(24);
  });

  it('size(dim) out of range names the dim and the rank', () => {
    expect(() => zeros(2, 3).size(2)).toThrow(ShapeError);
    expect(() => zeros(2, 3).size(2)).toThrow('size: dim 2 is out of range for a tensor of rank 2 (expected -2..1)');
    expect(() => scalar(1).size(0)).toThrow('size: dim 0 is out of range for a tensor of rank 0 (it has no dimensions)');
    expect(scalar(1).size()).toEqual([]);
  });

  it('dim() is the number of dimensions', () => {
    expect(scalar(1).dim()).toBe(0);
    expect(zeros(5).dim()).toBe(1);
    expect(zeros(2, 3, 4).dim()).toBe(3);
  });
});

describe('.data and host reads', () => {
  it('.data is a detached tensor sharing storage: writes through it change the tensor', () => {
    const w = zeros([3], { requiresGrad: true });
    const d = w.data;
    expect(d).not.toBe(w);
    expect(d.requiresGrad).toBe(false);
    expect(d.storage).toBe(w.storage);
    w.data.fill_(2);
    expect(w.tolistSync()).toEqual([2, 2, 2]);
  });

  it('read() and readSync() copy the elements to the host; the old names are gone', async () => {
    const x = arange(4).reshape(2, 2).t();
    expect(Array.from(await x.read())).toEqual([0, 2, 1, 3]);
    expect(Array.from(x.readSync())).toEqual([0, 2, 1, 3]);
    const methods = x as unknown as Record<string, unknown>;
    expect(methods.dataSync).toBeUndefined();
    expect(typeof methods.data).toBe('object');
  });
});

describe('item()', () => {
  it('item() is a number, 1 or 0 for booleans; itemBool() a boolean', async () => {
    expect(await tensor([2.5]).item()).toBe(2.5);
    expect(await tensor(true).item()).toBe(1);
    expect(await tensor(false).item()).toBe(0);
    expect(await tensor(true).itemBool()).toBe(true);
    expect(await tensor(0).itemBool()).toBe(false);
    expect(await tensor(3).itemBool()).toBe(true);
    expect(tensor(7).itemSync()).toBe(7);
    expect(tensor([[true]]).itemSync()).toBe(1);
    expect(tensor(false).itemBoolSync()).toBe(false);
  });

  it('needs exactly one element, naming the method', async () => {
    await expect(zeros(2).itemBool()).rejects.toThrow(/^itemBool: a Tensor with 2 elements cannot be converted to a scalar/);
    expect(() => zeros(0).itemBoolSync()).toThrow(/^itemBoolSync: a Tensor with 0 elements/);
  });
});

describe('ValuesIndices', () => {
  const ps = tensor([
    [0.1, 0.7, 0.2],
    [0.5, 0.3, 0.2],
  ]);

  it('destructures like a tuple and names its parts', () => {
    const [values, indices] = ps.topk(1, 1);
    expect(values.tolistSync()).toEqual([[0.7], [0.5]].map((r) => r.map(Math.fround)));
    expect(indices.tolistSync()).toEqual([[1], [0]]);
    const r = ps.topk(1, 1);
    expect(r.values.tolistSync()).toEqual(values.tolistSync());
    expect(r.indices.tolistSync()).toEqual([[1], [0]]);
    expect(r[0]).toBe(r.values);
    expect(r[1]).toBe(r.indices);
    expect(Array.isArray(r)).toBe(true);
    expect(r.length).toBe(2);
    // Printing and spreading see two tensors, as Python's tuple.
    expect(Object.keys(r)).toEqual(['0', '1']);
    expect([...r]).toEqual([r.values, r.indices]);
    expect(Object.isFrozen(r)).toBe(true);
  });

  it('tidy keeps both tensors of a pair it returns', () => {
    const [values, indices] = tidy(() => ps.mul(2).topk(2, 1));
    expect(values.isDisposed).toBe(false);
    expect(indices.tolistSync()).toEqual([
      [1, 2],
      [0, 1],
    ]);
  });

  it('max, min and sort along a dim, as methods and functions, with and without keepdim', () => {
    const [mv, mi] = ps.max(1);
    expect(mi.tolistSync()).toEqual([1, 0]);
    expect(mv.shape).toEqual([2]);
    const [nv, ni] = min(ps, 1, true);
    expect(ni.tolistSync()).toEqual([[0], [2]]);
    expect(nv.shape).toEqual([2, 1]);
    expect(max(ps, 0).indices.tolistSync()).toEqual([1, 0, 0]);
    expect(ps.min(0).values.shape).toEqual([3]);
    const [sorted, order] = ps.sort(1, true);
    expect(order.tolistSync()).toEqual([
      [1, 2, 0],
      [0, 1, 2],
    ]);
    expect(sorted.shape).toEqual([2, 3]);
    const [s0] = scalar(4).max(0);
    expect(s0.itemSync()).toBe(4);
  });
});

describe('resize_', () => {
  it('with the same number of elements gives a contiguous tensor its new shape in place', () => {
    const x = arange(6);
    const storage = x.storage;
    expect(x.resize_(2, 3)).toBe(x);
    expect(x.shape).toEqual([2, 3]);
    expect(x.strides).toEqual([3, 1]);
    expect(x.storage).toBe(storage);
    expect(x.tolistSync()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it('shrinking keeps the storage and the leading elements', () => {
    const x = arange(6);
    const storage = x.storage;
    x.resize_([2]);
    expect(x.storage).toBe(storage);
    expect(x.tolistSync()).toEqual([0, 1]);
  });

  it('growing moves to a new storage: leading elements kept, new ones zero, older views untouched', () => {
    const x = arange(1, 5);
    const view = x.view(2, 2);
    const before = memory().cpu?.storages ?? 0;
    x.resize_(2, 3);
    expect(x.shape).toEqual([2, 3]);
    expect(x.tolistSync()).toEqual([
      [1, 2, 3],
      [4, 0, 0],
    ]);
    // The old storage lives on for `view`; the new one is counted once.
    expect(memory().cpu?.storages).toBe(before + 1);
    x.fill_(9);
    expect(view.tolistSync()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    view.dispose();
    expect(memory().cpu?.storages).toBe(before);
    x.dispose();
    expect(memory().cpu?.storages).toBe(before - 1);
  });

  it('a non-contiguous tensor keeps its leading elements in row-major order', () => {
    const x = arange(6).reshape(2, 3).t();
    x.resize_(3, 2);
    expect(x.isContiguous()).toBe(true);
    expect(x.tolistSync()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });

  it('refuses a tensor that requires grad, and undefined sizes', () => {
    const w = zeros([2], { requiresGrad: true });
    expect(() => w.resize_(4)).toThrow(KindlingError);
    expect(() => w.resize_(4)).toThrow(/^resize_: cannot resize a tensor that requires grad/);
    expect(() => zeros(2).resize_(undefined)).toThrow('resize_: size at position 0 is undefined (expected an integer)');
    expect(() => zeros(2).resize_(-1)).toThrow(/^resize_: shape \[-1\] must hold non-negative integers/);
  });
});

describe('type()', () => {
  it("names the tensor's type as PyTorch does", () => {
    expect(zeros(1).type()).toBe('torch.FloatTensor');
    expect(zeros([1], { dtype: 'float64' }).type()).toBe('torch.DoubleTensor');
    expect(zeros([1], { dtype: 'float16' }).type()).toBe('torch.HalfTensor');
    expect(zeros([1], { dtype: 'int32' }).type()).toBe('torch.IntTensor');
    expect(zeros([1], { dtype: 'uint8' }).type()).toBe('torch.ByteTensor');
    expect(zeros([1], { dtype: 'bool' }).type()).toBe('torch.BoolTensor');
  });

  it('casts to a dtype or a type name, returning the tensor itself when nothing changes', () => {
    const x = tensor([1.5, 2.5]);
    expect(x.type('float32')).toBe(x);
    expect(x.type('torch.FloatTensor')).toBe(x);
    const i = x.type('int32');
    expect(i.dtype).toBe('int32');
    expect(i.tolistSync()).toEqual([1, 2]);
    expect(x.type('torch.DoubleTensor').dtype).toBe('float64');
    expect(() => x.type('torch.LongTensor')).toThrow(/^type: unknown type name 'torch.LongTensor'/);
  });
});

describe('normal_ and uniform_ with options', () => {
  it('normal_({ mean, std, generator }) draws what normal_(mean, std, { generator }) draws', () => {
    const a = zeros(100).normal_({ mean: 5, std: 0.01, generator: new Generator(3) });
    const b = zeros(100).normal_(5, 0.01, { generator: new Generator(3) });
    expect(a.tolistSync()).toEqual(b.tolistSync());
    const m = a.mean().itemSync();
    expect(Math.abs(m - 5)).toBeLessThan(0.01);
  });

  it('normal_({ std }) defaults the mean to 0, and normal_() is standard', () => {
    const a = zeros(1000).normal_({ std: 0.01, generator: new Generator(1) });
    expect(a.abs().max().itemSync()).toBeLessThan(0.1);
    const b = zeros(1000).normal_({ generator: new Generator(1) });
    const c = zeros(1000).normal_(0, 1, { generator: new Generator(1) });
    expect(b.tolistSync()).toEqual(c.tolistSync());
  });

  it("uniform_ takes { low, high } or PyTorch's { from, to }", () => {
    const a = zeros(500).uniform_({ low: 2, high: 3, generator: new Generator(2) });
    expect(a.min().itemSync()).toBeGreaterThanOrEqual(2);
    expect(a.max().itemSync()).toBeLessThan(3);
    const b = zeros(500).uniform_({ from: 2, to: 3, generator: new Generator(2) });
    expect(b.tolistSync()).toEqual(a.tolistSync());
    const c = zeros(500).uniform_(2, 3, { generator: new Generator(2) });
    expect(c.tolistSync()).toEqual(a.tolistSync());
  });
});

describe('shape arguments typed number | undefined', () => {
  it('accept x.shape[i] and throw a clear error on undefined', () => {
    const x = zeros(4, 3, 2);
    expect(x.view(x.shape[0], -1).shape).toEqual([4, 6]);
    expect(x.reshape([x.shape[2], -1]).shape).toEqual([2, 12]);
    expect(zeros(1, 3).expand(x.shape[0], 3).shape).toEqual([4, 3]);
    expect(x.permute(x.shape.length - 1, 0, 1).shape).toEqual([2, 4, 3]);
    expect(() => x.view(x.shape[3], -1)).toThrow(ShapeError);
    expect(() => x.view(x.shape[3], -1)).toThrow('view: size at position 0 is undefined (expected an integer)');
    expect(() => x.reshape([4, undefined])).toThrow('reshape: size at position 1 is undefined (expected an integer)');
    expect(() => x.expand(undefined)).toThrow('expand: size at position 0 is undefined (expected an integer)');
    expect(() => x.permute(0, undefined, 1)).toThrow('permute: dim at position 1 is undefined (expected an integer)');
  });
});
