import { tensor, zeros } from '@kindling/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuReady } from '../src/index.js';

// Dense casts and assigns between element types are one TypedArray.set(), which must convert each
// element exactly as the element loop did: bool to 0/1, float to int truncating toward zero, uint8
// wrapping, and a dense view's offset honoured.

beforeAll(async () => {
  await cpuReady();
});

describe('dense cast and assign between dtypes', () => {
  it('cast converts like element assignment, from an offset view', () => {
    const x = tensor([9, -2.7, 2.7, 300.5, -1, 0.5], { dtype: 'float32' }).narrow(0, 1, 4);
    expect(Array.from(x.cast('int32').readSync())).toEqual([-2, 2, 300, -1]);
    expect(Array.from(x.cast('uint8').readSync())).toEqual([254, 2, 44, 255]);
    expect(Array.from(x.cast('bool').readSync())).toEqual([1, 1, 1, 1]);
    const mask = tensor([0.1, 0.9, 0.4, 0.7]).lt(0.5);
    expect(Array.from(mask.cast('float32').readSync())).toEqual([1, 0, 1, 0]);
    expect(Array.from(tensor([1, 255], { dtype: 'uint8' }).cast('float64').readSync())).toEqual([1, 255]);
  });

  it('assign (copy_) converts into a dense view of another dtype', () => {
    const dst = zeros([5], { dtype: 'int32' });
    dst.narrow(0, 1, 3).copy_(tensor([1.9, -1.9, 7.5]));
    expect(Array.from(dst.readSync())).toEqual([0, 1, -1, 7, 0]);
    const f = zeros([3]);
    f.copy_(tensor([0, 1, 1], { dtype: 'bool' }));
    expect(Array.from(f.readSync())).toEqual([0, 1, 1]);
  });
});
