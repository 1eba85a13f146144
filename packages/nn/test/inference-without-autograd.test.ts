// No import of @kindling/autograd anywhere in this file's module graph: nn alone must run a model.
import '@kindling/backend-cpu';
import { KindlingError, isGradEnabled, noGrad, randint, randn } from '@kindling/tensor';
import { hasGradHooks } from '@kindling/tensor/internal';
import { describe, expect, it } from 'vitest';
import { Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../src/index.js';

describe('@kindling/nn without @kindling/autograd (inference bundles)', () => {
  it('does not load autograd', () => {
    expect(hasGradHooks()).toBe(false);
  });

  it('builds and runs MLPs and CNNs, in eval mode and under noGrad', () => {
    const model = new Sequential(new Conv2d(1, 4, 3), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 13 * 13, 10));
    model.eval();
    const out = noGrad(() => model(randn(2, 1, 28, 28)));
    expect(out.shape).toEqual([2, 10]);
    expect(out.gradFn).toBeNull();
    expect(isGradEnabled()).toBe(true);
  });

  it('says what to import when asked for gradients', () => {
    const model = new Linear(4, 3);
    const loss = new CrossEntropyLoss()(model(randn(5, 4)), randint(0, 3, [5]));
    expect(() => loss.backward()).toThrow(KindlingError);
    expect(() => model(randn(5, 4)).retainGrad()).toThrow(/retainGrad: gradients need '@kindling\/autograd', which is not loaded/);
    expect(() => loss.backward()).toThrow(
      "backward: gradients need '@kindling/autograd', which is not loaded; add import '@kindling/autograd' (or use 'kindling', which loads it)",
    );
  });
});
