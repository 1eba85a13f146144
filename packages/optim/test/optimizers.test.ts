import { readFileSync } from 'node:fs';
import '@kindling/backend-cpu';
import { Linear, functional as F } from '@kindling/nn';
import { noGrad } from '@kindling/autograd';
import { type Tensor, tensor } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { Adadelta, Adagrad, Adam, AdamW, type Optimizer, RMSprop, SGD, clipGradNorm_, clipGradValue_ } from '../src/index.js';

const fixture = JSON.parse(readFileSync(new URL('../../../tools/fixtures/data/nn-optim.json', import.meta.url), 'utf8'));

function pattern(n: number, phase: number, scale: number, shape: number[] = [n]): Tensor {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * 0.618 + phase) * scale;
  return tensor(out, { shape });
}

function layer(): Linear {
  const l = new Linear(5, 3);
  const bound = 1 / Math.sqrt(5);
  noGrad(() => {
    l.weight.copy_(pattern(15, 3, bound, [3, 5]));
    l.bias?.copy_(pattern(3, 3.5, bound));
  });
  return l;
}

const x = pattern(20, 0.25, 1, [4, 5]);
const y = tensor(
  [1, 1, 1, 1].map((_, i) => (3 * i + 1) % 3),
  { dtype: 'int32' },
);

const cases: Record<string, (params: Iterable<Tensor>) => Optimizer<object>> = {
  sgd: (p) => new SGD(p, { lr: 0.1 }),
  'sgd-momentum': (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
  'sgd-nesterov': (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }),
  'sgd-maximize': (p) => new SGD(p, { lr: 0.05, maximize: true }),
  adam: (p) => new Adam(p, { lr: 0.01 }),
  'adam-amsgrad-wd': (p) => new Adam(p, { lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.1, amsgrad: true }),
  adamw: (p) => new AdamW(p, { lr: 0.01 }),
  rmsprop: (p) => new RMSprop(p, { lr: 0.01 }),
  'rmsprop-centered-momentum': (p) => new RMSprop(p, { lr: 0.01, momentum: 0.9, centered: true, weightDecay: 0.01 }),
  adagrad: (p) => new Adagrad(p, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 }),
  adadelta: (p) => new Adadelta(p),
  'adadelta-wd-maximize': (p) => new Adadelta(p, { lr: 0.5, rho: 0.8, eps: 1e-5, weightDecay: 0.1, maximize: true }),
};

describe('optimizer steps match PyTorch 1.13', () => {
  for (const [name, make] of Object.entries(cases)) {
    it(`${name}: three steps to 1e-7`, () => {
      const l = layer();
      const opt = make(l.parameters());
      const expected = fixture.optimizers[name] as Record<string, number[]>[];
      expected.forEach((step, k) => {
        opt.zeroGrad();
        F.crossEntropy(l.forward(x), y).backward();
        opt.step();
        for (const [pname, p] of l.namedParameters()) {
          const got = p.readSync();
          step[pname].forEach((v, i) => {
            expect(Math.abs(got[i] - v), `${name} step ${k} ${pname}[${i}]`).toBeLessThan(1e-7);
          });
        }
      });
    });
  }

  it('SGD without momentum is bit-exact', () => {
    const l = layer();
    const opt = new SGD(l.parameters(), { lr: 0.1 });
    F.crossEntropy(l.forward(x), y).backward();
    opt.step();
    expect(Array.from(l.weight.readSync())).toEqual(Array.from(Float32Array.from(fixture.optimizers.sgd[0].weight)));
  });

  it('resumes exactly from stateDict', () => {
    const a = layer();
    const optA = new Adam(a.parameters(), { lr: 0.01 });
    const b = layer();
    const optB = new Adam(b.parameters(), { lr: 0.01 });
    for (let i = 0; i < 2; i++) {
      for (const [m, o] of [
        [a, optA],
        [b, optB],
      ] as const) {
        o.zeroGrad();
        F.crossEntropy(m.forward(x), y).backward();
        o.step();
      }
    }
    const sd = optA.stateDict();
    expect(sd.param_groups[0]).toMatchObject({ lr: 0.01, weight_decay: 0, amsgrad: false, params: [0, 1] });
    expect(Object.keys(sd.state[0])).toEqual(['step', 'exp_avg', 'exp_avg_sq']);
    const c = layer();
    c.loadStateDict(a.stateDict());
    const optC = new Adam(c.parameters(), { lr: 0.5 });
    optC.loadStateDict(sd);
    for (const [m, o] of [
      [b, optB],
      [c, optC],
    ] as const) {
      o.zeroGrad();
      F.crossEntropy(m.forward(x), y).backward();
      o.step();
    }
    expect(Array.from(c.weight.readSync())).toEqual(Array.from(b.weight.readSync()));
  });

  it('rejects bad hyper-parameters and in-place updates outside noGrad stay impossible', () => {
    expect(() => new SGD(layer().parameters(), { lr: -1 })).toThrow('SGD: invalid learning rate: -1');
    expect(() => new Adam(layer().parameters(), { betas: [1, 0.9] })).toThrow('Adam: invalid beta parameter at index 0: 1');
    expect(() => new SGD([], { lr: 0.1 })).toThrow('SGD: got an empty parameter list');
  });

  it('supports parameter groups with their own options', () => {
    const l = layer();
    const opt = new SGD([{ params: [l.weight] }, { params: [l.bias as Tensor], lr: 0 }], { lr: 0.1 });
    const biasBefore = Array.from((l.bias as Tensor).readSync());
    F.crossEntropy(l.forward(x), y).backward();
    opt.step();
    expect(Array.from((l.bias as Tensor).readSync())).toEqual(biasBefore);
    expect(opt.lrs).toEqual([0.1, 0]);
  });
});

describe('gradient clipping matches PyTorch', () => {
  for (const normType of [2, 1, Number.POSITIVE_INFINITY]) {
    it(`clipGradNorm_ normType=${normType}`, () => {
      const expected = fixture.clipGradNorm[normType === Number.POSITIVE_INFINITY ? 'inf' : `${normType}.0`];
      const a = tensor(new Float32Array(6), { shape: [3, 2] }).requiresGrad_();
      const b = tensor(new Float32Array(4)).requiresGrad_();
      a.grad = pattern(6, 0.3, 2, [3, 2]);
      b.grad = pattern(4, 1.3, 2);
      const total = clipGradNorm_([a, b], 1, normType);
      expect(Math.abs(total - expected.total)).toBeLessThan(1e-5);
      expected.a.forEach((v: number, i: number) => {
        expect(Math.abs((a.grad as Tensor).readSync()[i] - v)).toBeLessThan(1e-6);
      });
      expected.b.forEach((v: number, i: number) => {
        expect(Math.abs((b.grad as Tensor).readSync()[i] - v)).toBeLessThan(1e-6);
      });
    });
  }

  it('clipGradValue_ clamps every element', () => {
    const a = tensor([0, 0, 0], { dtype: 'float32' }).requiresGrad_();
    a.grad = tensor([-3, 0.5, 2], { dtype: 'float32' });
    clipGradValue_([a], 1);
    expect(Array.from(a.grad.readSync())).toEqual([-1, 0.5, 1]);
  });
});
