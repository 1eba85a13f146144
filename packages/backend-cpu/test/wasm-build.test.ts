import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BINARY_OPS, BINARY_OP_NAMES, UNARY_OPS, UNARY_OP_NAMES } from '@kindling/tensor/backend';
import { describe, expect, it, vi } from 'vitest';
import { createWasmKernels, hasRelaxedSimd, hasSimd } from '../src/wasm/index.js';
import { KERNEL_MODULES } from '../src/wasm/kernels.wasm.js';
import { BINARY_CODES, UNARY_CODES } from '../src/wasm/ops.generated.js';

describe('the committed generated files', () => {
  it('match a fresh generation from the op table and a fresh AssemblyScript build of assembly/', async () => {
    const script = fileURLToPath(new URL('../scripts/build-wasm.mjs', import.meta.url));
    const { generate } = (await import(/* @vite-ignore */ script)) as { generate(): Promise<[string, string][]> };
    const files = await generate();
    expect(files.map(([path]) => path.replace(/.*backend-cpu\//, '')).sort()).toEqual([
      'assembly/ops.generated.ts',
      'src/wasm/kernels.wasm.ts',
      'src/wasm/ops.generated.ts',
    ]);
    for (const [path, text] of files) expect(readFileSync(path, 'utf8'), path).toBe(text);
  });

  it('number the ops with a kernel 0, 1, 2... in table order', () => {
    const implemented = (names: readonly string[], codes: object) => names.filter((op) => Object.hasOwn(codes, op));
    expect(Object.keys(UNARY_CODES)).toEqual(implemented(UNARY_OP_NAMES, UNARY_CODES));
    expect(Object.keys(BINARY_CODES)).toEqual(implemented(BINARY_OP_NAMES, BINARY_CODES));
    for (const codes of [UNARY_CODES, BINARY_CODES]) expect(Object.values(codes)).toEqual(Object.keys(codes).map((_, i) => i));
  });

  it('give kernels only to ops that produce floats and take no parameters', () => {
    for (const op of Object.keys(UNARY_CODES) as (keyof typeof UNARY_CODES)[]) {
      const spec = UNARY_OPS[op];
      expect(spec.dtype, op).not.toBe('bool');
      expect('params' in spec, op).toBe(false);
    }
    for (const op of Object.keys(BINARY_CODES) as (keyof typeof BINARY_CODES)[]) expect(BINARY_OPS[op].dtype, op).not.toBe('compare');
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

  it('picks the fastest available instruction set by default', async () => {
    if (!hasSimd()) return;
    const k = await createWasmKernels({ numThreads: 1 });
    expect(k.isa).toBe(hasRelaxedSimd() ? 'relaxed-simd' : 'simd');
  });

  it('caps the heap at maxMemoryBytes and says so when it is full', async () => {
    const k = await createWasmKernels({ numThreads: 1, maxMemoryBytes: 64 * 65536 });
    expect(k.memory.buffer.byteLength).toBeLessThanOrEqual(64 * 65536);
    expect(() => k.alloc(64 * 65536)).toThrow(/alloc: out of WebAssembly memory/);
  });

  it('refuses a runtime without WebAssembly SIMD, and the backend then reports its TypeScript kernels', async () => {
    vi.resetModules();
    vi.doMock('../src/wasm/detect.js', async (original) => ({
      ...(await original<typeof import('../src/wasm/detect.js')>()),
      hasSimd: () => false,
      hasRelaxedSimd: () => false,
      enableNodeRelaxedSimd: async () => false,
    }));
    try {
      const { createWasmKernels: create } = await import('../src/wasm/create.js');
      await expect(create()).rejects.toThrow(/does not validate WebAssembly SIMD/);
      const path = await import('../src/wasm-path.js');
      await path.cpuReady();
      expect(path.cpuKernelInfo()).toEqual({ isa: 'scalar', threads: 1, status: 'unavailable' });
    } finally {
      vi.doUnmock('../src/wasm/detect.js');
      vi.resetModules();
    }
  });
});
