import '@kindling/backend-cpu';
import '@kindling/autograd';
import { modelSpecOf } from '@kindling/nn';
import { manualSeed, randn } from '@kindling/tensor';
import { describe, expect, test } from 'vitest';
import { MODEL_CHOICES, mnistCnnSpec, modelChoice } from '../src/model/model-choices.js';
import { buildModel, describeLayers, imageInputShape, modelKind } from '../src/model/model-spec.js';

const DIGITS = Array.from({ length: 10 }, (_, i) => String(i));
const DATA = { dataset: 'mnist', classes: DIGITS };

describe('the Train page’s models', () => {
  test('each choice describes a network for 28×28 images with the dataset’s classes', () => {
    const described = MODEL_CHOICES.map((m) => {
      const spec = m.spec(DATA);
      expect(spec).toMatchObject({ dataset: 'mnist', classes: DIGITS });
      return [m.id, modelKind(spec), describeLayers(spec), imageInputShape(spec).join('×')];
    });
    expect(described).toEqual([
      ['small', 'MLP', '784-64-10', '784'],
      ['medium', 'MLP', '784-128-64-10', '784'],
      ['large', 'MLP', '784-256-128-64-10', '784'],
      ['cnn', 'CNN', 'conv 1→32 3×3, conv 32→64 3×3, max-pool 2×2, linear 9216-128-10', '1×28×28'],
    ]);
  });

  test('the MLPs keep the state-dict keys of the seeds’ networks (old checkpoints load into them)', () => {
    expect(Object.keys(buildModel(modelChoice('medium').spec(DATA)).stateDict())).toEqual([
      '0.weight',
      '0.bias',
      '2.weight',
      '2.bias',
      '4.weight',
      '4.bias',
    ]);
  });

  test('the CNN is PyTorch’s examples/mnist Net as a Sequential: same layers, same keys, 1,199,882 parameters', async () => {
    manualSeed(0);
    const model = buildModel(mnistCnnSpec(DATA));
    const layers = [...model.children()].map((m) => m.constructor.name);
    expect(layers).toEqual([
      'Conv2d',
      'ReLU',
      'Conv2d',
      'ReLU',
      'MaxPool2d',
      'Dropout',
      'Flatten',
      'Linear',
      'ReLU',
      'Dropout',
      'Linear',
      'LogSoftmax',
    ]);
    const shapes = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape]));
    expect(shapes).toEqual({
      '0.weight': [32, 1, 3, 3],
      '0.bias': [32],
      '2.weight': [64, 32, 3, 3],
      '2.bias': [64],
      '7.weight': [128, 9216],
      '7.bias': [128],
      '10.weight': [10, 128],
      '10.bias': [10],
    });
    expect([...model.parameters()].reduce((n, p) => n + p.numel(), 0)).toBe(1_199_882);
    // Images go in as [N, 1, 28, 28]; out come log-probabilities.
    model.eval();
    const out = model.forward(randn([2, 1, 28, 28]));
    expect(out.shape).toEqual([2, 10]);
    const sums = await out.exp().sum(1).read();
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    // nn describes the built network exactly as the demo wrote it.
    expect(modelSpecOf(model, { ...DATA, inputShape: [1, 28, 28] })).toEqual(mnistCnnSpec(DATA));
  });

  test('the CNN’s defaults make a run of about a minute: Adadelta at lr 1.0 on 5,000 images', () => {
    expect(modelChoice('cnn').defaults).toEqual({
      optimizer: 'adadelta',
      lr: 1.0,
      epochs: 1,
      batchSize: 64,
      trainSubset: 5000,
      testSubset: 1000,
    });
  });
});
