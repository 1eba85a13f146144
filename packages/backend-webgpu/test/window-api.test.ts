import '@kindling/autograd';
import '@kindling/backend-cpu';
import {
  type Tensor,
  avgPool2d,
  batchNorm,
  conv2d,
  convTranspose2d,
  fold,
  maxPool2d,
  maxPool2dWithIndices,
  tensor,
  unfold,
} from '@kindling/tensor';
import { getBackend } from '@kindling/tensor/backend';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectClose, seeded } from './helpers.js';
import { setupWebGPU } from './setup-gpu.js';

// The fused window kernels through the public API (and autograd) against the CPU backend, with
// spies checking that the WebGPU backend's fused kernels, not the lowerings, did the work.

const KERNELS = [
  'conv2d',
  'conv2dInputGrad',
  'conv2dWeightGrad',
  'maxPool2d',
  'avgPool2d',
  'channelMoments',
  'channelAffine',
  'im2col',
  'col2im',
] as const;
type KernelName = (typeof KERNELS)[number];
const calls = new Map<KernelName, number>();
const restores: (() => void)[] = [];

beforeAll(async () => {
  await setupWebGPU();
  // Each kernel wrapped to count its calls (the ops look the kernels up on every call).
  const fused = getBackend('webgpu').fused as Record<KernelName, (...args: unknown[]) => unknown>;
  for (const name of KERNELS) {
    const kernel = fused[name];
    fused[name] = (...args: unknown[]) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return kernel(...args);
    };
    restores.push(() => {
      fused[name] = kernel;
    });
  }
});

afterAll(() => {
  for (const r of restores) r();
});

/** The same values on both devices, as leaves that require grad. */
function pair(n: number, shape: number[], seed: number): [Tensor, Tensor] {
  const values = seeded(n, seed);
  return [
    tensor(values, { device: 'cpu' }).reshape(shape).requiresGrad_(),
    tensor(values, { device: 'webgpu' }).reshape(shape).requiresGrad_(),
  ];
}

async function same(gpu: Tensor, cpu: Tensor, rtol = 1e-4, atol = 1e-4): Promise<void> {
  expect(gpu.shape).toEqual(cpu.shape);
  expectClose(Array.from(await gpu.read()), Array.from(await cpu.read()), rtol, atol);
}

describe('window ops on webgpu equal the cpu backend', () => {
  test('a small CNN forward and backward: conv (groups, stride, padding, dilation), max pool, batch norm, avg pool', async () => {
    calls.clear();
    const [xc, xg] = pair(2 * 4 * 11 * 10, [2, 4, 11, 10], 1);
    const [w1c, w1g] = pair(8 * 2 * 9, [8, 2, 3, 3], 2);
    const [b1c, b1g] = pair(8, [8], 3);
    const [w2c, w2g] = pair(6 * 8 * 6, [6, 8, 2, 3], 4);
    const [gc, gg] = pair(6, [6], 5);
    const [bc, bg] = pair(6, [6], 6);
    const run = (x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, gamma: Tensor, beta: Tensor, device: string) => {
      const h1 = conv2d(x, w1, b1, { groups: 2, padding: 1 }).relu();
      const h2 = conv2d(h1, w2, null, { stride: [1, 2], dilation: [2, 1], padding: [1, 0] });
      const pooled = maxPool2d(h2, 3, { stride: 2, padding: 1, ceilMode: true });
      const rm = tensor(new Array(6).fill(0), { device, dtype: 'float32' });
      const rv = tensor(new Array(6).fill(1), { device, dtype: 'float32' });
      const normed = batchNorm(pooled, rm, rv, { weight: gamma, bias: beta, training: true });
      const out = avgPool2d(normed, [2, 2], { stride: 1, padding: 1, countIncludePad: false });
      return { out, rm, rv };
    };
    const cpu = run(xc, w1c, b1c, w2c, gc, bc, 'cpu');
    const gpu = run(xg, w1g, b1g, w2g, gg, bg, 'webgpu');
    await same(gpu.out, cpu.out);
    await same(gpu.rm, cpu.rm);
    await same(gpu.rv, cpu.rv);
    const up = seeded(cpu.out.numel(), 7);
    cpu.out.backward(tensor(up, { device: 'cpu' }).reshape(cpu.out.shape));
    gpu.out.backward(tensor(up, { device: 'webgpu' }).reshape(gpu.out.shape));
    for (const [g, c] of [
      [xg, xc],
      [w1g, w1c],
      [b1g, b1c],
      [w2g, w2c],
      [gg, gc],
      [bg, bc],
    ]) {
      await same(g.grad as Tensor, c.grad as Tensor, 1e-3, 1e-3);
    }
    for (const name of [
      'conv2d',
      'conv2dInputGrad',
      'conv2dWeightGrad',
      'maxPool2d',
      'avgPool2d',
      'channelMoments',
      'channelAffine',
    ] as const) {
      expect(calls.get(name) ?? 0, name).toBeGreaterThan(0);
    }
  });

  test('max pooling indices, unfold/fold and the transposed convolution', async () => {
    calls.clear();
    const [xc, xg] = pair(2 * 3 * 9 * 8, [2, 3, 9, 8], 8);
    const [ic, ig] = [
      maxPool2dWithIndices(xc, [3, 2], { stride: [2, 1], dilation: [1, 2] }),
      maxPool2dWithIndices(xg, [3, 2], { stride: [2, 1], dilation: [1, 2] }),
    ];
    await same(ig[0], ic[0], 0, 0);
    expect(Array.from(await ig[1].read())).toEqual(Array.from(await ic[1].read()));
    const colsC = unfold(xc, [2, 3], { stride: [2, 1], padding: 1, dilation: [1, 2] });
    const colsG = unfold(xg, [2, 3], { stride: [2, 1], padding: 1, dilation: [1, 2] });
    await same(colsG, colsC, 0, 0);
    await same(
      fold(colsG, [9, 8], [2, 3], { stride: [2, 1], padding: 1, dilation: [1, 2] }),
      fold(colsC, [9, 8], [2, 3], { stride: [2, 1], padding: 1, dilation: [1, 2] }),
      1e-6,
      1e-6,
    );
    const [wc, wg] = pair(3 * 4 * 9, [3, 4, 3, 3], 9);
    await same(convTranspose2d(xg, wg, null, { stride: 2, padding: 1 }), convTranspose2d(xc, wc, null, { stride: 2, padding: 1 }));
    for (const name of ['maxPool2d', 'im2col', 'col2im', 'conv2dInputGrad'] as const) expect(calls.get(name) ?? 0, name).toBeGreaterThan(0);
  });
});
