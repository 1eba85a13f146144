import { tensor } from '@kindling/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { setupWebGPU } from './setup-gpu.js';

beforeAll(async () => {
  await setupWebGPU();
});

const device = 'webgpu';

describe('Python indexing on webgpu', () => {
  test('basic indexing gives views, tensor indices copies', async () => {
    const x = tensor(
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
      { device, dtype: 'float32' },
    );
    const row = x.at(-1, '::2');
    expect(row.storage).toBe(x.storage);
    expect(await row.tolist()).toEqual([3, 5]);
    expect(await x.at(':', tensor([2, -3], { device })).tolist()).toEqual([
      [2, 0],
      [5, 3],
    ]);
  });

  test('a mask needs atAsync there, since its count of true elements is read asynchronously', async () => {
    const x = tensor([1, 5, 2, 7], { device, dtype: 'float32' });
    expect(() => x.at(x.gt(3))).toThrow(
      "at: a boolean mask index needs its number of true elements, which the webgpu backend can only read asynchronously; use 'await x.atAsync(...)'",
    );
    expect(await (await x.atAsync(x.gt(3))).tolist()).toEqual([5, 7]);
  });

  test('writes: x[mask] = 0 needs no count, tensor indices and slices write in place', async () => {
    const x = tensor(
      [
        [1, 5, 2],
        [7, 0, 9],
      ],
      { device, dtype: 'float32' },
    );
    x.indexPut_([x.gt(4)], 0);
    x.indexPut_([':', 0], tensor([8, 9], { device, dtype: 'float32' }));
    x.indexPut_([tensor([1], { device }), tensor([1], { device })], -1);
    expect(await x.tolist()).toEqual([
      [8, 0, 2],
      [9, -1, 0],
    ]);
    expect(() => x.indexPut_([x.gt(4)], tensor([1, 2], { device, dtype: 'float32' }))).toThrow(/only index works on every backend/);
  });
});
