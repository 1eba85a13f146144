import '@kindling/backend-cpu';
import '@kindling/autograd';
import { DataLoader, type MapDataset, TensorDataset } from '@kindling/data';
import { type Linear, type ModelSpec, NLLLoss, buildModel } from '@kindling/nn';
import { type Tensor, tensor, zeros } from '@kindling/tensor';
import { describe, expect, test } from 'vitest';
import { evaluate } from '../src/worker/evaluate.js';
import { firstLayerWeights, imagePixels, layerViews } from '../src/worker/inspect-model.js';
import type { LoadedModel } from '../src/worker/loaded-model.js';

const PIXELS = 784;
const CLASSES = Array.from({ length: 10 }, (_, i) => String(i));

/** A model from its description with the given weights (state-dict keys are the layer positions). */
function loaded(spec: ModelSpec, weights: Record<string, Tensor>): LoadedModel {
  const model = buildModel(spec);
  model.loadStateDict(weights, { strict: false });
  model.eval();
  return { model, spec, source: 'test model' };
}

/** 784-3-10: unit 0 averages the normalised pixels, unit 1 is its negative, unit 2 only has a bias of 0.25. */
function tinyMlp(): LoadedModel {
  const w = new Float32Array(3 * PIXELS);
  for (let p = 0; p < PIXELS; p++) {
    w[p] = 1 / PIXELS;
    w[PIXELS + p] = -1 / PIXELS;
  }
  const spec: ModelSpec = {
    type: 'sequential',
    layers: [{ type: 'Linear', args: [PIXELS, 3] }, { type: 'ReLU' }, { type: 'Linear', args: [3, 10] }, { type: 'LogSoftmax', args: [1] }],
    classes: CLASSES,
  };
  return loaded(spec, { '0.weight': tensor(w, { shape: [3, PIXELS] }), '0.bias': tensor([0, 0, 0.25]) });
}

/** conv 1→2 3×3 (filter 0 sums its window, filter 1 negates that), ReLU, max-pool 2, linear to 10 classes; no input normalisation. */
function tinyCnn(): LoadedModel {
  const filters = new Float32Array(18);
  filters.fill(1, 0, 9);
  filters.fill(-1, 9, 18);
  const spec: ModelSpec = {
    type: 'sequential',
    layers: [
      { type: 'Conv2d', args: [1, 2, 3] },
      { type: 'ReLU' },
      { type: 'MaxPool2d', args: [2] },
      { type: 'Flatten', args: [1, -1] },
      { type: 'Linear', args: [2 * 13 * 13, 10] },
      { type: 'LogSoftmax', args: [1] },
    ],
    classes: CLASSES,
    inputShape: [1, 28, 28],
    normalize: { mean: [0], std: [1] },
  };
  return loaded(spec, { '0.weight': tensor(filters, { shape: [2, 1, 3, 3] }), '0.bias': zeros([2]) });
}

describe('first-layer weights', () => {
  test('an MLP gives one 28×28 tile per hidden unit, its weights in pixel order', async () => {
    const m = tinyMlp();
    const w = await firstLayerWeights(m);
    expect(w).toMatchObject({ layer: 'linear 784→3', kind: 'linear', tiles: 3, tileWidth: 28, tileHeight: 28 });
    expect(w?.values.length).toBe(3 * PIXELS);
    expect(w?.values[5]).toBeCloseTo(1 / PIXELS, 7);
    expect(w?.values[PIXELS + 783]).toBeCloseTo(-1 / PIXELS, 7);
    expect(w?.values[2 * PIXELS + 100]).toBe(0);
    // Reading the weights leaves the model's own tensors alive: a second read and a forward pass still work.
    expect((m.model.at<Linear>(0).weight as Tensor).isDisposed).toBe(false);
    expect(Array.from((await firstLayerWeights(m))?.values ?? [])).toEqual(Array.from(w?.values ?? []));
    expect(await layerViews(m, new Float32Array(PIXELS))).toHaveLength(1);
  });

  test('a CNN gives one 3×3 tile per filter of the first convolution', async () => {
    const w = await firstLayerWeights(tinyCnn());
    expect(w).toMatchObject({ layer: 'conv 1→2 3×3', kind: 'conv', tiles: 2, tileWidth: 3, tileHeight: 3 });
    expect(Array.from(w?.values ?? [])).toEqual([...new Array(9).fill(1), ...new Array(9).fill(-1)]);
  });
});

