import '@kindling/autograd';
import '@kindling/backend-cpu';
import { type Tensor, manualSeed, tensor } from '@kindling/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  Conv2d,
  Dropout,
  F,
  Flatten,
  Linear,
  LogSoftmax,
  MaxPool2d,
  type ModelSpec,
  ReLU,
  Sequential,
  buildModel,
  modelSpecFromMetadata,
  modelSpecMetadata,
  modelSpecOf,
  modelSpecParameterCount,
} from '../src/index.js';
import { type Summary, cnnFixture, fillPattern, image, matchesSummary, maxAbsDiff, stateKeys, torchStateKeys } from './fixture.js';

beforeEach(() => manualSeed(0));

/** PyTorch's examples/mnist Net, as the `mnist-cnn` preset describes it. */
const mnistSpec: ModelSpec = {
  type: 'sequential',
  layers: [
    { type: 'Conv2d', args: [1, 32, 3] },
    { type: 'ReLU' },
    { type: 'Conv2d', args: [32, 64, 3] },
    { type: 'ReLU' },
    { type: 'MaxPool2d', args: [2] },
    { type: 'Dropout', args: [0.25] },
    { type: 'Flatten', args: [1, -1] },
    { type: 'Linear', args: [9216, 128] },
    { type: 'ReLU' },
    { type: 'Dropout', args: [0.5] },
    { type: 'Linear', args: [128, 10] },
    { type: 'LogSoftmax', args: [1] },
  ],
  dataset: 'mnist',
  classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  inputShape: [1, 28, 28],
};

/** The 60-minute blitz's CIFAR-10 Net, as a Sequential (its `MaxPool2d(2, 2)`'s stride is the default, the kernel). */
const blitzSpec: ModelSpec = {
  type: 'sequential',
  layers: [
    { type: 'Conv2d', args: [3, 6, 5] },
    { type: 'ReLU' },
    { type: 'MaxPool2d', args: [2] },
    { type: 'Conv2d', args: [6, 16, 5] },
    { type: 'ReLU' },
    { type: 'MaxPool2d', args: [2] },
    { type: 'Flatten', args: [1, -1] },
    { type: 'Linear', args: [400, 120] },
    { type: 'ReLU' },
    { type: 'Linear', args: [120, 84] },
    { type: 'ReLU' },
    { type: 'Linear', args: [84, 10] },
  ],
  dataset: 'cifar10',
  inputShape: [3, 32, 32],
};

interface NetworkCase {
  repr: string;
  stateDict: [string, number[], string][];
  output: number[];
  loss: number;
  grads: Record<string, Summary>;
}

function checkAgainstTorch(model: Sequential, expected: NetworkCase, x: Tensor, loss: (out: Tensor) => Tensor): void {
  expect(model.toString()).toBe(expected.repr);
  expect(stateKeys(model)).toEqual(torchStateKeys(expected.stateDict));
  fillPattern(model);
  model.eval();
  const out = model.forward(x);
  expect(maxAbsDiff(out.readSync(), expected.output)).toBeLessThan(1e-5);
  const l = loss(out);
  expect(Math.abs(l.itemSync() - expected.loss)).toBeLessThan(1e-5);
  l.backward();
  for (const [name, p] of model.namedParameters()) {
    expect(matchesSummary(p.grad as Tensor, expected.grads[name], 1e-5), name).toBeNull();
  }
}

describe("the issue's CNNs, built from their descriptions, match PyTorch 1.13", () => {
  it("PyTorch's examples/mnist Net: repr, state-dict keys, outputs, NLL loss and gradients", () => {
    const model = buildModel(mnistSpec);
    checkAgainstTorch(model, cnnFixture.mnistNet, image([2, 1, 28, 28]), (out) => F.nllLoss(out, tensor([3, 7], { dtype: 'int32' })));
    expect(modelSpecParameterCount(mnistSpec)).toBe(1_199_882);
    expect([...model.parameters()].reduce((n, p) => n + p.numel(), 0)).toBe(1_199_882);
  });

  it("the blitz's CIFAR-10 Net: repr, state-dict keys, outputs, cross-entropy and gradients", () => {
    const model = buildModel(blitzSpec);
    checkAgainstTorch(model, cnnFixture.blitzNet, image([3, 3, 32, 32]), (out) =>
      F.crossEntropy(out, tensor([1, 0, 9], { dtype: 'int32' })),
    );
    expect(modelSpecParameterCount(blitzSpec)).toBe(62_006);
  });
});

describe('model descriptions round-trip', () => {
  for (const [name, spec] of [
    ['mnist Net', mnistSpec],
    ['blitz Net', blitzSpec],
  ] as const) {
    it(`${name}: modelSpecOf(buildModel(spec)) is the spec; the model rebuilt from metadata computes the same`, async () => {
      const model = buildModel(spec).eval();
      const { type: _t, layers: _l, ...info } = spec;
      expect(modelSpecOf(model, info)).toEqual(spec);
      const metadata = modelSpecMetadata(modelSpecOf(model, info));
      expect(Object.keys(metadata)).toEqual(['kindling.model']);
      const rebuilt = buildModel(modelSpecFromMetadata(metadata, 'cnn.safetensors')).eval();
      rebuilt.loadStateDict(model.stateDict());
      const x = image([2, ...(spec.inputShape as number[])]);
      expect(await rebuilt.forward(x).tolist()).toEqual(await model.forward(x).tolist());
    });
  }

  it('describes a hand-built Sequential, writing only the options that differ from the defaults', () => {
    const model = new Sequential(
      new Conv2d(1, 8, [3, 5], { stride: [1, 2], padding: [1, 2], bias: false, paddingMode: 'reflect' }),
      new MaxPool2d(3, { stride: 1, ceilMode: true }),
      new MaxPool2d([2, 2]),
      new Flatten(),
      new Linear(8, 4, { bias: false }),
      new Dropout(),
      new LogSoftmax(-1),
    );
    expect(modelSpecOf(model).layers).toEqual([
      { type: 'Conv2d', args: [1, 8, [3, 5]], options: { stride: [1, 2], padding: [1, 2], bias: false, paddingMode: 'reflect' } },
      { type: 'MaxPool2d', args: [3], options: { stride: 1, ceilMode: true } },
      { type: 'MaxPool2d', args: [[2, 2]] },
      { type: 'Flatten', args: [1, -1] },
      { type: 'Linear', args: [8, 4], options: { bias: false } },
      { type: 'Dropout', args: [0.5] },
      { type: 'LogSoftmax', args: [-1] },
    ]);
  });

  it('reads a pooling stride equal to the kernel as the default', () => {
    const explicit = buildModel({ type: 'sequential', layers: [{ type: 'MaxPool2d', args: [2], options: { stride: 2 } }] });
    expect(explicit.toString()).toBe(buildModel({ type: 'sequential', layers: [{ type: 'MaxPool2d', args: [2] }] }).toString());
    expect(modelSpecOf(explicit).layers).toEqual([{ type: 'MaxPool2d', args: [2] }]);
  });

  it('keeps the keys of a Sequential of named layers', () => {
    const model = new Sequential({ conv1: new Conv2d(1, 2, 3), act: new ReLU(), flat: new Flatten() });
    const spec = modelSpecOf(model);
    expect(spec.layers.map((l) => l.name)).toEqual(['conv1', 'act', 'flat']);
    expect(Object.keys(buildModel(spec).stateDict())).toEqual(['conv1.weight', 'conv1.bias']);
  });
});
