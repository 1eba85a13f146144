import { inspect } from 'node:util';
import '@kindling/backend-cpu';
import { noGrad } from '@kindling/autograd';
import { type Tensor, manualSeed, ones, hasBackend, tensor, zeros } from '@kindling/tensor';
import { registerBackend, getBackend } from '@kindling/tensor/backend';
import { beforeEach, describe, expect, it } from 'vitest';
import { Dropout, Flatten, Identity, Linear, Module, ModuleDict, ModuleList, ReLU, Sequential, init } from '../src/index.js';

beforeEach(() => manualSeed(0));

class Net extends Module {
  hidden_layers = new ModuleList([new Linear(4, 3), new Linear(3, 2)]);
  output = new Linear(2, 1);
  forward(x: Tensor): Tensor {
    let h = x;
    for (const layer of this.hidden_layers) h = layer.forward(h).relu();
    return this.output.forward(h);
  }
}

describe('Module', () => {
  it('finds parameters by property with PyTorch key names', () => {
    const net = new Net();
    expect([...net.namedParameters()].map(([k]) => k)).toEqual([
      'hidden_layers.0.weight',
      'hidden_layers.0.bias',
      'hidden_layers.1.weight',
      'hidden_layers.1.bias',
      'output.weight',
      'output.bias',
    ]);
    expect([...net.children()].length).toBe(2);
    expect([...net.modules()].length).toBe(5);
  });

  it('round-trips stateDict into a fresh model', () => {
    const a = new Net();
    const b = new Net();
    b.loadStateDict(a.stateDict());
    const x = tensor([[1, 2, 3, 4]], { dtype: 'float32' });
    expect(Array.from(b.forward(x).readSync())).toEqual(Array.from(a.forward(x).readSync()));
  });

  it('names missing, unexpected and mis-shaped keys', () => {
    const net = new Net();
    const sd = net.stateDict();
    const { 'output.bias': _dropped, ...missing } = sd;
    expect(() => net.loadStateDict(missing)).toThrow(/Missing key\(s\) in state_dict: "output.bias"/);
    expect(() => net.loadStateDict({ ...sd, extra: ones(1) })).toThrow(/Unexpected key\(s\) in state_dict: "extra"/);
    expect(() => net.loadStateDict({ ...sd, 'output.weight': zeros(3, 3) })).toThrow(
      'size mismatch for output.weight: copying a param with shape [3, 3] from checkpoint, the shape in current model is [1, 2].',
    );
    expect(net.loadStateDict(missing, { strict: false }).missingKeys).toEqual(['output.bias']);
  });

  it('train()/eval() reach every submodule; Dropout is the identity in eval', () => {
    const model = new Sequential(new Linear(10, 10), new Dropout(0.5));
    model.eval();
    expect([...model.modules()].every((m) => !m.training)).toBe(true);
    const x = ones(4, 10);
    expect(model.forward(x).readSync()).toEqual(model.at(0).forward(x).readSync());
    model.train();
    const dropped = new Dropout(0.5).forward(ones(1000));
    const values = Array.from(dropped.readSync());
    expect(values.every((v) => v === 0 || v === 2)).toBe(true);
    expect(values.filter((v) => v === 0).length).toBeGreaterThan(400);
    expect(values.filter((v) => v === 0).length).toBeLessThan(600);
  });

  it('zeroGrad sets gradients to None by default, or zeroes them', () => {
    const lin = new Linear(2, 2);
    lin.forward(ones(1, 2)).sum().backward();
    lin.zeroGrad({ setToNone: false });
    expect(Array.from((lin.weight.grad as Tensor).readSync())).toEqual([0, 0, 0, 0]);
    lin.zeroGrad();
    expect(lin.weight.grad).toBeNull();
  });

  it('Linear initialises like PyTorch: weight and bias within ±1/sqrt(in)', () => {
    const lin = new Linear(100, 50);
    const bound = 1 / Math.sqrt(100);
    expect(Math.max(...Array.from(lin.weight.readSync()).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from((lin.bias as Tensor).readSync()).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(lin.weight.requiresGrad && lin.weight.isLeaf).toBe(true);
  });

  it('init functions work like the seeds: fill_(0) on bias, normal_(std=0.01) on weight', () => {
    const model = new Sequential({ fc1: new Linear(784, 128), relu: new ReLU() });
    const fc1 = model.at<Linear>(0);
    noGrad(() => fc1.bias?.fill_(0));
    init.normal_(fc1.weight, 0, 0.01);
    expect(Array.from((fc1.bias as Tensor).readSync()).every((v) => v === 0)).toBe(true);
    const std = fc1.weight.std().itemSync();
    expect(std).toBeGreaterThan(0.009);
    expect(std).toBeLessThan(0.011);
    expect([...model.namedParameters()].map(([k]) => k)).toEqual(['fc1.weight', 'fc1.bias']);
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2);
    init.xavierUniform_(fc1.weight);
    expect(Math.max(...Array.from(fc1.weight.readSync()).map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / (784 + 128)));
  });

  it('ModuleDict, Flatten, Identity, negative at()', () => {
    const dict = new ModuleDict({ a: new Linear(2, 2), b: new Identity() });
    expect(dict.keys()).toEqual(['a', 'b']);
    expect([...dict.namedParameters()].map(([k]) => k)).toEqual(['a.weight', 'a.bias']);
    expect(new Flatten().forward(ones(2, 3, 4)).shape).toEqual([2, 12]);
    const seq = new Sequential(new Identity(), new ReLU());
    expect(seq.at(-1)).toBeInstanceOf(ReLU);
    expect(() => seq.at(2)).toThrow('Sequential: index 2 is out of range for 2 modules');
  });

  it('to(device) moves parameters', () => {
    if (!hasBackend('cpu-b')) registerBackend(Object.create(getBackend('cpu'), { name: { value: 'cpu-b' } }));
    const lin = new Linear(2, 2).to('cpu-b');
    expect(lin.weight.device).toBe('cpu-b');
    expect(lin.weight.requiresGrad).toBe(true);
    expect(lin.forward(ones(1, 2, { device: 'cpu-b' })).device).toBe('cpu-b');
  });
});

describe('console.log and util.inspect', () => {
  it("print a module's repr and a parameter's 'Parameter containing:'", () => {
    const model = new Sequential(new Linear(2, 1), new ReLU());
    expect(inspect(model)).toBe(model.toString());
    expect(inspect(model)).toBe('Sequential(\n  (0): Linear(in_features=2, out_features=1, bias=True)\n  (1): ReLU()\n)');
    const bias = (model.at(0) as Linear).bias;
    expect(inspect(bias)).toMatch(/^Parameter containing:\ntensor\(\[-?\d\.\d{4}\], requires_grad=True\)$/);
  });
});
