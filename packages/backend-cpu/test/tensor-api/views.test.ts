import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { ShapeError, arange, tensor, zeros } from '@kindling/tensor';

describe('view and reshape on non-contiguous tensors', () => {
  it('x.t().view(-1) fails like PyTorch, naming reshape', () => {
    const x = arange(6).reshape(2, 3);
    expect(() => x.t().view(-1)).toThrow(ShapeError);
    expect(() => x.t().view(-1)).toThrow(
      "view: size [6] is not compatible with input tensor's size [3,2] and stride [1,3] (at least one dimension spans across two contiguous subspaces); use .reshape(...) instead",
    );
  });

  it('x.t().reshape(-1) copies, while reshape of a viewable layout shares storage', () => {
    const x = arange(6).reshape(2, 3);
    const flat = x.t().reshape(-1);
    expect(flat.tolistSync()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(flat.storage).not.toBe(x.storage);
    const same = x.reshape(3, 2);
    expect(same.storage).toBe(x.storage);
    // Writes through a view are visible in the base.
    same.select(0, 0).fill_(7);
    expect(x.tolistSync()).toEqual([
      [7, 7, 2],
      [3, 4, 5],
    ]);
  });

  it('views of views compose strides and offsets', () => {
    const x = arange(24).reshape(2, 3, 4);
    const v = x.transpose(0, 2).slice(1, 0, null, 2).select(0, 1);
    expect(v.shape).toEqual([2, 2]);
    expect(v.strides).toEqual([8, 12]);
    expect(v.offset).toBe(1);
    expect(v.tolistSync()).toEqual([
      [1, 13],
      [9, 21],
    ]);
    expect(v.isContiguous()).toBe(false);
    expect(v.contiguous().isContiguous()).toBe(true);
  });

  it('expand gives stride 0 and rejects non-singleton changes', () => {
    const x = tensor([[1], [2], [3]]);
    const e = x.expand(2, 3, 4);
    expect(e.strides).toEqual([0, 1, 0]);
    expect(() => x.expand(3, 5, 2)).toThrow(ShapeError);
    expect(() => zeros(3).expand(2)).toThrow(ShapeError);
  });

  it('slice clamps bounds like Python and rejects non-positive steps', () => {
    const x = arange(10);
    expect(x.slice(0, -3).tolistSync()).toEqual([7, 8, 9]);
    expect(x.slice(0, 8, 100).tolistSync()).toEqual([8, 9]);
    expect(x.slice(0, 5, 2).numel()).toBe(0);
    expect(x.slice(0, null, null, 3).tolistSync()).toEqual([0, 3, 6, 9]);
    expect(() => x.slice(0, 0, 5, 0)).toThrow(ShapeError);
  });
});
