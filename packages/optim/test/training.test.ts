import '@kindling/backend-cpu';
import { CrossEntropyLoss, Linear, ReLU, Sequential } from '@kindling/nn';
import { type Tensor, cat, full, manualSeed, randn, tensor } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { Adam, type Optimizer, SGD } from '../src/index.js';

/** Three Gaussian blobs in 2-D, 60 points each. */
function blobs(): { x: Tensor; y: Tensor } {
  const centers = [
    [2, 0],
    [-2, 1],
    [0, -2],
  ];
  const xs = centers.map((c) =>
    randn(60, 2)
      .mul(0.6)
      .add(tensor([c], { dtype: 'float32' })),
  );
  const ys = centers.map((_, k) => full([60], k, { dtype: 'int32' }));
  return { x: cat(xs), y: cat(ys) };
}

function train(make: (params: Iterable<Tensor>) => Optimizer<object>): { first: number; last: number; accuracy: number } {
  manualSeed(3);
  const { x, y } = blobs();
  const model = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 3));
  const criterion = new CrossEntropyLoss();
  const opt = make(model.parameters());
  let first = 0;
  let last = 0;
  for (let epoch = 0; epoch < 60; epoch++) {
    opt.zeroGrad();
    const loss = criterion.forward(model.forward(x), y);
    loss.backward();
    opt.step();
    last = loss.itemSync();
    if (epoch === 0) first = last;
  }
  const accuracy = model.forward(x).argmax(1).eq(y).float().mean().itemSync();
  return { first, last, accuracy };
}

describe('training on a small generated dataset', () => {
  for (const [name, make] of [
    ['SGD', (p: Iterable<Tensor>) => new SGD(p, { lr: 0.1 })],
    ['SGD + momentum', (p: Iterable<Tensor>) => new SGD(p, { lr: 0.05, momentum: 0.9 })],
    ['Adam', (p: Iterable<Tensor>) => new Adam(p, { lr: 0.02 })],
  ] as const) {
    it(`${name}: loss falls and accuracy rises`, () => {
      const { first, last, accuracy } = train(make);
      expect(last).toBeLessThan(first * 0.6);
      expect(accuracy).toBeGreaterThan(0.9);
    });
  }
});
