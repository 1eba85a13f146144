import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import * as T from '@kindling/tensor';
import { getBackend } from '@kindling/tensor/backend';

/*
 * Sizes from untrusted places must end in a message naming the op and the
 * size, never `RangeError: Invalid typed array length` (issue 17).
 */
const huge = [1e6, 1e6];
const tooLarge = /is larger than the cpu backend can allocate \(max 16 GiB per tensor\)$/;

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(T.KindlingError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('allocation limits', () => {
  it('the cpu backend reports its limit', () => {
    expect(getBackend('cpu').maxStorageBytes).toBe(2 ** 34);
  });

  it('creation functions name the op, the shape and the bytes', () => {
    expect(messageOf(() => T.zeros(huge))).toBe(
      'zeros: a tensor of shape [1000000, 1000000] (1e12 elements, 3.64 TiB of float32) is larger than the cpu backend can allocate (max 16 GiB per tensor)',
    );
    const cases: Array<[string, () => unknown]> = [
      ['ones', () => T.ones(huge)],
      ['empty', () => T.empty(1e6, 1e6)],
      ['full', () => T.full(huge, 2)],
      ['rand', () => T.rand(huge)],
      ['randn', () => T.randn(huge)],
      ['randint', () => T.randint(0, 5, huge)],
      ['eye', () => T.eye(1e6)],
      ['arange', () => T.arange(0, 1e12)],
      ['linspace', () => T.linspace(0, 1, 1e12)],
      ['randperm', () => T.randperm(1e12)],
    ];
    for (const [op, fn] of cases) {
      const m = messageOf(fn);
      expect(m.startsWith(`${op}: a tensor of shape [`), m).toBe(true);
      expect(m).toMatch(tooLarge);
    }
  });

  it('ops whose output is huge name the op and the size', () => {
    const col = T.zeros([1e6, 1]);
    const row = T.zeros([1, 1e6]);
    expect(messageOf(() => col.matmul(row))).toBe(
      'matmul: a storage of 1e12 elements (3.64 TiB of float32) is larger than the cpu backend can allocate (max 16 GiB per tensor)',
    );
    expect(messageOf(() => col.add(row))).toMatch(/^add: a storage of 1e12 elements .*allocate/);
    expect(messageOf(() => col.expand(1e6, 1e6).contiguous())).toMatch(/^\w+: a storage of 1e12 elements .*allocate/);
  });

  it('sizes past 2^53 elements are too large, not invalid', () => {
    expect(messageOf(() => T.zeros([2 ** 40, 2 ** 40]))).toMatch(
      /^zeros: a tensor of shape \[1099511627776, 1099511627776\] \(1\.21e24 elements, .*\) is larger than/,
    );
  });

  it('sizes that are not whole numbers say so', () => {
    expect(messageOf(() => T.zeros([-1]))).toBe('zeros: shape [-1] must hold non-negative integers, got -1 at dim 0');
    expect(messageOf(() => T.zeros([Number.NaN, 2]))).toBe('zeros: shape [NaN,2] must hold non-negative integers, got NaN at dim 0');
    expect(messageOf(() => T.ones([1.5]))).toBe('ones: shape [1.5] must hold non-negative integers, got 1.5 at dim 0');
    expect(() => T.arange(0, Number.POSITIVE_INFINITY)).toThrow('arange: start and end must be finite numbers, got start=0, end=Infinity');
    expect(() => T.randperm(-3)).toThrow('randperm: n must be a non-negative integer, got -3');
  });

  it('ordinary sizes still work', () => {
    expect(T.zeros([3, 4]).size()).toEqual([3, 4]);
    expect(T.arange(5).numel()).toBe(5);
  });
});
