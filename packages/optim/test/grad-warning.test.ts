import '@kindling/backend-cpu';
import { noGrad } from '@kindling/autograd';
import { CrossEntropyLoss, Linear, ReLU, Sequential } from '@kindling/nn';
import { manualSeed, randn, tensor, zeros } from '@kindling/tensor';
import { NON_LEAF_GRAD_WARNING, resetNonLeafGradWarning } from '@kindling/tensor/internal';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Adam, SGD } from '../src/index.js';

// Reading `.grad` of a non-leaf tensor warns once, with PyTorch's text (issue 16); nothing else warns.

let emitted: unknown[][];

beforeEach(() => {
  resetNonLeafGradWarning();
  emitted = [];
  vi.spyOn(process, 'emitWarning').mockImplementation((...args: unknown[]) => {
    emitted.push(args);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('.grad of a non-leaf tensor', () => {
  it("warns once per process, with PyTorch's UserWarning", () => {
    const x = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = x.mul(2);
    expect(y.grad).toBeNull();
    expect(y.grad).toBeNull();
    expect(x.mul(3).grad).toBeNull();
    expect(emitted).toEqual([[NON_LEAF_GRAD_WARNING, 'UserWarning']]);
    expect(NON_LEAF_GRAD_WARNING).toMatch(
      /^The \.grad attribute of a Tensor that is not a leaf Tensor is being accessed\. Its \.grad attribute won't be populated during autograd\.backward\(\)\. If you indeed want the \.grad field to be populated for a non-leaf Tensor, use \.retainGrad\(\) on the non-leaf Tensor\./,
    );
  });

  it('does not warn for leaves, tensors that retain grad, or tensors without grad', () => {
    const x = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    expect(x.grad).toBeNull();
    expect(zeros(2).grad).toBeNull();
    const y = x.mul(2).retainGrad();
    expect(y.grad).toBeNull();
    y.sum().backward();
    expect(y.grad?.tolistSync()).toEqual([1, 1]);
    expect(x.grad?.tolistSync()).toEqual([2, 2]);
    expect(emitted).toEqual([]);
  });

  it('does not warn during backward, optimizer steps or zeroGrad', () => {
    manualSeed(0);
    const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
    const criterion = new CrossEntropyLoss();
    const x = randn(16, 4);
    const y = tensor(Array.from({ length: 16 }, (_, i) => i % 3));
    for (const opt of [new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }), new Adam(model.parameters(), { lr: 0.01 })]) {
      for (let step = 0; step < 2; step++) {
        opt.zeroGrad();
        criterion.forward(model.forward(x), y).backward();
        opt.step();
      }
      model.zeroGrad();
      opt.zeroGrad({ setToNone: true });
    }
    expect(emitted).toEqual([]);
  });

  it('falls back to console.warn where there is no process.emitWarning', () => {
    const emit = process.emitWarning;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      (process as { emitWarning?: unknown }).emitWarning = undefined;
      const y = tensor([1], { dtype: 'float32', requiresGrad: true }).mul(2);
      void y.grad;
      void y.grad;
    } finally {
      process.emitWarning = emit;
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(`UserWarning: ${NON_LEAF_GRAD_WARNING}`);
  });
});

describe('.data of a parameter', () => {
  it('writes values in place without autograd recording or refusing the write', () => {
    const layer = new Linear(3, 2);
    layer.bias?.data.fill_(0);
    layer.weight.data.normal_({ std: 0.01 });
    expect(layer.bias?.tolistSync()).toEqual([0, 0]);
    expect(layer.weight.abs().max().itemSync()).toBeLessThan(0.1);
    expect(layer.weight.isLeaf).toBe(true);
    expect(layer.weight.requiresGrad).toBe(true);
    const out = layer.forward(tensor([[1, 2, 3]], { dtype: 'float32' }));
    expect(out.gradFn).not.toBeNull();
    expect(noGrad(() => layer.weight.data.requiresGrad)).toBe(false);
  });
});
