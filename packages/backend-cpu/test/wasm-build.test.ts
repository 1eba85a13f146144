import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BINARY_OPS, BINARY_OP_NAMES, UNARY_OPS, UNARY_OP_NAMES } from '@kindling/tensor/backend';
import { describe, expect, it, vi } from 'vitest';
import { createWasmKernels, hasRelaxedSimd, hasSimd } from '../src/wasm/index.js';
import { kernelModuleBytes } from '../src/wasm/kernel-archive.js';
import { KERNEL_MODULE as RELAXED } from '../src/wasm/kernels-relaxed.wasm.js';
import { KERNEL_MODULE as SIMD } from '../src/wasm/kernels-simd.wasm.js';
import { BINARY_CODES, UNARY_CODES } from '../src/wasm/ops.generated.js';

describe('the committed generated files', () => {
  it('match a fresh generation from the op table and a fresh AssemblyScript build of assembly/', async () => {
    const script = fileURLToPath(new URL('../scripts/build-wasm.mjs', import.meta.url));
    const { generate } = (await import(/* @vite-ignore */ script)) as { generate(): Promise<[string, string][]> };
    const files = await generate();
    expect(files.map(([path]) => path.replace(/.*backend-cpu\//, '')).sort()).toEqual([
      'assembly/ops.generated.ts',
      'src/wasm/kernels-relaxed.wasm.ts',
      'src/wasm/kernels-simd.wasm.ts',
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

  it('hold one module per instruction set, valid with unshared and, one byte patched, shared memory', async () => {
    for (const shared of [false, true]) {
      const module = await WebAssembly.compile(await kernelModuleBytes('simd', shared));
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 32768, shared });
      const instance = await WebAssembly.instantiate(module, { env: { memory } });
      expect(Object.keys(instance.exports).length).toBeGreaterThan(10);
      // A module declaring the other kind of memory refuses this one: the patched byte is the one that matters.
      const other = new WebAssembly.Memory({ initial: 1, maximum: 32768, shared: !shared });
      await expect(WebAssembly.instantiate(module, { env: { memory: other } })).rejects.toThrow();
    }
  });

  it('ship compressed: under half the base64 of the plain modules', async () => {
    for (const [isa, m] of [
      ['simd', SIMD],
      ['relaxed', RELAXED],
    ] as const) {
      expect(m.archive.length).toBeLessThan(((m.length * 4) / 3) * 0.5);
      if (isa === 'relaxed' && !hasRelaxedSimd()) continue;
      expect(WebAssembly.validate(await kernelModuleBytes(isa, false)), isa).toBe(true);
    }
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
      expect(path.cpuKernelInfo()).toEqual({
        isa: 'scalar',
        threads: 1,
        status: 'unavailable',
        reason: 'createWasmKernels: this runtime does not validate WebAssembly SIMD, which the kernels need',
      });
    } finally {
      vi.doUnmock('../src/wasm/detect.js');
      vi.resetModules();
    }
  });
});
