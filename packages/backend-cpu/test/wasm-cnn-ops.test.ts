import { cpuBackend, cpuReady } from '@kindling/backend-cpu';
import type { View } from '@kindling/tensor/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { binary } from '../src/kernels/elementwise.js';
import { scatterAdd } from '../src/kernels/indexing.js';
import { reduce } from '../src/kernels/reduce.js';
import { dataOf } from '../src/kernels/storage.js';
import { wasmCompare, wasmReduce, wasmScatterAdd } from '../src/kernels/wasm-elementwise.js';
import { activeKernels } from '../src/wasm-path.js';
import { randomView } from './conv-reference.js';

// The WebAssembly kernels a CNN step needs besides convolution, against the
// TypeScript kernels: reductions over leading and trailing dims at once (a
// convolution's bias gradient sums [N, C, H, W] over N, H and W),
// comparisons into bools (dropout's mask) and scatterAdd along the last dim
// (max pooling's backward).

beforeAll(async () => {
  await cpuReady();
});

describe('wasm reductions over outer and inner dims together', () => {
  const cases: [number[], number[]][] = [
    [
      [6, 5, 7, 9],
      [0, 2, 3],
    ],
    [
      [64, 32, 26, 26],
      [0, 2, 3],
    ],
    [
      [4, 3, 10],
      [0, 2],
    ],
    [
      [2, 3, 4, 5],
      [0, 1, 3],
    ],
    [[3, 4, 5], [0]],
    [
      [3, 4, 5],
      [1, 2],
    ],
  ];
  for (const [shape, axes] of cases) {
    for (const op of ['sum', 'max', 'min'] as const) {
      it(`${op} of [${shape}] over [${axes}]`, () => {
        const x = randomView(shape, 1);
        const got = wasmReduce(activeKernels()!, op, x, axes, 'float32');
        expect(got).not.toBeNull();
        const want = dataOf(reduce(op, x, axes, 'float32'));
        const g = dataOf(got!);
        expect(g.length).toBe(want.length);
        for (let i = 0; i < g.length; i++) expect(g[i]).toBeCloseTo(want[i], op === 'sum' ? 3 : 7);
      });
    }
  }

  it('declines axes that leave a gap (not outer + inner)', () => {
    expect(wasmReduce(activeKernels()!, 'sum', randomView([2, 3, 4, 5], 2), [1, 3], 'float32')).toBeNull();
  });
});

describe('wasm comparisons into bools', () => {
  for (const op of ['lt', 'le', 'gt', 'ge', 'eq', 'ne'] as const) {
    it(`${op}: full, scalar and row operands (NaN included) equal the TypeScript kernel`, () => {
      const a = randomView([5, 37], 3);
      const data = dataOf(a.handle);
      for (let i = 0; i < data.length; i += 7) data[i] = Number.NaN;
      for (let i = 2; i < data.length; i += 9) data[i] = 0.25;
      const scalar = { ...randomView([1], 4), shape: [5, 37], strides: [0, 0] };
      dataOf(scalar.handle)[0] = 0.25;
      const row = { ...randomView([37], 5), shape: [5, 37], strides: [0, 1] };
      for (const b of [randomView([5, 37], 6), scalar, row]) {
        const got = wasmCompare(activeKernels()!, op, a, b, 'bool');
        expect(got).not.toBeNull();
        expect(Array.from(dataOf(got!))).toEqual(Array.from(dataOf(binary(op, a, b, 'bool'))));
      }
    });
  }
});

describe('wasm scatterAdd along the last dim (max pooling backward)', () => {
  const indexView = (values: number[], shape: number[]): View => ({
    handle: cpuBackend.upload('int32', Int32Array.from(values)),
    dtype: 'int32',
    shape,
    strides: [shape[1] * shape[2], shape[2], 1],
    offset: 0,
  });
  it('sums repeated indices like the TypeScript kernel', () => {
    const idx = indexView(
      Array.from({ length: 2 * 3 * 8 }, (_, i) => (i * 7) % 10),
      [2, 3, 8],
    );
    const src = randomView([2, 3, 8], 7);
    const a = randomView([2, 3, 10], 8);
    const b = randomView([2, 3, 10], 8);
    expect(wasmScatterAdd(activeKernels()!, a, 2, idx, src)).toBe(true);
    scatterAdd(b, 2, idx, src);
    const [ga, gb] = [dataOf(a.handle), dataOf(b.handle)];
    for (let i = 0; i < ga.length; i++) expect(ga[i]).toBeCloseTo(gb[i], 6);
  });
  it('refuses an index out of bounds without writing anything', () => {
    const idx = indexView([0, 1, 10, 2], [1, 1, 4]);
    const dst = randomView([1, 1, 10], 9);
    const before = Array.from(dataOf(dst.handle));
    expect(wasmScatterAdd(activeKernels()!, dst, 2, idx, randomView([1, 1, 4], 10))).toBe(false);
    expect(Array.from(dataOf(dst.handle))).toEqual(before);
  });
});

describe('wasm full reductions', () => {
  it('sum a million floats in double precision (the row kernel), whatever the rank', () => {
    for (const shape of [[1_000_000], [1000, 1000]]) {
      const x = randomView(shape, 11);
      dataOf(x.handle).fill(0.1);
      const got = wasmReduce(
        activeKernels()!,
        'sum',
        x,
        shape.map((_, i) => i),
        'float32',
      );
      expect(Math.abs(dataOf(got!)[0] - 100000) / 100000).toBeLessThan(1e-6);
    }
  });
});
