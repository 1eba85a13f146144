import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as kd from '../src/index.js';

/*
 * A PyTorch CNN checkpoint loads into the model Kindling builds from the same
 * layers and gives PyTorch's outputs; the model survives a safetensors round
 * trip; the mnist-cnn layers have PyTorch's examples/mnist state-dict keys.
 * Fixtures: tools/fixtures/gen_pth_cnn.py (PyTorch 1.13).
 */

const { nn, checkpoint } = kd;
const data = (name: string) => new URL(`../../../tools/fixtures/data/${name}`, import.meta.url);

interface Expected {
  input: { shape: number[]; values: number[] };
  output: { shape: number[]; values: number[] };
  keys: Record<string, { shape: number[]; dtype: string }>;
  mnistNet: Record<string, number[]>;
}
const expected: Expected = JSON.parse(readFileSync(data('pth-cnn.json'), 'utf8'));
const pthBytes = new Uint8Array(readFileSync(data('pth-cnn.pth')));

/** The generator's `nn.Sequential(Conv2d(2, 3, 3, padding=1), BatchNorm2d(3), ReLU(), MaxPool2d(2), Flatten(), Linear(12, 4))`. */
const CNN_SPEC: kd.nn.ModelSpec = {
  type: 'sequential',
  layers: [
    { type: 'Conv2d', args: [2, 3, 3], options: { padding: 1 } },
    { type: 'BatchNorm2d', args: [3] },
    { type: 'ReLU' },
    { type: 'MaxPool2d', args: [2] },
    { type: 'Flatten' },
    { type: 'Linear', args: [12, 4] },
  ],
  inputShape: [2, 4, 4],
};

const input = () => kd.tensor(expected.input.values).reshape(expected.input.shape);

/** The model's evaluation-mode output for the generator's input. */
async function evalOutput(model: kd.nn.Sequential): Promise<number[]> {
  model.eval();
  const out = kd.noGrad(() => model.forward(input()));
  expect(out.shape).toEqual(expected.output.shape);
  return Array.from((await out.read()) as Float32Array);
}

function loadPthModel(): kd.nn.Sequential {
  const { tensors, skipped } = checkpoint.loadPth(pthBytes, 'pth-cnn.pth');
  expect(skipped).toEqual([]);
  const model = nn.buildModel(CNN_SPEC);
  model.loadStateDict(checkpoint.fromHostStateDict(tensors));
  return model;
}

describe('a PyTorch CNN checkpoint (Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear)', () => {
  it('has the state-dict keys and shapes of the model built from the same layers', () => {
    const { tensors } = checkpoint.loadPth(pthBytes, 'pth-cnn.pth');
    const own = nn.buildModel(CNN_SPEC).stateDict();
    // PyTorch's order too: each layer's parameters, then its buffers.
    const keys = Object.keys(expected.keys);
    expect(Object.keys(tensors)).toEqual(keys);
    expect(Object.keys(own)).toEqual(keys);
    for (const [key, { shape }] of Object.entries(expected.keys)) {
      expect(tensors[key].shape, key).toEqual(shape);
      expect(own[key].shape, key).toEqual(shape);
    }
    // PyTorch's int64 counter arrives as Kindling's integer type, with its value.
    expect(tensors['1.num_batches_tracked'].dtype).toBe('int32');
    expect(Array.from(tensors['1.num_batches_tracked'].data as Int32Array)).toEqual([2]);
  });

  it("loads with loadPth into buildModel's Sequential and gives PyTorch's evaluation-mode output (running statistics)", async () => {
    const model = loadPthModel();
    const bn = model.at<kd.nn.BatchNorm2d>(1);
    expect(await (bn.numBatchesTracked as kd.Tensor).item()).toBe(2);
    const got = await evalOutput(model);
    got.forEach((v, i) => {
      expect(Math.abs(v - expected.output.values[i]), `output[${i}]`).toBeLessThan(1e-5);
    });
  });

  it('survives a safetensors round trip with its model description: rebuilt from the file alone, the same outputs', async () => {
    const model = loadPthModel();
    const before = await evalOutput(model);
    const bytes = await checkpoint.save(model.stateDict(), {
      metadata: nn.modelSpecMetadata(nn.modelSpecOf(model, { inputShape: [2, 4, 4] })),
    });
    const { stateDict, metadata } = checkpoint.load(bytes);
    const spec = nn.modelSpecFromMetadata(metadata, 'cnn.safetensors');
    expect(spec.layers.map((l) => l.type)).toEqual(CNN_SPEC.layers.map((l) => l.type));
    const rebuilt = nn.buildModel(spec);
    rebuilt.loadStateDict(stateDict);
    expect(await evalOutput(rebuilt)).toEqual(before);
    expect(await (stateDict['1.num_batches_tracked'] as kd.Tensor).item()).toBe(2);
  });
});

describe('mnist-cnn (PyTorch examples/mnist Net) as a named Sequential', () => {
  // The layers of the trainer's mnist-cnn preset, named like the attributes of examples/mnist's Net.
  const MNIST_CNN: kd.nn.ModelSpec = {
    type: 'sequential',
    layers: [
      { name: 'conv1', type: 'Conv2d', args: [1, 32, 3] },
      { name: 'relu1', type: 'ReLU' },
      { name: 'conv2', type: 'Conv2d', args: [32, 64, 3] },
      { name: 'relu2', type: 'ReLU' },
      { name: 'pool', type: 'MaxPool2d', args: [2] },
      { name: 'dropout1', type: 'Dropout', args: [0.25] },
      { name: 'flatten', type: 'Flatten' },
      { name: 'fc1', type: 'Linear', args: [9216, 128] },
      { name: 'relu3', type: 'ReLU' },
      { name: 'dropout2', type: 'Dropout', args: [0.5] },
      { name: 'fc2', type: 'Linear', args: [128, 10] },
      { name: 'logSoftmax', type: 'LogSoftmax', args: [1] },
    ],
    dataset: 'mnist',
    inputShape: [1, 28, 28],
  };

  it("has exactly Net's state-dict keys and shapes, so the example's checkpoints load", () => {
    const own = nn.buildModel(MNIST_CNN).stateDict();
    expect(Object.fromEntries(Object.entries(own).map(([k, t]) => [k, t.shape]))).toEqual(expected.mnistNet);
    expect(Object.keys(own)).toEqual(Object.keys(expected.mnistNet));
  });

  it('keeps the names through its description and classifies a 28×28 batch', () => {
    const model = nn.buildModel(MNIST_CNN);
    const described = nn.modelSpecOf(model, { dataset: 'mnist', inputShape: [1, 28, 28] });
    expect(described.layers.map((l) => l.name)).toEqual(MNIST_CNN.layers.map((l) => l.name));
    expect(Object.keys(nn.buildModel(described).stateDict())).toEqual(Object.keys(expected.mnistNet));
    model.eval();
    const out = kd.noGrad(() => model.forward(kd.zeros([2, 1, 28, 28])));
    expect(out.shape).toEqual([2, 10]);
  });
});
