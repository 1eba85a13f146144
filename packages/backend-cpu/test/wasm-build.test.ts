import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createWasmKernels, hasRelaxedSimd, hasSimd } from '../src/wasm/index.js';
import { KERNEL_MODULES } from '../src/wasm/kernels.wasm.js';

describe('the committed kernel modules', () => {
  it('match a fresh AssemblyScript build of assembly/', async () => {
    const script = fileURLToPath(new URL('../scripts/build-wasm.mjs', import.meta.url));
    const { generate, OUTPUT } = (await import(/* @vite-ignore */ script)) as { generate(): Promise<string>; OUTPUT: string };
    expect(readFileSync(OUTPUT, 'utf8')).toBe(await generate());
  });

  it('come in shared and unshared variants of each instruction set', () => {
    expect(Object.keys(KERNEL_MODULES).sort()).toEqual(['relaxed', 'relaxedShared', 'simd', 'simdShared']);
  });
});

describe('createWasmKernels', () => {
  // First, before any test turns on Node's relaxed-SIMD flag in this process.
  it('refuses relaxed SIMD when the runtime lacks it and may not turn its flag on', async () => {
    if (hasRelaxedSimd()) return;
    await expect(createWasmKernels({ isa: 'relaxed-simd', enableRelaxedSimdFlag: false })).rejects.toThrow(/relaxed-simd requested/);
  });

  it('picks the fastest available implementation by default', async () => {
    const k = await createWasmKernels({ numThreads: 1 });
    expect(k.isa).toBe(hasRelaxedSimd() ? 'relaxed-simd' : hasSimd() ? 'simd' : 'scalar');
  });

  it('caps the heap at maxMemoryBytes and says so when it is full', async () => {
    const k = await createWasmKernels({ numThreads: 1, maxMemoryBytes: 64 * 65536 });
    expect(k.memory.buffer.byteLength).toBeLessThanOrEqual(64 * 65536);
    expect(() => k.alloc(64 * 65536)).toThrow(/alloc: out of WebAssembly memory/);
  });

  it('falls back to the pure-TS kernels on request, with the same API', async () => {
    const k = await createWasmKernels({ isa: 'scalar' });
    expect(k.isa).toBe('scalar');
    expect(k.maxThreads).toBe(1);
    expect(k.memory.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    const p = k.alloc(16);
    k.f32View(p, 4).set([1, -2, 3, -4]);
    k.unary('abs', p, p, 4);
    expect(Array.from(k.f32View(p, 4))).toEqual([1, 2, 3, 4]);
  });
});
