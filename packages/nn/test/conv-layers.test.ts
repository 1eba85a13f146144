import '@kindling/autograd';
import '@kindling/backend-cpu';
import { type Tensor, convTranspose2d, manualSeed, ones, randn } from '@kindling/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  Dropout2d,
  Flatten,
  MaxPool2d,
  type Module,
  Unflatten,
} from '../src/index.js';
import { cnnFixture, fillPattern, image, maxAbsDiff, pattern, stateKeys, torchStateKeys } from './fixture.js';

beforeEach(() => manualSeed(0));

interface LayerCase {
  repr: string;
  stateDict: [string, number[], string][];
  inputShape: number[];
  outputShape: number[];
  output: number[];
  inputGrad: number[];
  paramGrads: Record<string, number[]>;
}

/** Each fixture case, built with Kindling's arguments (the generator's PyTorch call in the comment). */
const layers: Record<string, () => Module> = {
  // nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2, bias=False)
  'conv2d-strided-grouped': () => new Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2, bias: false }),
  'conv2d-same-reflect': () => new Conv2d(2, 3, [3, 4], { padding: 'same', paddingMode: 'reflect' }),
  'conv2d-replicate': () => new Conv2d(2, 3, 3, { padding: [2, 1], paddingMode: 'replicate' }),
  'conv2d-depthwise': () => new Conv2d(3, 3, 3, { padding: 1, groups: 3 }),
  conv1d: () => new Conv1d(3, 4, 3, { stride: 2, padding: 1 }),
  'conv1d-same-reflect': () => new Conv1d(2, 2, 4, { padding: 'same', paddingMode: 'reflect' }),
  convTranspose2d: () => new ConvTranspose2d(4, 2, [3, 2], { stride: 2, padding: 1, outputPadding: 1 }),
  'convTranspose2d-grouped': () => new ConvTranspose2d(4, 6, 3, { stride: [1, 2], groups: 2, dilation: [2, 1], bias: false }),
  maxPool2d: () => new MaxPool2d([3, 2], { stride: [2, 1], padding: 1, dilation: [1, 2], ceilMode: true }),
  avgPool2d: () => new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
  'avgPool2d-divisor': () => new AvgPool2d([2, 3], { divisorOverride: 4 }),
  adaptiveAvgPool2d: () => new AdaptiveAvgPool2d([3, null]),
  unflatten: () => new Unflatten(1, [2, 3]),
};

describe('convolution and pooling layers match PyTorch 1.13', () => {
  for (const [name, make] of Object.entries(layers)) {
    it(`${name}: repr, state-dict keys, forward and gradients`, () => {
      const expected = cnnFixture.conv[name] as LayerCase;
      const layer = make();
      fillPattern(layer);
      expect(layer.toString()).toBe(expected.repr);
      expect(stateKeys(layer)).toEqual(torchStateKeys(expected.stateDict));
      const x = image(expected.inputShape).requiresGrad_();
      const y = layer.forward(x);
      expect(y.shape).toEqual(expected.outputShape);
      expect(maxAbsDiff(y.readSync(), expected.output)).toBeLessThan(1e-5);
      y.mul(pattern(y.numel(), 2, 1, [...y.shape]))
        .sum()
        .backward();
      expect(maxAbsDiff((x.grad as Tensor).readSync(), expected.inputGrad)).toBeLessThan(1e-5);
      for (const [pname, p] of layer.namedParameters()) {
        expect(maxAbsDiff((p.grad as Tensor).readSync(), expected.paramGrads[pname]), pname).toBeLessThan(1e-4);
      }
    });
  }

  it("prints PyTorch's reprs", () => {
    const made = [
      new Conv2d(1, 32, 3),
      new Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2, bias: false }),
      new Conv2d(2, 3, 3, { padding: 'same', paddingMode: 'reflect' }),
      new Conv2d(2, 3, 3, { padding: 'valid' }),
      new Conv1d(2, 4, 3),
      new ConvTranspose2d(4, 2, [3, 2], { stride: 2, outputPadding: 1 }),
      new MaxPool2d(2),
      new MaxPool2d([2, 3], { stride: 1, ceilMode: true }),
      new AvgPool2d(2),
      new AvgPool2d(3, { stride: 2, padding: 1 }),
      new AdaptiveAvgPool2d([null, 3]),
      new AdaptiveAvgPool2d(1),
      new BatchNorm2d(32),
      new BatchNorm1d(3, { eps: 1e-3, momentum: null }),
      new BatchNorm2d(3, { affine: false, trackRunningStats: false }),
      new Flatten(),
      new Flatten(0, 2),
      new Unflatten(1, [2, 5]),
      new Dropout2d(),
      new Dropout2d(0.25),
    ];
    expect(made.map(String)).toEqual(cnnFixture.reprs);
  });
});

