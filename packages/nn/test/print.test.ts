import '@kindling/autograd';
import { inspect } from 'node:util';
import '@kindling/backend-cpu';
import { formatPrint, repr, tensor } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { Linear, Module, ReLU, Sequential } from '../src/index.js';

/** The tutorials' `print(...)` lines with real tensors, modules and grad nodes (PyTorch's output in the comments). */
describe('print and inspect of tensors, modules and grad nodes', () => {
  const x = tensor(
    [
      [0.5, -1],
      [2, 0.25],
    ],
    { requiresGrad: true },
  );
  const y = x.pow(2);

  it('print("x:\\n", x) and a tensor with grad_fn', () => {
    // x:
    //  tensor([[ 0.5000, -1.0000],
    //         [ 2.0000,  0.2500]], requires_grad=True)
    expect(formatPrint(['x:\n', x])).toBe('x:\n tensor([[ 0.5000, -1.0000],\n        [ 2.0000,  0.2500]], requires_grad=True)');
    expect(String(y)).toBe('tensor([[0.2500, 1.0000],\n        [4.0000, 0.0625]], grad_fn=<PowBackward0>)');
  });

  it('print(y.grad_fn) and console.log(y.gradFn) print <PowBackward0 object>', () => {
    // PyTorch: <PowBackward0 object at 0x000001D15BA55470>
    expect(formatPrint(['\ngrad object of y:\n', y.gradFn])).toBe('\ngrad object of y:\n <PowBackward0 object>');
    expect(inspect(y.gradFn)).toBe('<PowBackward0 object>');
    expect(`${y.mean().gradFn}`).toBe('<MeanBackward0 object>');
  });

  it('a missing grad prints None; Parameter containing:', () => {
    const lin = new Linear(2, 1);
    expect(formatPrint(['Before backward pass: \n', lin.weight.grad])).toBe('Before backward pass: \n None');
    expect(formatPrint(['Initial weights - ', lin.bias])).toMatch(
      /^Initial weights - {2}Parameter containing:\ntensor\(\[-?\d\.\d{4}\], requires_grad=True\)$/,
    );
  });

  it('modules print their tree, alone and inside containers', () => {
    const model = new Sequential(new Linear(2, 1), new ReLU());
    const tree = 'Sequential(\n  (0): Linear(in_features=2, out_features=1, bias=True)\n  (1): ReLU()\n)';
    expect(formatPrint([model])).toBe(tree);
    expect(inspect(model)).toBe(tree);
    expect(repr({ model: new ReLU() })).toBe("{'model': ReLU()}");
  });

  it('a Module subclass with class fields prints its tree', () => {
    class Classifier extends Module {
      fc1 = new Linear(4, 2);
      forward(input: ReturnType<typeof tensor>) {
        return this.fc1.forward(input);
      }
    }
    const model = new Classifier();
    // Modules are function objects (callable); Node's inspect still finds the repr through the prototype.
    expect(typeof model).toBe('function');
    expect(formatPrint([model])).toBe('Classifier(\n  (fc1): Linear(in_features=4, out_features=2, bias=True)\n)');
    expect(inspect(model)).toBe(formatPrint([model]));
  });
});
