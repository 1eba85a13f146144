import '@kindling/autograd';
import '@kindling/backend-cpu';
import * as ops from '@kindling/tensor';
import { DTypeError, KindlingError, type Tensor, tensor } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { ELU, F, GELU, Hardtanh, LeakyReLU, LogSigmoid, type Module, SiLU, Softplus } from '../src/index.js';
import { maxAbsDiff } from './fixture.js';

// Inputs on both sides of every kink, one large enough for softplus's linear branch.
const INPUT = [-3, -1.5, -0.5, 0.25, 0.75, 2, 25];
const x = (): Tensor => tensor(INPUT, { dtype: 'float32' });
const values = (t: Tensor): number[] => Array.from(t.readSync());

interface Case {
  name: string;
  module: Module;
  fn: (t: Tensor) => Tensor;
  op: (t: Tensor) => Tensor;
}

/** Every module and F function, with default and other arguments, next to the tensor op it must equal. */
const CASES: Case[] = [
  { name: 'GELU()', module: new GELU(), fn: (t) => F.gelu(t), op: (t) => ops.gelu(t) },
  {
    name: "GELU('tanh')",
    module: new GELU('tanh'),
    fn: (t) => F.gelu(t, { approximate: 'tanh' }),
    op: (t) => ops.gelu(t, { approximate: 'tanh' }),
  },
  { name: 'SiLU()', module: new SiLU(), fn: F.silu, op: (t) => ops.silu(t) },
  { name: 'Softplus()', module: new Softplus(), fn: (t) => F.softplus(t), op: (t) => ops.softplus(t) },
  {
    name: 'Softplus(2, 1)',
    module: new Softplus(2, 1),
    fn: (t) => F.softplus(t, 2, 1),
    op: (t) => ops.softplus(t, { beta: 2, threshold: 1 }),
  },
  { name: 'LeakyReLU()', module: new LeakyReLU(), fn: (t) => F.leakyRelu(t), op: (t) => ops.leakyRelu(t) },
  {
    name: 'LeakyReLU(0.2)',
    module: new LeakyReLU(0.2),
    fn: (t) => F.leakyRelu(t, 0.2),
    op: (t) => ops.leakyRelu(t, { negativeSlope: 0.2 }),
  },
  { name: 'ELU()', module: new ELU(), fn: (t) => F.elu(t), op: (t) => ops.elu(t) },
  { name: 'ELU(0.5)', module: new ELU(0.5), fn: (t) => F.elu(t, 0.5), op: (t) => ops.elu(t, { alpha: 0.5 }) },
  { name: 'Hardtanh()', module: new Hardtanh(), fn: (t) => F.hardtanh(t), op: (t) => ops.hardtanh(t) },
  {
    name: 'Hardtanh(-2, 0.5)',
    module: new Hardtanh(-2, 0.5),
    fn: (t) => F.hardtanh(t, -2, 0.5),
    op: (t) => ops.hardtanh(t, { minVal: -2, maxVal: 0.5 }),
  },
  { name: 'LogSigmoid()', module: new LogSigmoid(), fn: F.logsigmoid, op: (t) => ops.logsigmoid(t) },
];

/** PyTorch 1.13, float32: `f(x)` and the gradient of `f(x).sum()` for x = INPUT. */
const TORCH: Record<string, { out: number[]; grad: number[] }> = {
  'GELU()': {
    out: [
      -0.004049867391586304, -0.10021086037158966, -0.1542687863111496, 0.14967656135559082, 0.5800295472145081, 1.9544999599456787, 25,
    ],
    grad: [-0.011945605278015137, -0.12746915221214294, 0.1325049102306366, 0.6953732967376709, 0.9992257952690125, 1.085231900215149, 1],
  },
  "GELU('tanh')": {
    out: [
      -0.0036374330520629883, -0.10042843222618103, -0.1542859971523285, 0.14967535436153412, 0.5799605846405029, 1.9545977115631104, 25,
    ],
    grad: [-0.011584296822547913, -0.12771081924438477, 0.1326301097869873, 0.6953541040420532, 0.9989383220672607, 1.0860992670059204, 1],
  },
  'SiLU()': {
    out: [-0.14227761328220367, -0.2736382782459259, -0.1887703388929367, 0.140544131398201, 0.509384036064148, 1.7615940570831299, 25],
    grad: [-0.08810410648584366, -0.0412941612303257, 0.260038822889328, 0.623710036277771, 0.8425999283790588, 1.0907843112945557, 1],
  },
  'Softplus(2, 1)': {
    out: [0.0012378426035866141, 0.024293676018714905, 0.15663084387779236, 0.4870384931564331, 0.75, 2, 25],
    grad: [0.0024726232513785362, 0.04742587357759476, 0.2689414322376251, 0.622459352016449, 1, 1, 1],
  },
  'ELU()': {
    out: [-0.9502129554748535, -0.7768698334693909, -0.39346933364868164, 0.25, 0.75, 2, 25],
    grad: [0.049787066876888275, 0.22313016653060913, 0.6065306663513184, 1, 1, 1, 1],
  },
  'LeakyReLU(0.2)': {
    out: [-0.6000000238418579, -0.30000001192092896, -0.10000000149011612, 0.25, 0.75, 2, 25],
    grad: [0.20000000298023224, 0.20000000298023224, 0.20000000298023224, 1, 1, 1, 1],
  },
  'Hardtanh(-2, 0.5)': { out: [-2, -1.5, -0.5, 0.25, 0.5, 0.5, 0.5], grad: [0, 1, 1, 1, 0, 0, 0] },
  'LogSigmoid()': {
    out: [
      -3.0485873222351074, -1.7014132738113403, -0.9740769863128662, -0.575939416885376, -0.38687101006507874, -0.12692801654338837,
      -1.3887943746404563e-11,
    ],
    grad: [
      0.9525741338729858, 0.8175745010375977, 0.6224592924118042, 0.43782350420951843, 0.32082128524780273, 0.11920291930437088,
      1.3887943746404563e-11,
    ],
  },
};

