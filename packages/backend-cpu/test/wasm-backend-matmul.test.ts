import { DEFAULT_MIN_MACS, configureCpuKernels, cpuBackend, cpuKernelInfo, cpuReady, hasSimd } from '@kindling/backend-cpu';
import type { StorageHandle, View } from '@kindling/tensor/backend';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { matmul as tsMatmul } from '../src/kernels/matmul.js';
import { dataOf, ptrIn, wrap } from '../src/kernels/storage.js';
import { wasmMatmul } from '../src/kernels/wasm-matmul.js';
import { createWasmKernels } from '../src/wasm/index.js';
import { kernelsForMatmul } from '../src/wasm-path.js';
import { randomFloats } from './wasm-helpers.js';

// The backend's float32 matmul on the WebAssembly kernels against a float64
// reference and the TypeScript kernel, over the views the Backend contract allows.

beforeAll(async () => {
  configureCpuKernels({ minMacs: 1 });
  await cpuReady();
});
afterAll(() => configureCpuKernels({ minMacs: DEFAULT_MIN_MACS }));

/** A view of `shape` with explicit strides and offset over fresh random storage big enough for it. */
function randomView(shape: number[], strides: number[], offset: number, seed: number): View {
  let hi = offset;
  let lo = offset;
  shape.forEach((d, i) => {
    const reach = strides[i] * Math.max(0, d - 1);
    if (reach > 0) hi += reach;
    else lo += reach;
  });
  if (lo < 0) throw new Error('test view reaches below 0');
  const handle = cpuBackend.upload('float32', randomFloats(hi + 1, seed));
  return { handle, dtype: 'float32', shape, strides, offset };
}

/** Row-major strides of `shape`. */
function contiguous(shape: number[]): number[] {
  const strides = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/** Element `i` of a 1-D view. */
function at(v: View, i: number): number {
  return dataOf(v.handle)[v.offset + i * v.strides[0]];
}

/** Storage offset of each matrix of a `[...batch, R, C]` view, batches row-major. */
function matrixOffsets(v: View): number[] {
  let offsets = [v.offset];
  for (let d = 0; d < v.shape.length - 2; d++) {
    offsets = offsets.flatMap((o) => Array.from({ length: v.shape[d] }, (_, i) => o + i * v.strides[d]));
  }
  return offsets;
}

/** Float64 `a @ b` (batch dims equal, as the backend receives them) and Σ|a·b| per element. */
function reference(a: View, b: View): { c: Float64Array; mag: Float64Array } {
  const rank = a.shape.length;
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[rank - 1];
  const [da, db] = [dataOf(a.handle), dataOf(b.handle)];
  const [rsA, csA, rsB, csB] = [a.strides[rank - 2], a.strides[rank - 1], b.strides[rank - 2], b.strides[rank - 1]];
  const [oa, ob] = [matrixOffsets(a), matrixOffsets(b)];
  const c = new Float64Array(oa.length * m * n);
  const mag = new Float64Array(oa.length * m * n);
  for (let p = 0; p < oa.length; p++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let g = 0;
        for (let q = 0; q < k; q++) {
          const prod = da[oa[p] + i * rsA + q * csA] * db[ob[p] + q * rsB + j * csB];
          s += prod;
          g += Math.abs(prod);
        }
        c[(p * m + i) * n + j] = s;
        mag[(p * m + i) * n + j] = g;
      }
    }
  }
  return { c, mag };
}

/** Every element within float32 accumulation error of the exact result. */
function expectClose(got: StorageHandle, c: Float64Array, mag: Float64Array): void {
  const data = dataOf(got);
  expect(data).toBeInstanceOf(Float32Array);
  expect(data.length).toBe(c.length);
  let worst = 0;
  for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(data[i] - c[i]) - (4e-6 * mag[i] + 1e-30));
  expect(worst).toBeLessThanOrEqual(0);
}

it('is on a SIMD path once ready', () => {
  const info = cpuKernelInfo();
  if (!hasSimd()) return expect(info.status).toBe('unavailable');
  expect(info.isa).not.toBe('scalar');
  expect(info.status).toBe('ready');
});

it("uses the machine's cores by default, and KINDLING_CPU_THREADS when set", async () => {
  if (!hasSimd()) return;
  const { availableParallelism } = await import('node:os');
  const saved = process.env.KINDLING_CPU_THREADS;
  try {
    // A fresh copy of the module reads the environment again (the tests' config sets 1).
    delete process.env.KINDLING_CPU_THREADS;
    vi.resetModules();
    const fresh = await import('../src/wasm-path.js');
    await fresh.cpuReady();
    expect(fresh.cpuKernelInfo().threads).toBe(availableParallelism());
    process.env.KINDLING_CPU_THREADS = '1';
    vi.resetModules();
    const pinned = await import('../src/wasm-path.js');
    await pinned.cpuReady();
    expect(pinned.cpuKernelInfo().threads).toBe(1);
  } finally {
    if (saved === undefined) delete process.env.KINDLING_CPU_THREADS;
    else process.env.KINDLING_CPU_THREADS = saved;
    vi.resetModules();
  }
});

