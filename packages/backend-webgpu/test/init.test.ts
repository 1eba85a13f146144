import { DeviceError, hasBackend, tensor } from '@kindling/tensor';
import { type Backend, registerBackend } from '@kindling/tensor/backend';
import { describe, expect, test } from 'vitest';
import { initWebGPU } from '../src/index.js';
import { setupWebGPU } from './setup-gpu.js';

// Runs before any adapter is created in this file (vitest isolates files), so
// `navigator.gpu` is absent and initWebGPU has nothing to fall back on.
describe('initWebGPU without WebGPU', () => {
  test('throws a DeviceError naming the missing navigator.gpu', async () => {
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
    await expect(initWebGPU()).rejects.toThrow(DeviceError);
    await expect(initWebGPU()).rejects.toThrow(/initWebGPU: no WebGPU adapter available \(navigator\.gpu is undefined/);
    expect(hasBackend('webgpu')).toBe(false);
  });

  test('an adapter-less GPU is reported as such', async () => {
    const gpu = { requestAdapter: async () => null } as unknown as GPU;
    await expect(initWebGPU({ gpu })).rejects.toThrow(/requestAdapter\(\) returned null/);
  });

  test('fallbackToCpu needs the cpu backend, then reports cpu', async () => {
    await expect(initWebGPU({ fallbackToCpu: true })).rejects.toThrow(/import '@kindling\/backend-cpu'/);
    // A stand-in cpu backend: only its registration matters here.
    registerBackend({ name: 'cpu' } as unknown as Backend);
    const result = await initWebGPU({ fallbackToCpu: true });
    expect(result.device).toBe('cpu');
    expect(result.reason).toMatch(/navigator\.gpu is undefined/);
    expect(hasBackend('webgpu')).toBe(false);
  });
});

describe('initWebGPU with an adapter', () => {
  test('registers device webgpu once', async () => {
    const first = await setupWebGPU();
    expect(first.device).toBe('webgpu');
    expect(hasBackend('webgpu')).toBe(true);
    const again = await initWebGPU({ fallbackToCpu: true });
    expect(again.backend).toBe(first.backend);
    expect(first.backend?.dtypes).not.toContain('float64');
  });

  test('webgpu tensors are only readable asynchronously', async () => {
    await setupWebGPU();
    const t = tensor([1, 2, 3], { device: 'webgpu' });
    expect(() => t.readSync()).toThrow(/can only be read asynchronously; use 'await tensor.read\(\)'/);
    expect(await t.tolist()).toEqual([1, 2, 3]);
  });
});