describe('convolution layers: initialisation and arguments', () => {
  it('initialises like PyTorch: weight in ±1/√fan_in (kaiming-uniform, a=√5), bias in ±1/√fan_in', () => {
    // fan_in = inChannels/groups · kh · kw = 2 · 3 · 5 = 30 for the weight [8, 2, 3, 5].
    const conv = new Conv2d(4, 8, [3, 5], { groups: 2 });
    expect(conv.weight.shape).toEqual([8, 2, 3, 5]);
    const bound = 1 / Math.sqrt(30);
    for (const t of [conv.weight, conv.bias as Tensor]) {
      const v = t.readSync();
      expect(Math.max(...v)).toBeLessThanOrEqual(bound);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-bound);
    }
    expect(Math.max(...conv.weight.readSync())).toBeGreaterThan(0.9 * bound);
    // ConvTranspose2d's weight is [in, out/groups, kh, kw]: fan_in = out/groups · kh · kw = 3 · 2 · 2 = 12.
    const up = new ConvTranspose2d(4, 6, 2, { groups: 2 });
    expect(up.weight.shape).toEqual([4, 3, 2, 2]);
    expect(Math.max(...up.weight.readSync().map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(12));
  });

  it('registers weight and bias with PyTorch keys, and no bias with bias: false', () => {
    expect(Object.keys(new Conv2d(1, 2, 3).stateDict())).toEqual(['weight', 'bias']);
    expect(Object.keys(new Conv1d(1, 2, 3, { bias: false }).stateDict())).toEqual(['weight']);
    expect(new Conv2d(1, 2, 3, { dtype: 'float64' }).weight.dtype).toBe('float64');
  });

  it('computes the output sizes of the MNIST net and accepts unbatched images', () => {
    const conv = new Conv2d(1, 32, 3);
    expect(conv.forward(randn(2, 1, 28, 28)).shape).toEqual([2, 32, 26, 26]);
    expect(conv.forward(randn(1, 28, 28)).shape).toEqual([32, 26, 26]);
    expect(new Conv2d(3, 4, 5, { padding: 'same' }).forward(randn(1, 3, 9, 7)).shape).toEqual([1, 4, 9, 7]);
    expect(new MaxPool2d(2).forward(randn(2, 64, 24, 24)).shape).toEqual([2, 64, 12, 12]);
  });

  it('refuses what PyTorch refuses, naming the layer and the argument', () => {
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow('Conv2d: inChannels (3) must be divisible by groups (2)');
    expect(() => new Conv2d(4, 3, 3, { groups: 2 })).toThrow('Conv2d: outChannels (3) must be divisible by groups (2)');
    expect(() => new Conv2d(4, 4, 3, { groups: 0 })).toThrow('Conv2d: groups must be a positive integer, got 0');
    expect(() => new Conv2d(1, 2, 0)).toThrow('Conv2d: kernelSize must be an integer ≥ 1 or 2 of them, got 0');
    expect(() => new Conv2d(1, 2, [3, 3, 3] as unknown as [number, number])).toThrow(/kernelSize must be/);
    expect(() => new Conv2d(1.5, 2, 3)).toThrow('Conv2d: inChannels must be an integer ≥ 1, got 1.5');
    expect(() => new Conv2d(1, 2, 3, { padding: 'same', stride: 2 })).toThrow(
      "Conv2d: padding='same' is not supported for strided convolutions",
    );
    expect(() => new Conv2d(1, 2, 3, { padding: 'full' as 'same' })).toThrow(`Conv2d: invalid padding string "full"`);
    expect(() => new Conv2d(1, 2, 3, { paddingMode: 'circular' as 'zeros' })).toThrow(
      `Conv2d: paddingMode must be one of 'zeros', 'reflect', 'replicate', got "circular"`,
    );
    expect(() => new Conv1d(1, 2, 3, { stride: 0 })).toThrow('Conv1d: stride must be an integer ≥ 1, got 0');
    expect(() => new ConvTranspose2d(1, 2, 3, { padding: 'same' as unknown as number })).toThrow(
      `ConvTranspose2d: padding must be a size, not "same"`,
    );
  });

  it('a wrong channel count fails at forward, naming both shapes (from the op)', () => {
    expect(() => new Conv2d(3, 4, 3).forward(randn(2, 1, 8, 8))).toThrow(
      'conv2d: given groups=1, weight of size [4,3,3,3] expects input [2,1,8,8] to have 3 channels, but got 1 channels',
    );
  });
});