interface Case {
  name: string;
  a: () => View;
  b: () => View;
}

const plain = (shape: number[], seed: number) => () => randomView(shape, contiguous(shape), 0, seed);
/** The transpose of a contiguous `[cols, rows]` matrix, i.e. `[rows, cols]` with strides (1, rows). */
const transposed = (rows: number, cols: number, seed: number) => () => randomView([rows, cols], [1, rows], 0, seed);

const CASES: Case[] = [
  { name: '1x1 @ 1x1', a: plain([1, 1], 1), b: plain([1, 1], 2) },
  { name: 'odd 7x13 @ 13x5', a: plain([7, 13], 3), b: plain([13, 5], 4) },
  { name: 'row vector 1x300 @ 300x17', a: plain([1, 300], 5), b: plain([300, 17], 6) },
  { name: 'column result 33x517 @ 517x1', a: plain([33, 517], 7), b: plain([517, 1], 8) },
  { name: 'A @ Bᵀ (Linear forward) 64x784 @ (128x784)ᵀ', a: plain([64, 784], 9), b: transposed(784, 128, 10) },
  { name: 'Aᵀ @ B (weight gradient) (64x128)ᵀ @ 64x784', a: transposed(128, 64, 11), b: plain([64, 784], 12) },
  { name: 'Aᵀ @ Bᵀ 9x11', a: transposed(9, 21, 13), b: transposed(21, 11, 14) },
  {
    name: 'offset column slices of wider matrices',
    a: () => randomView([9, 21], [30, 1], 5, 15),
    b: () => randomView([21, 11], [40, 1], 17, 16),
  },
  {
    name: 'sparse strides (gathered densely)',
    a: () => randomView([6, 10], [50, 3], 2, 17),
    b: () => randomView([10, 7], [3, 40], 1, 18),
  },
  {
    name: 'negative strides (a flipped view)',
    a: () => randomView([5, 8], [-8, 1], 32, 19),
    b: () => randomView([8, 6], [6, -1], 5, 20),
  },
  {
    name: 'broadcast rows and columns (stride 0 inside a matrix)',
    a: () => randomView([5, 9], [0, 1], 0, 21),
    b: () => randomView([9, 12], [1, 0], 0, 22),
  },
  { name: 'large 130x9 @ 9x1030', a: plain([130, 9], 23), b: plain([9, 1030], 24) },
  { name: 'large 200x256 @ 256x150', a: plain([200, 256], 25), b: plain([256, 150], 26) },
  { name: 'batched 3x5x7 @ 3x7x4', a: plain([3, 5, 7], 27), b: plain([3, 7, 4], 28) },
  {
    name: 'batched with a broadcast (stride 0) batch dim in B',
    a: plain([2, 3, 6, 10], 29),
    b: () => randomView([2, 3, 10, 5], [50, 0, 5, 1], 0, 30),
  },
  {
    name: 'batched transposed B with an offset',
    a: plain([4, 8, 16], 31),
    b: () => randomView([4, 16, 8], [128, 1, 16], 3, 32),
  },
];

