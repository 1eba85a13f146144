import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { type DType, DTYPES, DTypeError, canCast, promoteTypes, scalar, tensor, zeros } from '@kindling/tensor';
import { promoteWithScalar } from '@kindling/tensor/internal';

// torch.promote_types over Kindling's dtypes (int64 read as int32), rows and columns in DTYPES order.
const PYTORCH_PROMOTION: Record<DType, Record<DType, DType>> = {
  bool: { bool: 'bool', uint8: 'uint8', int32: 'int32', float16: 'float16', float32: 'float32', float64: 'float64' },
  uint8: { bool: 'uint8', uint8: 'uint8', int32: 'int32', float16: 'float16', float32: 'float32', float64: 'float64' },
  int32: { bool: 'int32', uint8: 'int32', int32: 'int32', float16: 'float16', float32: 'float32', float64: 'float64' },
  float16: { bool: 'float16', uint8: 'float16', int32: 'float16', float16: 'float16', float32: 'float32', float64: 'float64' },
  float32: { bool: 'float32', uint8: 'float32', int32: 'float32', float16: 'float32', float32: 'float32', float64: 'float64' },
  float64: { bool: 'float64', uint8: 'float64', int32: 'float64', float16: 'float64', float32: 'float64', float64: 'float64' },
};

describe('promoteTypes', () => {
  for (const a of DTYPES) {
    for (const b of DTYPES) {
      it(`${a} with ${b} gives ${PYTORCH_PROMOTION[a][b]}`, () => {
        expect(promoteTypes(a, b)).toBe(PYTORCH_PROMOTION[a][b]);
      });
    }
  }
});

describe('promoteWithScalar (a tensor with a JavaScript number)', () => {
  it.each([
    // A number never widens a tensor within its category...
    ['float32', 2.5, 'float32'],
    ['float16', 2.5, 'float16'],
    ['float64', 2, 'float64'],
    ['float32', 3, 'float32'],
    ['uint8', 300, 'uint8'],
    ['int32', 7, 'int32'],
    ['uint8', true, 'uint8'],
    ['float32', false, 'float32'],
    // ...but lifts the category: integral tensor with a fraction gives the default float dtype.
    ['int32', 0.5, 'float32'],
    ['uint8', -1.5, 'float32'],
    ['float16', 1e9, 'float16'],
    ['bool', 2, 'int32'],
    ['bool', 2.5, 'float32'],
    ['bool', true, 'bool'],
  ] as const)('%s with %s gives %s', (dtype, value, expected) => {
    expect(promoteWithScalar(dtype, value)).toBe(expected);
  });
});

describe('canCast (in-place result into a tensor)', () => {
  it('allows same or wider category only', () => {
    expect(canCast('float32', 'int32')).toBe(false);
    expect(canCast('int32', 'uint8')).toBe(true);
    expect(canCast('float64', 'float32')).toBe(true);
    expect(canCast('int32', 'bool')).toBe(false);
    expect(canCast('bool', 'float32')).toBe(true);
  });
});

describe('result dtypes of ops', () => {
  it('a 0-dim tensor widens only across categories', () => {
    const i = zeros([3], { dtype: 'int32' });
    const u = zeros([3], { dtype: 'uint8' });
    const f = zeros([3]);
    expect(i.add(scalar(1.5, { dtype: 'float64' })).dtype).toBe('float64');
    expect(u.add(scalar(1, { dtype: 'int32' })).dtype).toBe('uint8');
    expect(f.add(scalar(1, { dtype: 'float64' })).dtype).toBe('float32');
    expect(zeros([3], { dtype: 'bool' }).add(scalar(1, { dtype: 'int32' })).dtype).toBe('int32');
    // Two 0-dim tensors promote normally.
    expect(scalar(1, { dtype: 'float32' }).add(scalar(1, { dtype: 'float64' })).dtype).toBe('float64');
    expect(u.add(i).dtype).toBe('int32');
  });

  it('true division and float functions of integers give float32; comparisons give bool', () => {
    const i = tensor([1, 2, 3]);
    expect(i.dtype).toBe('int32');
    expect(i.div(2).dtype).toBe('float32');
    expect(i.exp().dtype).toBe('float32');
    expect(i.floorDivide(2).dtype).toBe('int32');
    expect(i.lt(2.5).dtype).toBe('bool');
    expect(i.sum().dtype).toBe('int32');
    expect(tensor([true, false]).sum().dtype).toBe('int32');
    expect(i.argmax().dtype).toBe('int32');
  });

  it('bool arithmetic PyTorch rejects is rejected', () => {
    const b = tensor([true, false]);
    expect(() => b.sub(b)).toThrow(DTypeError);
    expect(() => b.sub(tensor([1, 2]))).toThrow(
      /^sub: not supported with a bool tensor \(got bool tensor and int32 tensor\); to invert a mask use logicalNot\(\)$/,
    );
    expect(() => tensor([1, 2]).sub(b)).toThrow(DTypeError);
    expect(() => b.pow(b)).toThrow(new DTypeError('pow: not supported for bool tensors (got bool and bool)'));
    expect(() => b.remainder(b)).toThrow(DTypeError);
    expect(() => b.floorDivide(b)).toThrow(DTypeError);
    expect(() => b.neg()).toThrow(DTypeError);
    expect(b.add(b).dtype).toBe('bool');
    expect(b.mul(b).dtype).toBe('bool');
  });
});
