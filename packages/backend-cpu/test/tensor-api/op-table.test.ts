import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import * as K from '@kindling/tensor';
import { DTypeError, KindlingError, tensor } from '@kindling/tensor';
import { BINARY_OP_NAMES, UNARY_OP_NAMES, isTensorMethodOp, unarySpec } from '@kindling/tensor/backend';

// What the op table decides for the user API: which ops are methods, how parameters are
// passed and checked, and which dtypes each op refuses with which message.

describe('the op table as the tensor API', () => {
  it('every torch.* unary op is a Tensor method and a function; torch.nn.functional ones are functions only', () => {
    const x = tensor([0.5, -1.5]);
    for (const op of UNARY_OP_NAMES) {
      const method = (x as unknown as Record<string, unknown>)[op];
      if (isTensorMethodOp(op)) expect(typeof method, op).toBe('function');
      else expect(method, op).toBeUndefined();
    }
    expect(isTensorMethodOp('erf')).toBe(true);
    expect(isTensorMethodOp('gelu')).toBe(false);
    // Every table op but the tanh variant of gelu (reached through gelu's option) is a named function.
    const functions = K as unknown as Record<string, unknown>;
    for (const op of UNARY_OP_NAMES.filter((o) => o !== 'geluTanh')) expect(typeof functions[op], op).toBe('function');
    expect(functions.geluTanh).toBeUndefined();
  });

  it('every binary op is a method; add and sub take alpha', async () => {
    const a = tensor([1, 2, 3]);
    for (const op of BINARY_OP_NAMES) expect(typeof (a as unknown as Record<string, unknown>)[op], op).toBe('function');
    expect(Array.from(await a.add(tensor([1, 1, 1]), { alpha: 2 }).read())).toEqual([3, 4, 5]);
    expect(Array.from(await a.sub(1, { alpha: 3 }).read())).toEqual([-2, -1, 0]);
  });

  it('parameters default to PyTorch and take options by name', async () => {
    const x = tensor([-2, 0.5, 3]);
    expect(Array.from(await K.leakyRelu(x).read())).toEqual([Math.fround(-0.02), 0.5, 3]);
    expect(Array.from(await K.leakyRelu(x, { negativeSlope: 0.5 }).read())).toEqual([-1, 0.5, 3]);
    expect(Array.from(await K.hardtanh(x, { maxVal: 2 }).read())).toEqual([-1, 0.5, 2]);
    // With beta = 2 and threshold 1, 0.5 * 2 = 1 is not above the threshold, 3 * 2 = 6 is.
    const sp = Array.from(await K.softplus(x, { beta: 2, threshold: 1 }).read());
    expect(sp[1]).toBeCloseTo(Math.log1p(Math.exp(1)) / 2, 6);
    expect(sp[2]).toBe(3);
    expect(unarySpec('softplus').params).toEqual({ beta: 1, threshold: 20 });
  });

  it('gelu takes approximate none or tanh, as PyTorch', async () => {
    const x = tensor([1], { dtype: 'float32' });
    const exact = (await K.gelu(x).read())[0];
    const tanh = (await K.gelu(x, { approximate: 'tanh' }).read())[0];
    expect(exact).toBeCloseTo(0.8413447460685429, 6);
    expect(tanh).toBeCloseTo(0.8411919906082768, 6);
    expect(() => K.gelu(x, { approximate: 'fast' as 'tanh' })).toThrow(
      new KindlingError(`gelu: approximate must be 'none' or 'tanh', got "fast"`),
    );
  });

  it('refuses unknown options and non-numbers, naming the op and the option', () => {
    const x = tensor([1], { dtype: 'float32' });
    expect(() => K.softplus(x, { bta: 1 } as never)).toThrow(
      new KindlingError("softplus: unknown option 'bta' (expected beta, threshold)"),
    );
    expect(() => K.exp(x, { alpha: 1 } as never)).toThrow(new KindlingError("exp: unknown option 'alpha' (it takes none)"));
    expect(() => K.elu(x, { alpha: '1' } as never)).toThrow(new KindlingError('elu: alpha must be a number, got string'));
    expect(() => K.exp(2 as never)).toThrow(new TypeError('exp: expected a Tensor, got number'));
  });

  it('refuses the dtypes PyTorch refuses, with one-line messages', async () => {
    const b = tensor([true, false]);
    expect(() => b.relu()).toThrow(new DTypeError('relu: not supported for bool tensors'));
    expect(() => b.neg()).toThrow(new DTypeError('neg: not supported for bool tensors; use logicalNot() to invert a mask'));
    expect(() => K.gelu(tensor([1, 2]))).toThrow(
      new DTypeError('gelu: expected a floating point tensor (float16, float32 or float64), got int32'),
    );
    expect(() => K.hardtanh(tensor([1, 2], { dtype: 'uint8' }))).toThrow(
      new KindlingError('hardtanh: cannot clamp a uint8 tensor to negative limits (got -1, 1)'),
    );
    // sign of a bool tensor is the identity in PyTorch.
    expect(Array.from(await b.sign().read())).toEqual([1, 0]);
    expect(b.sign().dtype).toBe('bool');
  });

  it('integer hardtanh clamps to the bounds truncated toward zero, as PyTorch', async () => {
    const x = tensor([-3, -1, 0, 1, 2, 5], { dtype: 'int32' });
    expect(Array.from(await K.hardtanh(x, { minVal: -1.5, maxVal: 2.7 }).read())).toEqual([-1, -1, 0, 1, 2, 2]);
    expect(K.hardtanh(x).dtype).toBe('int32');
  });

  it('pow follows C: 1 to any power and -1 to ±inf are 1', async () => {
    const a = tensor([1, 1, -1, -1]);
    const b = tensor([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]);
    expect(Array.from(await a.pow(b).read())).toEqual([1, 1, 1, 1]);
  });
});
