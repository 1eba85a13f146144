import { describe, expect, it } from 'vitest';
import { viewStrides } from '../src/ops/views.js';

describe('viewStrides (PyTorch computeStride)', () => {
  it('views a contiguous layout as any shape of the same size', () => {
    expect(viewStrides([2, 3, 4], [12, 4, 1], [6, 4])).toEqual([4, 1]);
    expect(viewStrides([2, 3, 4], [12, 4, 1], [24])).toEqual([1]);
    expect(viewStrides([2, 3, 4], [12, 4, 1], [4, 3, 2])).toEqual([6, 2, 1]);
  });

  it('splits and merges dims only within runs that are contiguous with each other', () => {
    // [3,2,4] from permuting [2,3,4] by (1,0,2): strides [4,12,1].
    expect(viewStrides([3, 2, 4], [4, 12, 1], [3, 2, 2, 2])).toEqual([4, 12, 2, 1]);
    expect(viewStrides([3, 2, 4], [4, 12, 1], [6, 4])).toBeNull();
    // A transposed matrix cannot be flattened without a copy.
    expect(viewStrides([3, 2], [1, 3], [6])).toBeNull();
    // A narrowed row keeps its row stride.
    expect(viewStrides([4, 4], [6, 1], [4, 2, 2])).toEqual([6, 2, 1]);
    expect(viewStrides([4, 4], [6, 1], [16])).toBeNull();
  });

  it('handles size-1 dims, broadcast (stride 0) dims and empty tensors', () => {
    expect(viewStrides([2, 1, 3], [3, 99, 1], [6])).toEqual([1]);
    expect(viewStrides([4, 3], [1, 0], [2, 2, 3])).toEqual([2, 1, 0]);
    expect(viewStrides([4, 3], [1, 0], [12])).toBeNull();
    expect(viewStrides([0, 3], [3, 1], [3, 0])).not.toBeNull();
    expect(viewStrides([], [], [1, 1])).toEqual([1, 1]);
  });
});