describe('ConvTranspose2d.forwardWithOutputSize (PyTorch forward(input, output_size))', () => {
  it('picks the output padding that gives the requested size, and refuses sizes the stride cannot reach', async () => {
    manualSeed(3);
    const layer = new ConvTranspose2d(4, 2, 3, { stride: 2, padding: 1 });
    const x = randn(1, 4, 5, 5);
    expect(layer.forward(x).shape).toEqual([1, 2, 9, 9]);
    const grown = layer.forwardWithOutputSize(x, [1, 2, 10, 10]);
    const padded = convTranspose2d(x, layer.weight, layer.bias, { stride: 2, padding: 1, outputPadding: 1 });
    expect(grown.shape).toEqual([1, 2, 10, 10]);
    expect(maxAbsDiff(await grown.read(), await padded.read())).toBe(0);
    expect(layer.forwardWithOutputSize(x, [9, 10]).shape).toEqual([1, 2, 9, 10]);
    // PyTorch: "requested an output size of [12, 12], but valid sizes range from [9, 9] to [10, 10] (for an input of torch.Size([5, 5]))"
    expect(() => layer.forwardWithOutputSize(x, [12, 12])).toThrow(
      'ConvTranspose2d: requested an output size of [12, 12], but valid sizes range from [9, 9] to [10, 10] (for an input of [5, 5])',
    );
    expect(() => layer.forwardWithOutputSize(x, [10])).toThrow(/outputSize must end in \[H, W\]/);
  });
});

describe('pooling layers', () => {
  it('MaxPool2d defaults its stride to the kernel; returnIndices goes through forwardWithIndices', () => {
    const pool = new MaxPool2d(2, { returnIndices: true });
    expect(pool.stride).toBe(2);
    const x = image([1, 1, 4, 4]);
    expect(() => pool.forward(x)).toThrow('MaxPool2d: returnIndices is set; call forwardWithIndices(x), which returns [values, indices]');
    const [values, indices] = pool.forwardWithIndices(x);
    expect(values.shape).toEqual([1, 1, 2, 2]);
    expect(indices.dtype).toBe('int32');
    const flat = x.readSync();
    indices.readSync().forEach((idx, i) => {
      expect(flat[idx]).toBe(values.readSync()[i]);
    });
  });

  it('AdaptiveAvgPool2d(1) is the global mean of each plane', () => {
    const x = image([2, 3, 5, 4]);
    const got = new AdaptiveAvgPool2d(1).forward(x);
    expect(got.shape).toEqual([2, 3, 1, 1]);
    expect(maxAbsDiff(got.flatten().readSync(), x.mean([2, 3]).flatten().readSync())).toBeLessThan(1e-6);
  });

  it('checks its arguments at construction', () => {
    expect(() => new MaxPool2d(0)).toThrow('MaxPool2d: kernelSize must be an integer ≥ 1 or 2 of them, got 0');
    expect(() => new AvgPool2d(2, { padding: -1 })).toThrow('AvgPool2d: padding must be an integer ≥ 0 or 2 of them, got -1');
    expect(() => new AvgPool2d(2, { divisorOverride: 0 })).toThrow('AvgPool2d: divisorOverride must be an integer ≥ 1, got 0');
    expect(() => new AdaptiveAvgPool2d(0)).toThrow(/AdaptiveAvgPool2d: outputSize must be an integer ≥ 1 or a pair of them/);
  });
});

describe('Flatten, Unflatten, Dropout2d', () => {
  it('Flatten keeps the batch dim; Unflatten undoes it, inferring a -1', () => {
    const x = ones(2, 64, 12, 12);
    const flat = new Flatten().forward(x);
    expect(flat.shape).toEqual([2, 9216]);
    expect(new Unflatten(1, [64, -1, 12]).forward(flat).shape).toEqual([2, 64, 12, 12]);
    expect(() => new Unflatten(1, [])).toThrow('Unflatten: unflattenedSize must be a non-empty list of sizes (at most one -1), got []');
    expect(() => new Flatten(0.5)).toThrow('Flatten: startDim must be an integer, got 0.5');
  });

  it('Dropout2d zeroes whole channels, scales the kept ones by 1/(1-p), and is the identity in eval()', () => {
    const drop = new Dropout2d(0.4);
    const x = ones(8, 16, 3, 5);
    const y = drop.forward(x);
    const v = y.readSync();
    let kept = 0;
    for (let plane = 0; plane < 8 * 16; plane++) {
      const values = new Set(Array.from(v.subarray(plane * 15, plane * 15 + 15)));
      expect(values.size).toBe(1);
      const [only] = values;
      expect([0, 1 / 0.6].some((w) => Math.abs(only - w) < 1e-6)).toBe(true);
      if (only !== 0) kept++;
    }
    expect(kept).toBeGreaterThan(0.4 * 128);
    expect(kept).toBeLessThan(0.8 * 128);
    drop.eval();
    expect(drop.forward(x)).toBe(x);
    expect(() => new Dropout2d(1.5)).toThrow('Dropout2d: probability has to be between 0 and 1, but got 1.5');
  });
});
