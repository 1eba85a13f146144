import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import '../../src/index.js';
import { arange, randn, tensor, zeros } from '@kindling/tensor';
import { fixtureTensor, tensorOpFixtures } from '@kindling/conformance';

describe('toString matches PyTorch str(tensor)', () => {
  // Strings recorded from PyTorch by tools/fixtures/generate_tensor_ops.py (dtype= translated to Kindling's defaults).
  for (const p of tensorOpFixtures.printing) {
    it(p.name, () => {
      expect(fixtureTensor(p.tensor, 'cpu').toString()).toBe(p.expected);
    });
  }

  it('formats the common cases', () => {
    expect(String(tensor([1.5, -2.25, 3]))).toBe('tensor([ 1.5000, -2.2500,  3.0000])');
    expect(String(tensor([1, 2, 3], { dtype: 'float32' }))).toBe('tensor([1., 2., 3.])');
    expect(String(tensor([1, 2, 3]))).toBe('tensor([1, 2, 3])');
    expect(String(tensor([1, 2], { dtype: 'float64' }))).toBe('tensor([1., 2.], dtype=float64)');
    expect(String(tensor([true, false]))).toBe('tensor([ True, False])');
    expect(String(tensor(3.5))).toBe('tensor(3.5000)');
    expect(String(zeros(0, 3))).toBe('tensor([], size=(0, 3))');
    expect(String(arange(6, { dtype: 'float32' }).reshape(2, 3))).toBe('tensor([[0., 1., 2.],\n        [3., 4., 5.]])');
    expect(String(tensor([1e-5, 1, 1000]))).toBe('tensor([1.0000e-05, 1.0000e+00, 1.0000e+03])');
  });

  it('prints non-contiguous views in logical order', () => {
    expect(String(arange(6).reshape(2, 3).t())).toBe('tensor([[0, 3],\n        [1, 4],\n        [2, 5]])');
  });

  it('summarizes more than 1000 elements with edge items', () => {
    const s = String(randn(2000));
    expect(s).toContain(' ...,');
    expect(s.split('\n').length).toBeLessThan(5);
  });
});

describe('console.log and util.inspect print the repr, not the object', () => {
  it('a tensor, alone and inside other values', () => {
    const t = tensor([
      [0.5, 2],
      [3, 4],
    ]);
    expect(inspect(t)).toBe(t.toString());
    expect(inspect(t)).toBe('tensor([[0.5000, 2.0000],\n        [3.0000, 4.0000]])');
    expect(inspect({ weight: tensor([0.5]) })).toBe('{ weight: tensor([0.5000]) }');
    expect(`${tensor([1, 2])}`).toBe('tensor([1, 2])');
  });
});
