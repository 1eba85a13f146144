// The types of callable modules, checked by the package's typecheck (tsc): a
// `@ts-expect-error` that stops erroring, or an `expectTypeOf` that stops
// matching, fails it. The runtime assertions only make sure the file runs.
import '@kindling/backend-cpu';
import { type Tensor, ones, tensor } from '@kindling/tensor';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type Loss, Dropout, Linear, LogSoftmax, Module, ModuleList, NLLLoss, ReLU, Sequential, functional as F } from '../src/index.js';

class Classifier extends Module {
  fc1 = new Linear(4, 3);
  dropout = new Dropout(0.2);
  forward(x: Tensor): Tensor {
    return F.logSoftmax(this.dropout(F.relu(this.fc1(x.view(x.shape[0], -1)))), 1);
  }
}

class Pair extends Module {
  forward(a: Tensor, b?: Tensor): Tensor {
    return b ? a.add(b) : a;
  }
}

describe('call signatures are typed from forward', () => {
  it('a model takes what its forward takes', () => {
    const model = new Classifier();
    const x = ones(2, 4);
    expectTypeOf(model(x)).toEqualTypeOf<Tensor>();
    expectTypeOf(model).parameters.toEqualTypeOf<[x: Tensor]>();
    // @ts-expect-error: forward takes one tensor
    expect(() => model()).toThrow();
    // @ts-expect-error: forward takes one tensor
    model(x, x);
    // @ts-expect-error: not a tensor
    expect(() => model([1, 2])).toThrow();
    expectTypeOf(new Pair()).parameters.toEqualTypeOf<[a: Tensor, b?: Tensor]>();
    expect(new Pair()(x).shape).toEqual([2, 4]);
  });

  it('a loss takes (input, target)', () => {
    const criterion = new NLLLoss();
    const logps = ones(2, 3).logSoftmax(1);
    const labels = tensor([0, 2], { dtype: 'int32' });
    expectTypeOf(criterion(logps, labels)).toEqualTypeOf<Tensor>();
    // @ts-expect-error: the target is missing
    expect(() => criterion(logps)).toThrow();
    const asLoss: Loss = criterion;
    // @ts-expect-error: every loss needs the target
    expect(() => asLoss(logps)).toThrow();
  });

  it('every module is a Module, and a Module takes tensors', () => {
    const all: Module[] = [new Classifier(), new NLLLoss(), new Sequential(new ReLU()), new ModuleList(), new Pair()];
    expectTypeOf(all[0]).parameters.toEqualTypeOf<Tensor[]>();
    const viaModule = (m: Module, x: Tensor): Tensor => m(x);
    const generic = <M extends Module>(m: M, x: Tensor): Tensor => m.forward(x);
    expect(viaModule(new ReLU(), ones(1)).shape).toEqual(generic(new ReLU(), ones(1)).shape);
    expect(all.length).toBe(5);
  });

  it('bind and call are typed as on functions; the old call(x) alias is an error', () => {
    const model = new Classifier();
    const x = ones(1, 4);
    expectTypeOf(model.bind(null)(x)).toEqualTypeOf<Tensor>();
    expectTypeOf(model.call(null, x)).toEqualTypeOf<Tensor>();
    // @ts-expect-error: call's first argument is `this`, as on any function
    expect(() => model.call(x)).toThrow();
    expectTypeOf(model.apply).parameter(0).toEqualTypeOf<(module: Module) => void>();
  });

  it('subclass attributes may use the names functions have', () => {
    class Named extends Module {
      override name = 'encoder';
      override length = new Linear(2, 2);
      override caller = 3;
      forward(x: Tensor): Tensor {
        return this.length(x);
      }
    }
    const m = new Named();
    expectTypeOf(m.name).toEqualTypeOf<string>();
    expectTypeOf(m.length).toEqualTypeOf<Linear>();
    expect(m.length(ones(1, 2)).shape).toEqual([1, 2]);
  });
});

describe('containers are typed from their modules', () => {
  it('Sequential: at(i) and model[i] are the layer at i, no type argument needed', () => {
    const model = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10), new LogSoftmax(1));
    expectTypeOf(model.at(0)).toEqualTypeOf<Linear>();
    expectTypeOf(model.at(1)).toEqualTypeOf<ReLU>();
    expectTypeOf(model.at(-1)).toEqualTypeOf<LogSoftmax>();
    expectTypeOf(model[0]).toEqualTypeOf<Linear>();
    expectTypeOf(model[3]).toEqualTypeOf<LogSoftmax>();
    expectTypeOf(() => model.at(4)).returns.toEqualTypeOf<Module>();
    const i: number = 2;
    expectTypeOf(model.at(i)).toEqualTypeOf<Linear | ReLU | LogSoftmax>();
    // @ts-expect-error: there is no layer 4
    expect(model[4]).toBeUndefined();
    expectTypeOf(model(ones(1, 784))).toEqualTypeOf<Tensor>();
    for (const layer of model) expectTypeOf(layer).toEqualTypeOf<Linear | ReLU | LogSoftmax>();
    // The explicit form still compiles.
    expectTypeOf(model.at<Linear>(2)).toEqualTypeOf<Linear>();
  });

  it('Sequential of named layers: model.fc1 is the Linear', () => {
    const model = new Sequential({ fc1: new Linear(4, 2), relu: new ReLU() });
    expectTypeOf(model.fc1).toEqualTypeOf<Linear>();
    expectTypeOf(model.at(0)).toEqualTypeOf<Linear | ReLU>();
    // @ts-expect-error: named layers are not stored under 0
    expect(model[0]).toBeUndefined();
    // @ts-expect-error: not a module
    expectTypeOf(() => new Sequential({ fc1: 3 })).toBeFunction();
  });

  it('Sequential from an array, the plain type, subclasses and instanceof', () => {
    const layers: Module[] = [new Linear(2, 2)];
    const dynamic = new Sequential(...layers);
    expectTypeOf(dynamic.at(0)).toEqualTypeOf<Module>();
    const plain: Sequential[] = [dynamic, new Sequential(new ReLU()), new Sequential({ a: new ReLU() })];
    const typed: Sequential<[Linear, ReLU]> = new Sequential(new Linear(2, 2), new ReLU());
    expectTypeOf(typed[1]).toEqualTypeOf<ReLU>();
    // @ts-expect-error: the layers differ
    const wrong: Sequential<[Linear, ReLU]> = new Sequential(new ReLU(), new ReLU());
    class Mlp extends Sequential<[Linear, ReLU]> {}
    class Loose extends Sequential {}
    expectTypeOf(new Mlp(new Linear(2, 2), new ReLU()).at(0)).toEqualTypeOf<Linear>();
    const unknownValue: unknown = new Loose(new ReLU());
    if (unknownValue instanceof Sequential) expectTypeOf(unknownValue.at(0)).toEqualTypeOf<Module>();
    expect([plain.length, wrong.length, unknownValue instanceof Sequential]).toEqual([3, 2, true]);
  });

  it('ModuleList: list[i], extend and iteration give its module type', () => {
    const list = new ModuleList([new Linear(2, 2)]);
    list.extend([new Linear(2, 3)]);
    expectTypeOf(list[1]).toEqualTypeOf<Linear>();
    expectTypeOf(list.at(-1)).toEqualTypeOf<Linear>();
    // @ts-expect-error: a ModuleList<Linear> holds Linear layers
    list.extend([new ReLU()]);
    for (const layer of list) expectTypeOf(layer).toEqualTypeOf<Linear>();
    expect(list.length).toBe(3);
  });
});
