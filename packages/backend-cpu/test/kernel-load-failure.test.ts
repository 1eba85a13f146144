import { afterAll, describe, expect, it, vi } from 'vitest';

// The kernels' module (or a bundle chunk it imports) failing to load, as on a redeployed site.
const create = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../src/wasm/create.js', () => ({
  createWasmKernels: () => {
    create.calls++;
    return Promise.reject(new Error('Failed to fetch dynamically imported module: kernels-relaxed.wasm-1234.js'));
  },
}));

const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
const { configureCpuKernels, cpuKernelInfo, cpuReady } = await import('../src/index.js');
const { tensor } = await import('@kindling/tensor');

afterAll(() => warn.mockRestore());

describe('when the WebAssembly kernels fail to load', () => {
  it('says why, once, and in cpuKernelInfo; ops still run on the TypeScript kernels', async () => {
    await cpuReady();
    expect(cpuKernelInfo()).toEqual({
      isa: 'scalar',
      threads: 1,
      status: 'unavailable',
      reason: 'Failed to fetch dynamically imported module: kernels-relaxed.wasm-1234.js',
    });
    const kernelWarnings = warn.mock.calls.filter(([m]) => String(m).includes('WebAssembly kernels did not load'));
    expect(kernelWarnings).toHaveLength(1);
    expect(String(kernelWarnings[0]?.[0])).toMatch(/kernels-relaxed\.wasm-1234\.js.*slower TypeScript kernels/);
    expect(tensor([1, 2], { dtype: 'float32' }).mul(3).readSync()).toEqual(new Float32Array([3, 6]));
  });

  it('tries again when asked to (configureCpuKernels({ wasm: true })), not on every cpuReady', async () => {
    const before = create.calls;
    await cpuReady();
    expect(create.calls).toBe(before);
    configureCpuKernels({ wasm: true });
    await cpuReady();
    expect(create.calls).toBe(before + 1);
  });
});
