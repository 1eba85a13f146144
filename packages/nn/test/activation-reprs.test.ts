import '@kindling/backend-cpu';
import { describe, expect, it } from 'vitest';
import { Dropout, ELU, GELU, Hardtanh, LeakyReLU, Linear, LogSigmoid, type Module, Sequential, SiLU, Softplus } from '../src/index.js';
import { pyFloat, pyNumber } from '../src/layers/arguments.js';

// Every expected string below is what `repr()` printed in PyTorch 1.13 for the same arguments
// (floats where PyTorch's default is a float, ints where it is an int).
const REPRS: Array<[Module, string]> = [
  [new GELU(), "GELU(approximate='none')"],
  [new GELU('tanh'), "GELU(approximate='tanh')"],
  [new SiLU(), 'SiLU()'],
  [new LogSigmoid(), 'LogSigmoid()'],
  [new Softplus(), 'Softplus(beta=1, threshold=20)'],
  [new Softplus(2, 10), 'Softplus(beta=2, threshold=10)'],
  [new Softplus(0.5), 'Softplus(beta=0.5, threshold=20)'],
  [new Softplus(2, Number.POSITIVE_INFINITY), 'Softplus(beta=2, threshold=inf)'],
  [new Softplus(0.5, 1e-7), 'Softplus(beta=0.5, threshold=1e-07)'],
  [new LeakyReLU(), 'LeakyReLU(negative_slope=0.01)'],
  [new LeakyReLU(0.2), 'LeakyReLU(negative_slope=0.2)'],
  [new LeakyReLU(1e-5), 'LeakyReLU(negative_slope=1e-05)'],
  [new LeakyReLU(0.0001), 'LeakyReLU(negative_slope=0.0001)'],
  [new LeakyReLU(1.5e300), 'LeakyReLU(negative_slope=1.5e+300)'],
  [new LeakyReLU(5e-324), 'LeakyReLU(negative_slope=5e-324)'],
  [new ELU(), 'ELU(alpha=1.0)'],
  [new ELU(0.5), 'ELU(alpha=0.5)'],
  [new ELU(1 / 3), 'ELU(alpha=0.3333333333333333)'],
  [new ELU(0.1 + 0.2), 'ELU(alpha=0.30000000000000004)'],
  [new ELU(-0), 'ELU(alpha=-0.0)'],
  [new Hardtanh(), 'Hardtanh(min_val=-1.0, max_val=1.0)'],
  [new Hardtanh(-0.5, 2), 'Hardtanh(min_val=-0.5, max_val=2.0)'],
  [new Hardtanh(-1e16, 1e16), 'Hardtanh(min_val=-1e+16, max_val=1e+16)'],
  [new Hardtanh(-1e15, 123456789.125), 'Hardtanh(min_val=-1000000000000000.0, max_val=123456789.125)'],
  [new Hardtanh(Number.NEGATIVE_INFINITY, 2.5), 'Hardtanh(min_val=-inf, max_val=2.5)'],
  [new Dropout(), 'Dropout(p=0.5, inplace=False)'],
  [new Dropout(0), 'Dropout(p=0.0, inplace=False)'],
];

describe('reprs are PyTorch 1.13’s', () => {
  it.each(REPRS)('%#: %s', (module, repr) => {
    expect(module.toString()).toBe(repr);
  });

  it('inside a Sequential', () => {
    const model = new Sequential(
      new Linear(4, 8),
      new GELU('tanh'),
      new Dropout(0.1),
      new Linear(8, 8),
      new Softplus(2),
      new Linear(8, 2),
      new LogSigmoid(),
    );
    expect(model.toString()).toBe(
      [
        'Sequential(',
        '  (0): Linear(in_features=4, out_features=8, bias=True)',
        "  (1): GELU(approximate='tanh')",
        '  (2): Dropout(p=0.1, inplace=False)',
        '  (3): Linear(in_features=8, out_features=8, bias=True)',
        '  (4): Softplus(beta=2, threshold=20)',
        '  (5): Linear(in_features=8, out_features=2, bias=True)',
        '  (6): LogSigmoid()',
        ')',
      ].join('\n'),
    );
  });
});

describe("numbers as Python's repr writes them", () => {
  it('floats: fixed-point from 1e-4 to below 1e16, exponents with a sign and two digits outside', () => {
    expect([1, 0, -2, 0.01, 1e-4, 9.5e-5, 1e15, 1e16, 1.25e-10, 1e100, -1e-7].map(pyFloat)).toEqual([
      '1.0',
      '0.0',
      '-2.0',
      '0.01',
      '0.0001',
      '9.5e-05',
      '1000000000000000.0',
      '1e+16',
      '1.25e-10',
      '1e+100',
      '-1e-07',
    ]);
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].map(pyFloat)).toEqual(['nan', 'inf', '-inf']);
  });

  it('int-typed parameters: whole numbers as ints (all digits), others as floats', () => {
    expect([20, -3, 1e21, 0.5, 1e-5].map(pyNumber)).toEqual(['20', '-3', '1000000000000000000000', '0.5', '1e-05']);
  });
});
