import { describe, expect, it } from 'vitest';
import { ShapeError } from '../src/errors.js';
import { broadcastShapes, contiguousStrides, inferShape, isContiguous, normalizeDim, normalizeDims, numel } from '../src/shape.js';

describe('broadcastShapes', () => {
  it.each([
    [
      [[2, 3], [3]],
      [2, 3],
    ],
    [
      [
        [2, 1, 4],
        [3, 1],
      ],
      [2, 3, 4],
    ],
    [
      [[], [3, 5]],
      [3, 5],
    ],
    [[[], []], []],
    [
      [[0, 3], [3]],
      [0, 3],
    ],
    [
      [[4, 1], [0]],
      [4, 0],
    ],
    [[[1], [0]], [0]],
    [
      [
        [5, 1, 1],
        [1, 6, 1],
        [1, 1, 7],
      ],
      [5, 6, 7],
    ],
  ])('%j -> %j', (shapes, expected) => {
    expect(broadcastShapes('op', ...(shapes as number[][]))).toEqual(expected);
  });

  it('names the op, both shapes and the clashing dim', () => {
    expect(() => broadcastShapes('add', [2, 3], [4])).toThrow(
      new ShapeError('add: shapes [2,3] and [4] cannot be broadcast together (dim -1: 3 vs 4)'),
    );
    expect(() => broadcastShapes('mul', [2, 3, 1], [4, 2])).toThrow(
      /^mul: shapes \[2,3,1\] and \[4,2\] cannot be broadcast together \(dim -2: 3 vs 4\)$/,
    );
    // 0 does not broadcast against anything but 1 (PyTorch agrees).
    expect(() => broadcastShapes('add', [0], [2])).toThrow(ShapeError);
  });
});

describe('normalizeDim', () => {
  it('resolves negative dims', () => {
    expect(normalizeDim('op', -1, 3)).toBe(2);
    expect(normalizeDim('op', -3, 3)).toBe(0);
    expect(normalizeDim('op', 2, 3)).toBe(2);
    // unsqueeze-style dims may point one past the end.
    expect(normalizeDim('op', 3, 3, true)).toBe(3);
    expect(normalizeDim('op', -1, 3, true)).toBe(3);
  });

  it('accepts 0 and -1 for a 0-dim tensor, as PyTorch does', () => {
    expect(normalizeDim('sum', 0, 0)).toBe(0);
    expect(normalizeDim('sum', -1, 0)).toBe(0);
    expect(() => normalizeDim('sum', 1, 0)).toThrow(ShapeError);
  });

  it('rejects out-of-range and fractional dims with the valid range', () => {
    expect(() => normalizeDim('sum', 3, 3)).toThrow(new ShapeError('sum: dim 3 is out of range for a tensor of rank 3 (expected -3..2)'));
    expect(() => normalizeDim('sum', -4, 3)).toThrow(new ShapeError('sum: dim -4 is out of range for a tensor of rank 3 (expected -3..2)'));
    expect(() => normalizeDim('unsqueeze', 4, 3, true)).toThrow(
      new ShapeError('unsqueeze: dim 4 is out of range for a tensor of rank 3 (expected -4..3)'),
    );
    expect(() => normalizeDim('sum', 1.5, 3)).toThrow(new ShapeError('sum: dim must be an integer, got 1.5'));
  });

  it('normalizeDims sorts, resolves and rejects repeats', () => {
    expect(normalizeDims('sum', undefined, 3)).toEqual([0, 1, 2]);
    expect(normalizeDims('sum', [-1, 0], 3)).toEqual([0, 2]);
    expect(normalizeDims('sum', 1, 3)).toEqual([1]);
    expect(() => normalizeDims('sum', [0, -3], 3)).toThrow(new ShapeError('sum: dim [0,-3] repeats a dimension'));
  });
});

describe('strides and sizes', () => {
  it('contiguousStrides and isContiguous', () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([])).toEqual([]);
    expect(contiguousStrides([3, 0, 2])).toEqual([0, 2, 1]);
    expect(isContiguous([2, 3], [3, 1])).toBe(true);
    expect(isContiguous([3, 2], [1, 3])).toBe(false);
    // Size-1 dims may have any stride.
    expect(isContiguous([2, 1, 3], [3, 99, 1])).toBe(true);
    expect(numel([])).toBe(1);
    expect(numel([3, 0])).toBe(0);
  });

  it('inferShape resolves one -1 and checks the element count', () => {
    expect(inferShape('view', [-1, 4], 24, [2, 3, 4])).toEqual([6, 4]);
    // -1 next to a 0-size dim is ambiguous; PyTorch refuses too.
    expect(() => inferShape('view', [0, -1], 0, [0, 3])).toThrow(ShapeError);
    expect(() => inferShape('view', [-1, -1], 6, [2, 3])).toThrow(new ShapeError('view: only one dimension can be -1, got [-1,-1]'));
    expect(() => inferShape('view', [4, -1], 6, [2, 3])).toThrow(
      new ShapeError('view: shape [4,-1] is invalid for input of shape [2,3] (6 elements)'),
    );
    expect(() => inferShape('view', [5], 6, [2, 3])).toThrow(ShapeError);
  });
});
