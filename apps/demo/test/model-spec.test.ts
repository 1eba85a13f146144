import '@kindling/backend-cpu';
import '@kindling/autograd';
import { save } from '@kindling/checkpoint';
import { type MlpSpec, buildMlp, mlpSpecMetadata } from '@kindling/nn';
import { defaultGenerator, manualSeed, tensor } from '@kindling/tensor';
import { describe, expect, test } from 'vitest';
import { checkpointFilename } from '../src/client/checkpoint-actions.js';
import { mnistCnnSpec } from '../src/model/model-choices.js';
import {
  type ModelSpec,
  buildModel,
  describeLayers,
  imageInputShape,
  layerName,
  mlpToModelSpec,
  modelKind,
  modelSpecFromMetadata,
  modelSpecMetadata,
  outputsLogProbabilities,
} from '../src/model/model-spec.js';
import { modelFromCheckpoint, modelInfo } from '../src/worker/loaded-model.js';
import { ModelSlots } from '../src/worker/model-slots.js';

const DIGITS = Array.from({ length: 10 }, (_, i) => String(i));

const MLP: MlpSpec = {
  type: 'mlp',
  inputSize: 784,
  outputSize: 10,
  hidden: [128, 64],
  dropout: 0.2,
  logSoftmax: true,
  dataset: 'mnist',
  classes: DIGITS,
};

const CNN = mnistCnnSpec({ dataset: 'mnist', classes: DIGITS });

describe('model descriptions (compatible with kindling-train checkpoints)', () => {
  test('metadata round-trips', () => {
    for (const spec of [mlpToModelSpec(MLP), CNN]) expect(modelSpecFromMetadata(modelSpecMetadata(spec), 'x')).toEqual(spec);
  });

  test('old MLP checkpoint metadata still loads, with the same state-dict keys', () => {
    const spec = modelSpecFromMetadata(mlpSpecMetadata(MLP), 'old.safetensors');
    expect(spec).toEqual(mlpToModelSpec(MLP));
    // Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear, LogSoftmax
    const keys = ['0.weight', '0.bias', '3.weight', '3.bias', '6.weight', '6.bias'];
    expect(Object.keys(buildModel(spec).stateDict())).toEqual(keys);
    expect(Object.keys(buildMlp(MLP).stateDict())).toEqual(keys);
  });

  test('bad metadata is reported with the file name', () => {
    expect(() => modelSpecFromMetadata({}, 'a.safetensors')).toThrow(/a\.safetensors: no "kindling\.model" metadata/);
    expect(() => modelSpecFromMetadata({ 'kindling.model': '{' }, 'b')).toThrow(/not valid JSON/);
    expect(() => modelSpecFromMetadata({ 'kindling.model': '{"type":"cnn"}' }, 'c')).toThrow(/^c: "kindling\.model"/);
  });

  test('an MLP is described by its widths, a CNN by its layers', () => {
    const mlp = mlpToModelSpec(MLP);
    expect([modelKind(mlp), describeLayers(mlp)]).toEqual(['MLP', '784-128-64-10']);
    expect([modelKind(CNN), describeLayers(CNN)]).toEqual(['CNN', 'conv 1→32 3×3, conv 32→64 3×3, max-pool 2×2, linear 9216-128-10']);
    const other: ModelSpec = {
      type: 'sequential',
      layers: [
        { type: 'Flatten' },
        { type: 'Linear', args: [784, 32] },
        { type: 'BatchNorm1d', args: [32] },
        { type: 'Linear', args: [32, 10] },
      ],
    };
    expect([modelKind(other), describeLayers(other)]).toEqual(['Network', 'linear 784-32, batch-norm, linear 32-10']);
  });

  test('one layer in a few words, as the layer views and weight tiles name them', () => {
    expect(CNN.layers.map(layerName)).toEqual([
      'conv 1→32 3×3',
      'ReLU',
      'conv 32→64 3×3',
      'ReLU',
      'max-pool 2×2',
      'Dropout',
      'Flatten',
      'linear 9216→128',
      'ReLU',
      'Dropout',
      'linear 128→10',
      'LogSoftmax',
    ]);
    expect(layerName({ type: 'AvgPool2d', args: [[2, 3]] })).toBe('avg-pool 2×3');
  });

  test('images go flat to an MLP and as [1, 28, 28] to a CNN; other inputs are refused', () => {
    expect(imageInputShape(mlpToModelSpec(MLP))).toEqual([784]);
    expect(imageInputShape(CNN)).toEqual([1, 28, 28]);
    // Without an input shape, the first layer decides.
    expect(imageInputShape({ ...CNN, inputShape: undefined })).toEqual([1, 28, 28]);
    expect(imageInputShape({ type: 'sequential', layers: [{ type: 'Linear', args: [784, 10] }] })).toEqual([784]);
    const cifar: ModelSpec = { ...CNN, layers: [{ type: 'Conv2d', args: [3, 6, 5] }], inputShape: [3, 32, 32] };
    expect(() => imageInputShape(cifar, 'cifar.safetensors')).toThrow(
      'cifar.safetensors: the model takes inputs of shape [3, 32, 32]; the demo has 28×28 grayscale images ([784] or [1, 28, 28])',
    );
    expect(() => imageInputShape({ type: 'sequential', layers: [{ type: 'Linear', args: [100, 10] }] })).toThrow(/\[100\]/);
  });

  test('LogSoftmax at the end means log-probabilities', () => {
    expect(outputsLogProbabilities(CNN)).toBe(true);
    expect(outputsLogProbabilities(mlpToModelSpec({ ...MLP, logSoftmax: false }))).toBe(false);
  });

  test('checkpoint file names say what the model is', () => {
    expect(checkpointFilename({ dataset: 'mnist', modelKind: 'MLP', layers: '784-128-64-10' })).toBe(
      'kindling-mnist-784-128-64-10.safetensors',
    );
    expect(checkpointFilename({ dataset: 'fashion-mnist', modelKind: 'CNN', layers: describeLayers(CNN) })).toBe(
      'kindling-fashion-mnist-cnn.safetensors',
    );
  });
});

