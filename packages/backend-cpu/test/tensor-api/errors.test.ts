import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { DTypeError, KindlingError, ShapeError, cat, linear, matmul, mm, stack, tensor, zeros } from '@kindling/tensor';

describe('error messages name the op, the argument, the expectation and what was received', () => {
  it('matmul of [64,784] and [128,784]', () => {
    expect(() => matmul(zeros(64, 784), zeros(128, 784))).toThrow(
      new ShapeError('matmul: shapes [64,784] and [128,784] cannot be multiplied (784 != 128)'),
    );
  });

  it('matmul, mm and linear shape errors', () => {
    expect(() => matmul(zeros(3), zeros(4))).toThrow(new ShapeError('matmul: shapes [3] and [4] cannot be multiplied (3 != 4)'));
    expect(() => matmul(zeros([]), zeros(4))).toThrow(/^matmul: both arguments need at least 1 dimension/);
    expect(() => matmul(zeros(2, 3, 4), zeros(3, 4, 5))).toThrow(/^matmul: shapes \[2\] and \[3\] cannot be broadcast together/);
    expect(() => mm(zeros(2, 3, 4), zeros(4, 5))).toThrow(new ShapeError('mm: expected 2-D tensors, got shapes [2,3,4] and [4,5]'));
    expect(() => linear(zeros(4, 3), zeros(5, 2))).toThrow(
      new ShapeError('linear: input [4,3] and weight [5,2] cannot be multiplied (3 != 2)'),
    );
    expect(() => linear(zeros(4, 3), zeros(5, 3), zeros(4))).toThrow(new ShapeError('linear: bias must have shape [5], got [4]'));
  });

  it('dtype errors', () => {
    expect(() => matmul(zeros(2, 2), zeros(2, 2, { dtype: 'float64' }))).toThrow(
      new DTypeError('matmul: expected both operands to have the same dtype, but got float32 and float64'),
    );
    expect(() => matmul(zeros(2, 2, { dtype: 'bool' }), zeros(2, 2, { dtype: 'bool' }))).toThrow(
      new DTypeError('matmul: not supported for bool tensors'),
    );
    expect(() => zeros(3, { dtype: 'int32' }).mean()).toThrow(
      new DTypeError('mean: input dtype must be floating point, got int32 (cast it with .float() first)'),
    );
    expect(() => zeros(3).gather(0, zeros(3))).toThrow(
      new DTypeError("gather: index must be an int32 tensor (Kindling's integer type for indices), got float32"),
    );
    expect(() => zeros(3, { dtype: 'int32' }).add_(0.5)).toThrow(
      new DTypeError("add_: result type float32 can't be cast to the desired output type int32"),
    );
    expect(() => zeros(3, { dtype: 'int32' }).fill_(0.5)).toThrow(
      new DTypeError("fill_: value 0.5 can't be written into a tensor of dtype int32"),
    );
    expect(() => zeros(3, { dtype: 'int32' }).requiresGrad_()).toThrow(KindlingError);
    // biome-ignore lint/suspicious/noExplicitAny: checking the runtime guard for untyped callers
    expect(() => zeros(3, { dtype: 'int64' as any })).toThrow(/^zeros: dtype: unknown dtype "int64"/);
  });

  it('shape errors of views, cat, stack and indexing', () => {
    expect(() => zeros(2, 3).view(4, -1)).toThrow(new ShapeError('view: shape [4,-1] is invalid for input of shape [2,3] (6 elements)'));
    expect(() => zeros(2, 3).permute(0)).toThrow(/^permute: number of dims \[0\] doesn't match the tensor's rank 2/);
    expect(() => zeros(2, 3).narrow(1, 2, 2)).toThrow(
      new ShapeError('narrow: start 2 + length 2 exceeds dimension 1 of size 3 (shape [2,3])'),
    );
    expect(() => zeros(2, 3).select(0, 2)).toThrow(new ShapeError('select: index 2 is out of bounds for dimension 0 with size 2'));
    expect(() => cat([zeros(2, 3), zeros(2, 4)])).toThrow(
      new ShapeError('cat: sizes of tensors must match except in dimension 0; tensor 0 has shape [2,3] but tensor 1 has [2,4]'),
    );
    expect(() => cat([])).toThrow(new ShapeError('cat: expected a non-empty list of tensors'));
    expect(() => stack([zeros(2, 3), zeros(3, 2)])).toThrow(
      new ShapeError('stack: expects each tensor to be equal size, but got [2,3] at entry 0 and [3,2] at entry 1'),
    );
    expect(() => zeros(2, 3).gather(1, zeros(2, 3, 1, { dtype: 'int32' }))).toThrow(
      /^gather: index \[2,3,1\] must have the same number of dimensions as input \[2,3\]/,
    );
    expect(() => zeros(3, 5).topk(6)).toThrow(new ShapeError('topk: k (6) is out of range for dimension 1 of size 5'));
    expect(() => tensor([[1], [2, 3]])).toThrow(ShapeError);
    expect(() => zeros(2).itemSync()).toThrow(/^itemSync: a Tensor with 2 elements cannot be converted to a scalar/);
  });

  it('errors are KindlingError subclasses with their class name', () => {
    try {
      matmul(zeros(2, 3), zeros(2, 3));
    } catch (e) {
      expect(e).toBeInstanceOf(KindlingError);
      expect((e as Error).name).toBe('ShapeError');
    }
  });
});