describe('what each layer sees', () => {
  test('an MLP: the hidden layer after its ReLU, not the output layer', async () => {
    const views = await layerViews(tinyMlp(), new Float32Array(PIXELS).fill(1));
    expect(views.map((v) => [v.layer, v.shape])).toEqual([['linear 784→3, ReLU', [3]]]);
    // All-white pixels normalise to 1: the mean is 1, its negative is cut by the ReLU, the third unit keeps its bias.
    const [a, b, c] = views[0].values;
    expect([a, b, c].map((v) => Number(v.toFixed(5)))).toEqual([1, 0, 0.25]);
  });

  test('a CNN: feature maps after conv + ReLU and after pooling', async () => {
    const pixels = new Float32Array(PIXELS);
    pixels[5 * 28 + 5] = 1; // one white pixel at row 5, column 5
    const views = await layerViews(tinyCnn(), pixels);
    expect(views.map((v) => [v.layer, v.shape])).toEqual([
      ['conv 1→2 3×3, ReLU', [2, 26, 26]],
      ['max-pool 2×2', [2, 13, 13]],
    ]);
    const [conv, pool] = views;
    // Filter 0 sees the pixel from the 3×3 windows at rows and columns 3..5; filter 1 is all negative, cut by the ReLU.
    const ones = (values: Float32Array, from: number, to: number) =>
      Array.from(values.subarray(from, to)).flatMap((v, i) => (v === 0 ? [] : [[i, v]]));
    expect(ones(conv.values, 0, 676)).toEqual([3, 4, 5].flatMap((r) => [3, 4, 5].map((c) => [r * 26 + c, 1])));
    expect(ones(conv.values, 676, 1352)).toEqual([]);
    expect(ones(pool.values, 0, 169)).toEqual([1, 2].flatMap((r) => [1, 2].map((c) => [r * 13 + c, 1])));
  });

  test('refuses an image of the wrong size', async () => {
    await expect(layerViews(tinyMlp(), new Float32Array(10))).rejects.toThrow(/expected 784 values/);
  });
});

describe('test images and mistakes', () => {
  test('imagePixels picks images by index', async () => {
    const bytes = new Uint8Array(3 * PIXELS);
    for (let i = 0; i < 3; i++) bytes.fill(i + 1, i * PIXELS, (i + 1) * PIXELS);
    const images = tensor(bytes, { shape: [3, 28, 28] });
    const picked = await imagePixels(images, [2, 0]);
    expect(picked.length).toBe(2 * PIXELS);
    expect([picked[0], picked[PIXELS - 1], picked[PIXELS], picked[2 * PIXELS - 1]]).toEqual([3, 3, 1, 1]);
    await expect(imagePixels(images, [3])).rejects.toThrow(/outside the 3 images/);
  });

  test('evaluate lists every wrong prediction with its test-set index, across batches', async () => {
    // Pixel k votes for class k, so an image whose pixel k is 5 is predicted as k.
    const w = new Float32Array(10 * PIXELS);
    for (let k = 0; k < 10; k++) w[k * PIXELS + k] = 1;
    const spec: ModelSpec = {
      type: 'sequential',
      layers: [
        { type: 'Linear', args: [PIXELS, 10] },
        { type: 'LogSoftmax', args: [1] },
      ],
      classes: CLASSES,
    };
    const { model } = loaded(spec, { '0.weight': tensor(w, { shape: [10, PIXELS] }), '0.bias': zeros([10]) });
    const votes = [3, 1, 4, 1, 5];
    const labels = [3, 7, 4, 2, 5];
    const images = new Float32Array(votes.length * PIXELS);
    votes.forEach((k, i) => {
      images[i * PIXELS + k] = 5;
    });
    const dataset = new TensorDataset(tensor(images, { shape: [votes.length, PIXELS] }), tensor(Int32Array.from(labels)));
    const loader = new DataLoader<[Tensor, Tensor], [Tensor, Tensor]>(dataset as unknown as MapDataset<[Tensor, Tensor]>, { batchSize: 2 });
    const result = await evaluate(
      model,
      loader,
      new NLLLoss(),
      { classes: 10, inputShape: [PIXELS], logSoftmax: true },
      zeros([1, PIXELS]),
    );
    expect(result.mistakes).toMatchObject({ indices: [1, 3], labels: [7, 2], predicted: [1, 1] });
    const p = Math.exp(5) / (Math.exp(5) + 9);
    for (const c of result.mistakes.confidence) expect(c).toBeCloseTo(p, 5);
    const offDiagonal = result.confusion.flatMap((row, r) => row.filter((_, c) => c !== r)).reduce((a, b) => a + b, 0);
    expect(offDiagonal).toBe(result.mistakes.indices.length);
    expect(result.accuracy).toBeCloseTo(3 / 5, 6);
  });
});