describe('CNN checkpoints in the worker', () => {
  test('a CNN checkpoint loads, describes itself and predicts from a 28×28 image', async () => {
    manualSeed(0);
    const model = buildModel(CNN);
    const bytes = await save(model.stateDict(), { metadata: { ...modelSpecMetadata(CNN), test_accuracy: '0.99' } });
    const before = defaultGenerator.getState();
    const loaded = modelFromCheckpoint(bytes, 'cnn.safetensors', 'cpu');
    // Loading leaves the random stream alone, so a run training meanwhile draws the same dropout masks.
    expect(defaultGenerator.getState()).toEqual(before);
    expect(loaded.accuracy).toBe(0.99);
    expect(loaded.model.training).toBe(false);
    const info = modelInfo('uploaded', loaded);
    expect(info).toMatchObject({ modelKind: 'CNN', dataset: 'mnist', parameters: 1_199_882, classes: DIGITS });
    const slots = new ModelSlots();
    slots.set('uploaded', loaded);
    const pixels = new Float32Array(784);
    for (let i = 0; i < 784; i += 3) pixels[i] = 1;
    const { classes, probabilities } = await slots.predict('uploaded', pixels);
    expect(classes).toEqual(DIGITS);
    expect(probabilities).toHaveLength(10);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    // The same image through the original model gives the same answer.
    const again = await slots.predict('uploaded', pixels);
    expect(again.probabilities).toEqual(probabilities);
    await expect(slots.predict('uploaded', new Float32Array(100))).rejects.toThrow('expected 784 values (28×28), got 100');
  });

  test("predictions normalise the drawing by the checkpoint's own Normalize (0.5 when it does not say)", async () => {
    // Flatten + Linear with one weight on pixel 0: the logit of class 1 is the normalised pixel itself.
    const linear: ModelSpec = {
      type: 'sequential',
      layers: [{ type: 'Flatten' }, { type: 'Linear', args: [784, 2], options: { bias: false } }],
      inputShape: [1, 28, 28],
      classes: ['zero', 'one'],
    };
    const model = buildModel(linear);
    const weight = new Float32Array(2 * 784);
    weight[784] = 1;
    model.loadStateDict({ '1.weight': tensor(weight, { shape: [2, 784] }) });
    const pixels = new Float32Array(784);
    pixels[0] = 1;
    const logitOfOne = async (spec: ModelSpec) => {
      const slots = new ModelSlots();
      slots.set('uploaded', { model, spec, source: 'linear' });
      const [p0, p1] = (await slots.predict('uploaded', pixels)).probabilities;
      return Math.log(p1 / p0);
    };
    expect(await logitOfOne(linear)).toBeCloseTo((1 - 0.5) / 0.5, 5);
    expect(await logitOfOne({ ...linear, normalize: { mean: [0.1307], std: [0.3081] } })).toBeCloseTo((1 - 0.1307) / 0.3081, 4);
  });

  test('a checkpoint for other images is refused when loaded', async () => {
    const spec: ModelSpec = { type: 'sequential', layers: [{ type: 'Conv2d', args: [3, 6, 5] }], inputShape: [3, 32, 32] };
    const bytes = await save(buildModel(spec).stateDict(), { metadata: modelSpecMetadata(spec) });
    expect(() => modelFromCheckpoint(bytes, 'cifar.safetensors', 'cpu')).toThrow(
      /^cifar\.safetensors: the model takes inputs of shape \[3, 32, 32\]/,
    );
  });
});