describe('activation modules and F functions', () => {
  it.each(CASES)('$name: the module and the F function compute the tensor op', ({ module, fn, op }) => {
    const want = values(op(x()));
    expect(values(module.forward(x()))).toEqual(want);
    expect(values(fn(x()))).toEqual(want);
  });

  it.each(Object.entries(TORCH))('%s: values and gradients through backward() match PyTorch 1.13', (name, torch) => {
    const { module } = CASES.find((c) => c.name === name) as Case;
    const input = x().requiresGrad_();
    const out = module.forward(input);
    expect(maxAbsDiff(values(out), torch.out)).toBeLessThan(2e-6);
    out.sum().backward();
    expect(input.grad).not.toBeNull();
    expect(maxAbsDiff(values(input.grad as Tensor), torch.grad)).toBeLessThan(2e-6);
  });

  it('the F functions record a graph too: the gradient of F.softplus with defaults is sigmoid(x)', () => {
    const input = x().requiresGrad_();
    F.softplus(input).sum().backward();
    expect(maxAbsDiff(values(input.grad as Tensor), values(x().sigmoid()))).toBeLessThan(1e-6);
  });

  it('the defaults are PyTorch’s', () => {
    expect(new LeakyReLU().negativeSlope).toBe(0.01);
    expect(new ELU().alpha).toBe(1);
    expect([new Hardtanh().minVal, new Hardtanh().maxVal]).toEqual([-1, 1]);
    expect([new Softplus().beta, new Softplus().threshold]).toEqual([1, 20]);
    expect(new GELU().approximate).toBe('none');
    expect(values(F.leakyRelu(x()))).toEqual(values(ops.leakyRelu(x(), { negativeSlope: 0.01 })));
    expect(values(F.softplus(x()))).toEqual(values(ops.softplus(x(), { beta: 1, threshold: 20 })));
  });

  it('F.hardtanh, like PyTorch, takes minVal > maxVal (every output is maxVal); the module refuses it', () => {
    expect(values(F.hardtanh(x(), 0.5, 0.25))).toEqual(INPUT.map(() => 0.25));
    expect(() => new Hardtanh(0.5, 0.25)).toThrow('Hardtanh: maxVal must be greater than minVal, got minVal=0.5, maxVal=0.25');
    expect(() => new Hardtanh(1, 1)).toThrow(KindlingError);
  });

  it('floating-only activations refuse integer tensors, as PyTorch does', () => {
    const ints = tensor([1, -2], { dtype: 'int32' });
    expect(() => new ELU().forward(ints)).toThrow(DTypeError);
    expect(() => F.gelu(ints)).toThrow(DTypeError);
    expect(values(new Hardtanh().forward(ints))).toEqual([1, -1]);
  });
});

describe('argument checks: one line naming the function or module and the argument', () => {
  /** A value of the wrong type, as plain JavaScript could pass it. */
  const bad = <T = number>(v: unknown): T => v as T;

  it.each([
    ['leakyRelu: negativeSlope must be a number, got "0.1"', () => F.leakyRelu(x(), bad('0.1'))],
    ['elu: alpha must be a number, got NaN', () => F.elu(x(), Number.NaN)],
    ['softplus: beta must be a number, got null', () => F.softplus(x(), bad(null))],
    ['softplus: threshold must be a number, got object', () => F.softplus(x(), 1, bad({}))],
    ['hardtanh: minVal must be a number, got "a"', () => F.hardtanh(x(), bad('a'))],
    ['hardtanh: maxVal must be a number, got NaN', () => F.hardtanh(x(), -1, Number.NaN)],
    [`gelu: approximate must be 'none' or 'tanh', got "tan"`, () => F.gelu(x(), { approximate: bad<'tanh'>('tan') })],
    ['LeakyReLU: negativeSlope must be a number, got NaN', () => new LeakyReLU(Number.NaN)],
    ['ELU: alpha must be a number, got "1"', () => new ELU(bad('1'))],
    ['Softplus: beta must be a number, got boolean', () => new Softplus(bad(true))],
    ['Softplus: threshold must be a number, got NaN', () => new Softplus(1, Number.NaN)],
    ['Hardtanh: maxVal must be greater than minVal, got minVal=-1, maxVal=-2', () => new Hardtanh(undefined, -2)],
    ['Hardtanh: minVal must be a number, got "x"', () => new Hardtanh(bad('x'))],
    ['Hardtanh: maxVal must be a number, got null', () => new Hardtanh(-1, bad(null))],
    [`GELU: approximate must be 'none' or 'tanh', got "exact"`, () => new GELU(bad<'tanh'>('exact'))],
  ])('%s', (message, make) => {
    expect(make).toThrow(KindlingError);
    expect(make).toThrow(message);
  });
});
