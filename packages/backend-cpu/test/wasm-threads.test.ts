import { afterAll, describe, expect, it } from 'vitest';
import { createWasmKernels } from '../src/wasm/index.js';
import { download, randomFloats, upload } from './wasm-helpers.js';

const threaded = await createWasmKernels({ numThreads: 3 });
afterAll(() => threaded.dispose());

describe('wasm matmul on worker threads', () => {
  it('uses shared memory and the requested number of threads', async () => {
    await threaded.ready();
    expect(threaded.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(threaded.numThreads).toBe(3);
  });

  // Splits by columns (wide N) and by rows (narrow N); every split gives bit-identical results.
  for (const [M, K, N, transA, transB] of [
    [64, 784, 128, false, false],
    [64, 128, 784, false, true],
    [784, 64, 128, true, false],
    [517, 300, 9, false, false],
    [200, 33, 1001, false, false],
  ] as const) {
    it(`${M}x${K}x${N}${transA ? ' Aᵀ' : ''}${transB ? ' Bᵀ' : ''} equals the single-threaded result exactly`, async () => {
      await threaded.ready();
      const a = randomFloats(M * K, 11);
      const b = randomFloats(K * N, 12);
      const bias = randomFloats(N, 13);
      const [rsA, csA] = transA ? [1, M] : [K, 1];
      const [rsB, csB] = transB ? [1, K] : [N, 1];
      const pa = upload(threaded, a);
      const pb = upload(threaded, b);
      const pbias = upload(threaded, bias);
      const out = threaded.alloc(M * N * 4);
      threaded.setNumThreads(1);
      threaded.matmul(pa, rsA, csA, pb, rsB, csB, out, M, K, N, { bias: pbias, relu: true });
      const single = download(threaded, out, M * N);
      threaded.setNumThreads(3);
      await threaded.ready();
      for (let rep = 0; rep < 3; rep++) {
        threaded.f32View(out, M * N).fill(Number.NaN);
        threaded.matmul(pa, rsA, csA, pb, rsB, csB, out, M, K, N, { bias: pbias, relu: true });
        expect(download(threaded, out, M * N)).toEqual(single);
      }
      for (const p of [pa, pb, pbias, out]) threaded.free(p);
    });
  }

  it('keeps working while workers start and after they stop', async () => {
    const k = await createWasmKernels({ numThreads: 2 });
    const [M, K, N] = [96, 96, 96];
    const a = upload(k, randomFloats(M * K, 1));
    const b = upload(k, randomFloats(K * N, 2));
    const out = k.alloc(M * N * 4);
    k.matmul(a, K, 1, b, N, 1, out, M, K, N); // possibly before the worker is up
    const first = download(k, out, M * N);
    await k.ready();
    k.matmul(a, K, 1, b, N, 1, out, M, K, N);
    expect(download(k, out, M * N)).toEqual(first);
    k.dispose();
    expect(k.numThreads).toBe(1);
    k.matmul(a, K, 1, b, N, 1, out, M, K, N);
    expect(download(k, out, M * N)).toEqual(first);
  });

  it('rejects a thread count that is not a positive integer', () => {
    expect(() => threaded.setNumThreads(0)).toThrow(/setNumThreads: expected a positive integer, got 0/);
  });
});
