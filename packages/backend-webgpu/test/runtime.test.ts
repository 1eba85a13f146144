import { add, matmul, ones, randn, tensor, tidy } from '@kindling/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { releasePooledMemory, webgpuMemory } from '../src/index.js';
import { sizeClass } from '../src/pool.js';
import { setupWebGPU } from './setup-gpu.js';

const gpu = { device: 'webgpu' } as const;

beforeAll(async () => {
  await setupWebGPU();
});

describe('buffer pool', () => {
  test('size classes are quarter steps between powers of two', () => {
    expect(sizeClass(1)).toBe(256);
    expect(sizeClass(256)).toBe(256);
    expect(sizeClass(257)).toBe(320);
    expect(sizeClass(1024)).toBe(1024);
    expect(sizeClass(1025)).toBe(1280);
    expect(sizeClass(4096 * 1024 + 1)).toBe(5 * 1024 * 1024);
  });

  test('disposed tensors return their buffers to the pool, and new ones reuse them', async () => {
    const x = randn([256, 256], gpu);
    await x.read();
    const before = webgpuMemory();
    x.dispose();
    const afterFree = webgpuMemory();
    expect(afterFree.inUseBytes).toBe(before.inUseBytes - 256 * 1024);
    expect(afterFree.pooledBytes).toBe(before.pooledBytes + 256 * 1024);
    await tensor([0], gpu).read(); // a read submits the batch, which recycles the buffer
    const y = randn([256, 256], gpu);
    const reused = webgpuMemory();
    expect(reused.reused).toBeGreaterThan(afterFree.reused);
    expect(reused.allocatedBytes).toBe(afterFree.allocatedBytes + 256); // only the small [0] tensor was new
    y.dispose();
  });

  test('releasePooledMemory destroys pooled buffers', async () => {
    const t = ones([1000], gpu);
    await t.read();
    t.dispose();
    await tensor([0], gpu).read();
    releasePooledMemory();
    const m = webgpuMemory();
    expect(m.pooledBytes).toBe(0);
    expect(m.allocatedBytes).toBe(m.inUseBytes);
  });
});

describe('command batching', () => {
  test('many kernels go out in few submissions, and results stay correct', async () => {
    const start = webgpuMemory().submissions;
    const result = tidy(() => {
      let acc = ones([64, 64], gpu);
      const w = ones([64, 64], gpu).mul(1 / 64);
      for (let i = 0; i < 50; i++) acc = add(matmul(acc, w), 1);
      return acc;
    });
    const values = await result.read();
    expect(values[0]).toBeCloseTo(51, 3);
    expect(webgpuMemory().submissions - start).toBeLessThanOrEqual(2);
  });

  test('pipelines are compiled once per kernel variant', async () => {
    const a = ones([3, 3], gpu);
    await add(a, a).read();
    const n = webgpuMemory().pipelines;
    await add(a, a).read();
    await add(ones([5, 7], gpu), ones([5, 7], gpu)).read();
    expect(webgpuMemory().pipelines).toBe(n);
  });
});