describe('backend float32 matmul on the wasm kernels', () => {
  for (const { name, a, b } of CASES) {
    it(name, () => {
      const va = a();
      const vb = b();
      const { c, mag } = reference(va, vb);
      expectClose(cpuBackend.matmul(va, vb), c, mag);
      expectClose(tsMatmul(va, vb), c, mag);
    });
  }

  it('K = 0 gives zeros, and fused linear the bias', () => {
    const a = randomView([3, 0], [0, 1], 0, 1);
    const b = randomView([0, 4], [4, 1], 0, 2);
    expect([...dataOf(cpuBackend.matmul(a, b))]).toEqual(new Array(12).fill(0));
    const bias = cpuBackend.upload('float32', new Float32Array([1, -2, 3, -4]));
    const biasView: View = { handle: bias, dtype: 'float32', shape: [4], strides: [1], offset: 0 };
    const w = randomView([4, 0], [1, 1], 0, 3);
    const out = cpuBackend.fused!.linear!(a, w, biasView);
    expect([...dataOf(out)]).toEqual([1, -2, 3, -4, 1, -2, 3, -4, 1, -2, 3, -4]);
  });

  it('fused linear adds a strided bias like the TypeScript kernel', () => {
    const x = plain([64, 784], 40)();
    const w = plain([128, 784], 41)();
    const bias = randomView([128], [2], 1, 42);
    const wt: View = { ...w, shape: [784, 128], strides: [1, 784] };
    const got = dataOf(cpuBackend.fused!.linear!(x, w, bias));
    const ts = dataOf(tsMatmul(x, wt, bias));
    const { c, mag } = reference(x, wt);
    let worst = 0;
    for (let i = 0; i < c.length; i++) {
      const exact = c[i] + at(bias, i % 128);
      worst = Math.max(worst, Math.abs(got[i] - exact) - 4e-6 * (mag[i] + 1), Math.abs(got[i] - ts[i]) - 8e-6 * (mag[i] + 1));
    }
    expect(worst).toBeLessThanOrEqual(0);
  });

  it("multiplies tensors in place in the kernels' memory and reuses freed blocks", () => {
    const kernels = kernelsForMatmul(Number.MAX_SAFE_INTEGER);
    if (!kernels) return;
    const a = plain([64, 784], 50)();
    const b = transposed(784, 128, 51)();
    // Operands were uploaded into the kernels' memory, and the result is made there too.
    expect(ptrIn(a.handle, kernels)).not.toBe(0);
    const first = cpuBackend.matmul(a, b);
    expect(ptrIn(first, kernels)).not.toBe(0);
    cpuBackend.free(first);
    const before = kernels.heapStats();
    for (let i = 0; i < 20; i++) cpuBackend.free(cpuBackend.matmul(a, b));
    cpuBackend.free(cpuBackend.matmul(plain([3, 4], 52)(), plain([4, 5], 53)()));
    expect(kernels.heapStats().heapBytes).toBe(before.heapBytes);
  });

  it("moves operands kept in ordinary arrays into the kernels' memory once, then works in place", () => {
    const kernels = kernelsForMatmul(Number.MAX_SAFE_INTEGER);
    if (!kernels) return;
    const host = (shape: number[], seed: number): View => ({
      handle: wrap(randomFloats(shape[0] * shape[1], seed)),
      dtype: 'float32',
      shape,
      strides: contiguous(shape),
      offset: 0,
    });
    const a = host([16, 32], 54);
    const b = host([32, 8], 55);
    const { c, mag } = reference(a, b);
    expect(ptrIn(a.handle, kernels)).not.toBe(0);
    const first = cpuBackend.matmul(a, b);
    expectClose(first, c, mag);
    expect(ptrIn(b.handle, kernels)).not.toBe(0);
    cpuBackend.free(first);
    const before = kernels.heapStats();
    for (let i = 0; i < 5; i++) cpuBackend.free(cpuBackend.matmul(a, b));
    expect(kernels.heapStats()).toEqual(before);
  });

  it('declines (so the backend falls back) when operands do not fit in the memory', async () => {
    if (!hasSimd()) return;
    const small = await createWasmKernels({ isa: 'simd', numThreads: 1, maxMemoryBytes: 4 << 20 });
    const a = plain([512, 1024], 70)(); // 2 MiB
    const b = plain([1024, 1024], 71)(); // 4 MiB
    expect(wasmMatmul(small, a, b)).toBeNull();
    const fits = wasmMatmul(small, plain([3, 4], 72)(), plain([4, 5], 73)());
    expect(dataOf(fits!).length).toBe(15);
  });

  it('can be switched off and on again', async () => {
    configureCpuKernels({ wasm: false });
    expect(cpuKernelInfo()).toEqual({ isa: 'scalar', threads: 1, status: 'disabled' });
    const va = plain([5, 6], 60)();
    const vb = plain([6, 7], 61)();
    const { c, mag } = reference(va, vb);
    expectClose(cpuBackend.matmul(va, vb), c, mag);
    configureCpuKernels({ wasm: true });
    await cpuReady();
    if (hasSimd()) expect(cpuKernelInfo().status).toBe('ready');
  });

  it('keeps float64 on the TypeScript kernel (no float32 rounding)', () => {
    const x = 1 + 2 ** -40;
    const a: View = {
      handle: cpuBackend.upload('float64', new Float64Array([x, x])),
      dtype: 'float64',
      shape: [1, 2],
      strides: [2, 1],
      offset: 0,
    };
    const b: View = {
      handle: cpuBackend.upload('float64', new Float64Array([x, 0])),
      dtype: 'float64',
      shape: [2, 1],
      strides: [1, 1],
      offset: 0,
    };
    expect(dataOf(cpuBackend.matmul(a, b))).toEqual(new Float64Array([x * x]));
  });
});
