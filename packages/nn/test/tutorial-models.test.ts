import '@kindling/backend-cpu';
import { noGrad } from '@kindling/autograd';
import { type Tensor, nllLoss, tensor } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { Linear, LogSoftmax, type Module, ReLU, Sequential } from '../src/index.js';
import { fixture, matchesSummary, maxAbsDiff, pattern } from './fixture.js';
import { Classifier } from './tutorial-classifier.js';

/** The generator's `fill_linear`: closed-form weights so the fixture needs no weight dump. */
function fillLinear(layer: Linear, k: number): void {
  const bound = 1 / Math.sqrt(layer.inFeatures);
  noGrad(() => {
    layer.weight.copy_(pattern(layer.weight.numel(), k, bound, [...layer.weight.shape]));
    layer.bias?.copy_(pattern(layer.outFeatures, k + 0.5, bound));
  });
}

const x = pattern(16 * 784, 0.25, 1, [16, 784]);
const target = tensor(
  Array.from({ length: 16 }, (_, i) => (3 * i + 1) % 10),
  { dtype: 'int32' },
);

function checkAgainst(model: Module, linears: Linear[], expected: (typeof fixture)['sequential']): void {
  linears.forEach((l, k) => {
    fillLinear(l, k);
  });
  const out = model.forward(x);
  expect(out.shape).toEqual([16, 10]);
  expect(maxAbsDiff(out.readSync(), expected.output)).toBeLessThan(1e-5);
  const loss = nllLoss(out, target);
  expect(Math.abs(loss.itemSync() - expected.loss)).toBeLessThan(1e-5);
  expect(loss.gradFn?.name).toBe('NllLossBackward0');
  loss.backward();
  for (const [name, p] of model.namedParameters()) {
    expect(p.grad, name).not.toBeNull();
    expect(matchesSummary(p.grad as Tensor, expected.grads[name]), name).toBeNull();
  }
}

describe("the seeds' models match PyTorch", () => {
  it('Sequential MLP with LogSoftmax: repr, forward, loss and every gradient', () => {
    const model = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 10), new LogSoftmax(1));
    expect(model.toString()).toBe(fixture.sequential.repr);
    expect([...model.namedParameters()].map(([n]) => n)).toEqual(Object.keys(fixture.sequential.grads));
    checkAgainst(model, [model.at(0), model.at(2), model.at(4)], fixture.sequential);
  });

  it('the Classifier with fc1..fc4 and Dropout, in eval mode', () => {
    const model = new Classifier().eval();
    expect(model.toString()).toBe(fixture.classifier.repr);
    checkAgainst(model, [model.fc1, model.fc2, model.fc3, model.fc4], fixture.classifier);
  });
});
