import { afterAll, describe, expect, it, vi } from 'vitest';
import { createWasmKernels } from '../src/wasm/index.js';
import { download, randomFloats, upload } from './wasm-helpers.js';

const threaded = await createWasmKernels({ numThreads: 3 });
const single = await createWasmKernels({ numThreads: 1 });
afterAll(() => threaded.dispose());

/** Index of the first element whose bits differ, or -1 (fast on large arrays, unlike toEqual). */
function firstDifference(x: Float32Array, y: Float32Array): number {
  const a = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const b = new Uint32Array(y.buffer, y.byteOffset, y.length);
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('wasm matmul on worker threads', () => {
  it('uses shared memory and the requested number of threads', async () => {
    await threaded.ready();
    expect(threaded.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(threaded.numThreads).toBe(3);
  });

  // Splits by columns (N >= M) and by rows (M > N); every split gives bit-identical results.
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
      const run = (k: typeof threaded): Float32Array => {
        const pa = upload(k, a);
        const pb = upload(k, b);
        const pbias = upload(k, bias);
        const out = k.alloc(M * N * 4);
        k.f32View(out, M * N).fill(Number.NaN);
        k.matmul(pa, rsA, csA, pb, rsB, csB, out, M, K, N, { bias: pbias });
        const result = download(k, out, M * N);
        for (const p of [pa, pb, pbias, out]) k.free(p);
        return result;
      };
      const expected = run(single);
      for (let rep = 0; rep < 3; rep++) expect(firstDifference(run(threaded), expected)).toBe(-1);
    });
  }

  // Large axpys (SGD updates of big weights) run across the threads in contiguous parts.
  for (const n of [65535, 65536, 65537, 100352, 100353, 3 * 65536 + 5]) {
    it(`axpy of ${n} floats equals the single-threaded axpy exactly`, async () => {
      await threaded.ready();
      const x = randomFloats(n, 31);
      const y = randomFloats(n, 32);
      const run = (k: typeof threaded, inPlace: boolean): Float32Array => {
        const px = upload(k, x);
        const py = upload(k, y);
        k.axpy(-0.003, inPlace ? py : px, py, n);
        const result = download(k, py, n);
        for (const p of [px, py]) k.free(p);
        return result;
      };
      const tasks = vi.spyOn(threaded, 'runTask');
      for (const inPlace of [false, true]) {
        const expected = run(single, inPlace);
        expect(firstDifference(run(threaded, inPlace), expected)).toBe(-1);
      }
      // From 64K floats the update is split into parts for the threads; below, it stays one call.
      expect(tasks.mock.calls.filter(([task]) => task === 'axpyPart').length).toBe(n >= 65536 ? 2 : 0);
      tasks.mockRestore();
    });
  }

  it('sees memory the caller grew after the workers started', async () => {
    await threaded.ready();
    const before = threaded.memory.buffer.byteLength;
    const filler = threaded.alloc(before * 2); // forces the shared memory to grow
    expect(threaded.memory.buffer.byteLength).toBeGreaterThan(before);
    const [M, K, N] = [128, 96, 256];
    const a = randomFloats(M * K, 21);
    const b = randomFloats(K * N, 22);
    const compute = (k: typeof threaded): Float32Array => {
      const pa = upload(k, a);
      const pb = upload(k, b);
      const out = k.alloc(M * N * 4);
      k.matmul(pa, K, 1, pb, N, 1, out, M, K, N);
      const result = download(k, out, M * N);
      for (const p of [pa, pb, out]) k.free(p);
      return result;
    };
    const grown = compute(threaded);
    expect(firstDifference(grown, compute(single))).toBe(-1);
    threaded.free(filler);
  });

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
