import '@kindling/autograd';
import { inspect } from 'node:util';
import '@kindling/backend-cpu';
import { type Tensor, manualSeed, ones, randn, tensor } from '@kindling/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { CrossEntropyLoss, Identity, Linear, Module, ModuleDict, ModuleList, MSELoss, NLLLoss, ReLU, Sequential } from '../src/index.js';
import { Classifier } from './tutorial-classifier.js';

beforeEach(() => manualSeed(0));

const values = (t: Tensor) => Array.from(t.readSync());
const keys = (m: Module) => [...m.namedChildren()].map(([k]) => k);

describe('a module is callable', () => {
  it("model(x) is model.forward(x), for the tutorials' Classifier with class fields", () => {
    const model = new Classifier().eval();
    const images = randn(4, 1, 28, 28);
    expect(typeof model).toBe('function');
    expect(model).toBeInstanceOf(Classifier);
    expect(model).toBeInstanceOf(Module);
    expect(values(model(images))).toEqual(values(model.forward(images)));
    expect(model(images).shape).toEqual([4, 10]);
    expect(keys(model)).toEqual(['fc1', 'fc2', 'fc3', 'fc4', 'dropout']);
    expect(Object.keys(model)).toEqual(['training', 'fc1', 'fc2', 'fc3', 'fc4', 'dropout']);
    expect(Object.keys(model.stateDict())).toEqual([
      'fc1.weight',
      'fc1.bias',
      'fc2.weight',
      'fc2.bias',
      'fc3.weight',
      'fc3.bias',
      'fc4.weight',
      'fc4.bias',
    ]);
  });

  it('the call passes its arguments and returns what forward returns, the same object', () => {
    const id = new Identity();
    const x = ones(2);
    expect(id(x)).toBe(x);
    class Two extends Module {
      forward(a: Tensor, b: Tensor): Tensor {
        return a.add(b);
      }
    }
    expect(values(new Two()(ones(2), ones(2)))).toEqual([2, 2]);
  });

  it('trains through the call: criterion(model(x), labels).backward() fills every gradient', () => {
    const model = new Classifier();
    const criterion = new NLLLoss();
    const loss = criterion(model(randn(8, 784)), tensor([0, 1, 2, 3, 4, 5, 6, 7], { dtype: 'int32' }));
    loss.backward();
    expect([...model.parameters()].every((p) => p.grad !== null)).toBe(true);
    expect(loss.gradFn?.name).toBe('NllLossBackward0');
  });

  it('losses are callable: new NLLLoss()(logps, labels) and their options still apply', () => {
    const logps = randn(3, 5).logSoftmax(1);
    const labels = tensor([1, 0, 4], { dtype: 'int32' });
    expect(new NLLLoss()(logps, labels).itemSync()).toBe(new NLLLoss().forward(logps, labels).itemSync());
    const ce = new CrossEntropyLoss({ reduction: 'sum', ignoreIndex: 0 });
    expect(ce.reduction).toBe('sum');
    expect(ce(logps, labels).itemSync()).toBeCloseTo(ce.forward(logps, labels).itemSync(), 6);
    expect(new MSELoss()(ones(2), ones(2).mul(3)).itemSync()).toBe(4);
  });

  it('keeps #private fields and getters of subclasses', () => {
    class Scaled extends Module {
      #scale: number;
      constructor(scale: number) {
        super();
        this.#scale = scale;
      }
      get scale(): number {
        return this.#scale;
      }
      forward(x: Tensor): Tensor {
        return x.mul(this.#scale);
      }
    }
    const m = new Scaled(3);
    expect(m.scale).toBe(3);
    expect(values(m(ones(2)))).toEqual([3, 3]);
  });

  it('prints as the repr: String, template strings, util.inspect and console.log of nested values', () => {
    const model = new Sequential(new Linear(2, 1), new ReLU());
    const repr = 'Sequential(\n  (0): Linear(in_features=2, out_features=1, bias=True)\n  (1): ReLU()\n)';
    expect(String(model)).toBe(repr);
    expect(`${model}`).toBe(repr);
    expect(inspect(model)).toBe(repr);
    expect(inspect({ model })).toContain('(0): Linear(in_features=2');
    expect(JSON.stringify({ model })).toBe('{}');
  });

  it('bind and call are Function.prototype.bind/call; apply(fn) stays PyTorch’s', () => {
    const model = new Sequential(new Linear(2, 2), new ReLU());
    const x = ones(1, 2);
    expect(values(model.call(null, x))).toEqual(values(model(x)));
    expect(values(model.bind(null)(x))).toEqual(values(model(x)));
    const seen: string[] = [];
    expect(model.apply((m) => seen.push(m.constructor.name))).toBe(model);
    expect(seen).toEqual(['Linear', 'ReLU', 'Sequential']);
    expect([1, 2].map(() => model(x)).length).toBe(2);
  });
});

describe('attributes named like function properties', () => {
  it('name and length read as the class name and forward’s arity until assigned', () => {
    const model = new Classifier();
    expect(model.name).toBe('Classifier');
    expect(model.length).toBe(1);
    expect(new NLLLoss().length).toBe(2);
  });

  it('class fields named name, length, arguments, caller and prototype hold submodules, in order', () => {
    class Traps extends Module {
      first = new Linear(2, 2);
      override name = new Linear(2, 2);
      override length = new Linear(2, 2);
      override arguments = new Linear(2, 2);
      override caller = new Linear(2, 2);
      override prototype = new Linear(2, 2);
      forward(x: Tensor): Tensor {
        return this.prototype(this.caller(this.arguments(this.length(this.name(this.first(x))))));
      }
    }
    const model = new Traps();
    expect(keys(model)).toEqual(['first', 'name', 'length', 'arguments', 'caller', 'prototype']);
    expect(Object.keys(model.stateDict())[2]).toBe('name.weight');
    expect(model(ones(1, 2)).shape).toEqual([1, 2]);
    expect(String(model)).toContain('(name): Linear(in_features=2, out_features=2, bias=True)');
  });

  it('assigning this.name = ... in a constructor (JavaScript style) makes an ordinary attribute', () => {
    class Named extends Module {
      constructor(label: string) {
        super();
        const self = this as unknown as Record<string, unknown>;
        self.fc = new Linear(2, 2);
        self.name = label;
        self.length = new Linear(2, 2);
        self.arguments = 3;
        self.caller = 'x';
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const model = new Named('encoder');
    expect(model.name).toBe('encoder');
    expect(Object.keys(model)).toEqual(['training', 'fc', 'name', 'length', 'arguments', 'caller']);
    expect(keys(model)).toEqual(['fc', 'length']);
    expect(model.arguments).toBe(3);
  });

  it('submodules named call, apply, bind and toString are registered and the module stays callable', () => {
    class Shadowing extends Module {
      constructor() {
        super();
        const self = this as unknown as Record<string, Module>;
        for (const key of ['call', 'apply', 'bind', 'toString']) self[key] = new Linear(2, 2);
      }
      forward(x: Tensor): Tensor {
        return x.mul(2);
      }
    }
    const model = new Shadowing();
    expect(keys(model)).toEqual(['call', 'apply', 'bind', 'toString']);
    expect(values(model(ones(2)))).toEqual([2, 2]);
    expect([...model.parameters()].length).toBe(8);
  });
});

describe('containers', () => {
  it('Sequential: model(x), model[0], at(-1), length, iteration and numeric keys', () => {
    const model = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
    const x = randn(5, 4);
    expect(values(model(x))).toEqual(values(model.forward(x)));
    expect(model[0]).toBe(model.at(0));
    expect(model[0].weight.shape).toEqual([3, 4]);
    expect(model.at(-1).outFeatures).toBe(2);
    expect(model.length).toBe(3);
    expect([...model].map((m) => m.constructor.name)).toEqual(['Linear', 'ReLU', 'Linear']);
    expect(Object.keys(model.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(model.name).toBe('Sequential');
  });

  it('Sequential of named layers (OrderedDict form): model.fc1 and the names as keys', () => {
    const model = new Sequential({ fc1: new Linear(4, 3), relu: new ReLU(), output: new Linear(3, 1) });
    expect(model.fc1.inFeatures).toBe(4);
    expect(model.at(2)).toBe(model.output);
    expect(keys(model)).toEqual(['fc1', 'relu', 'output']);
    expect(model(ones(2, 4)).shape).toEqual([2, 1]);
  });

  it('Sequential.append and extend add numeric keys after the existing ones', () => {
    const model = new Sequential(new Linear(2, 2));
    model.append(new ReLU()).extend([new Linear(2, 1), new ReLU()]);
    expect(keys(model)).toEqual(['0', '1', '2', '3']);
    expect(model(ones(1, 2)).shape).toEqual([1, 1]);
  });

  it('ModuleList: list[0], extend, length, iteration; calling it says to iterate', () => {
    const layers = new ModuleList([new Linear(2, 3)]);
    layers.extend([new Linear(3, 4), new Linear(4, 5)]);
    expect(layers.length).toBe(3);
    expect(layers[0].outFeatures).toBe(3);
    expect(layers.at(-1)).toBe(layers[2]);
    expect([...layers].map((l) => l.outFeatures)).toEqual([3, 4, 5]);
    expect(Object.keys(layers.stateDict())[4]).toBe('2.weight');
    let h = ones(1, 2);
    for (const linear of layers) h = linear(h);
    expect(h.shape).toEqual([1, 5]);
    expect(() => layers()).toThrow('ModuleList: has no forward; iterate over it and call its modules');
  });

  it('ModuleDict: get(name) gives callable modules; calling the dict says to look them up', () => {
    const dict = new ModuleDict({ relu: new ReLU(), id: new Identity() });
    expect(values(dict.get('relu')?.(tensor([-1, 2])) as Tensor)).toEqual([0, 2]);
    expect(() => dict()).toThrow('ModuleDict: has no forward; look modules up with get(name)');
  });
});
