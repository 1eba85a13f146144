import '@kindling/autograd';
import '@kindling/backend-cpu';
import { type Tensor, manualSeed, ones, tensor, zeros } from '@kindling/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { Conv2d, F, MaxPool2d } from '../src/index.js';
import { image, maxAbsDiff } from './fixture.js';

beforeEach(() => manualSeed(0));

describe('F: the functional forms of the convolutional layers', () => {
  it('has every function the issue names', () => {
    const names = [
      'conv1d',
      'conv2d',
      'convTranspose2d',
      'maxPool2d',
      'avgPool2d',
      'adaptiveAvgPool2d',
      'batchNorm',
      'pad',
      'interpolate',
      'unfold',
      'fold',
      'dropout2d',
      'flatten',
    ];
    for (const name of names) expect(typeof (F as Record<string, unknown>)[name], name).toBe('function');
  });

  it("F.conv2d with a layer's weight and bias is the layer", () => {
    const conv = new Conv2d(2, 3, [3, 2], { stride: 2, padding: 1 });
    const x = image([2, 2, 7, 6]);
    const viaF = F.conv2d(x, conv.weight, conv.bias, { stride: 2, padding: 1 });
    expect(maxAbsDiff(viaF.readSync(), conv.forward(x).readSync())).toBe(0);
  });

  it('F.maxPool2d returns [values, indices] with returnIndices, as MaxPool2d.forwardWithIndices', () => {
    const x = image([1, 2, 5, 4]);
    const values = F.maxPool2d(x, 2, { stride: 1 });
    const [withIdx, indices] = F.maxPool2d(x, 2, { stride: 1, returnIndices: true });
    expect(Array.from(withIdx.readSync())).toEqual(Array.from(values.readSync()));
    const [layerValues, layerIndices] = new MaxPool2d(2, { stride: 1 }).forwardWithIndices(x);
    expect(Array.from(indices.readSync())).toEqual(Array.from(layerIndices.readSync()));
    expect(Array.from(layerValues.readSync())).toEqual(Array.from(values.readSync()));
  });

  it('F.batchNorm uses the running statistics unless training, as PyTorch’s training=False default', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 6],
      ],
      { dtype: 'float32' },
    );
    const mean = zeros(2);
    const variance = ones(2);
    expect(maxAbsDiff(F.batchNorm(x, mean, variance, { eps: 0 }).readSync(), [1, 2, 3, 6])).toBe(0);
    const trained = F.batchNorm(x, mean, variance, { training: true, eps: 0, momentum: 0.5 });
    expect(maxAbsDiff(trained.readSync(), [-1, -1, 1, 1])).toBeLessThan(1e-6);
    // Running mean moves halfway to the batch mean [2, 4]; the variance to the unbiased [2, 8].
    expect(maxAbsDiff(mean.readSync(), [1, 2])).toBeLessThan(1e-6);
    expect(maxAbsDiff(variance.readSync(), [1.5, 4.5])).toBeLessThan(1e-6);
  });

  it('F.dropout2d zeroes whole channels, reads 3-D input as [N, C, L] like PyTorch 1.13, and is the identity unless training', () => {
    const x = ones(4, 6, 5);
    const y = F.dropout2d(x, 0.5);
    const v = y.readSync();
    for (let row = 0; row < 24; row++) expect(new Set(Array.from(v.subarray(row * 5, row * 5 + 5))).size).toBe(1);
    expect(F.dropout2d(x, 0.5, false)).toBe(x);
    expect(Array.from(F.dropout2d(x, 1).readSync()).every((e) => e === 0)).toBe(true);
    expect(() => F.dropout2d(x, -0.1)).toThrow('dropout2d: probability has to be between 0 and 1, but got -0.1');
    expect(() => F.dropout2d(ones(3), 0.5)).toThrow('dropout2d: expected an input with a channel dim, [N, C, H, W], got shape [3]');
  });

  it('F.dropout2d passes gradients through the kept channels only', () => {
    const x = ones(2, 8, 2, 2).requiresGrad_();
    const y = F.dropout2d(x, 0.5);
    y.sum().backward();
    expect(maxAbsDiff((x.grad as Tensor).readSync(), y.detach().readSync())).toBe(0);
  });

  it('F.flatten is torch.flatten (startDim 0)', () => {
    expect(F.flatten(ones(2, 3, 4)).shape).toEqual([24]);
    expect(F.flatten(ones(2, 3, 4), 1).shape).toEqual([2, 12]);
  });
});
