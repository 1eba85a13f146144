import { tensor } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { cpuBackend, cpuReady } from '../src/index.js';
import { windowKernels } from '../src/window-path.js';

describe('the sliding-window kernels, loaded on demand', () => {
  it('are loaded by the time cpuReady resolves when the program contains window ops (here: all of them)', async () => {
    await cpuReady();
    expect(windowKernels()).not.toBeNull();
  });

  it('then run the fused convolution and pooling instead of lowering them', async () => {
    await cpuReady();
    const x = tensor(
      [...Array(16).keys()].map((i) => i / 4),
      { device: 'cpu' },
    ).reshape(1, 1, 4, 4);
    const w = tensor([1, 0, 0, -1], { device: 'cpu', dtype: 'float32' }).reshape(1, 1, 2, 2);
    const window = { kernel: [2, 2], stride: [1, 1], padding: [0, 0], dilation: [1, 1] } as const;
    const conv = cpuBackend.fused?.conv2d?.(x.view_(), w.view_(), null, window, 1);
    expect(conv).not.toBeNull();
    const pooled = cpuBackend.fused?.maxPool2d?.(x.view_(), window, false);
    expect(pooled).not.toBeNull();
  });
});
