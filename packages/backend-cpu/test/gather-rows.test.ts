import { gather, tensor } from '@kindling/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuReady } from '../src/index.js';

// gather along the last dim of a 2-D tensor with a [N, 1] index (an NLL loss picking each
// sample's class) takes a direct-addressing path in the CPU kernel; it must agree with the
// general path on every layout and report bad indices the same way.

const rows = [
  [0, 1, 2, 3],
  [10, 11, 12, 13],
  [20, 21, 22, 23],
];

describe('gather of one column per row', () => {
  beforeAll(async () => {
    await cpuReady();
  });

  it('picks x[i, index[i]] on dense, transposed and offset views, and from fewer rows than x has', () => {
    const x = tensor(rows);
    expect(Array.from(gather(x, 1, tensor([[3], [0], [2]])).readSync())).toEqual([3, 10, 22]);
    const xt = tensor(rows[0].map((_, c) => rows.map((r) => r[c]))).t(); // x's values, column-major strides
    expect(Array.from(gather(xt, 1, tensor([[1], [2], [3]])).readSync())).toEqual([1, 12, 23]);
    const narrowed = tensor(rows).narrow(0, 1, 2); // offset 4
    expect(Array.from(gather(narrowed, 1, tensor([[2], [1]])).readSync())).toEqual([12, 21]);
    expect(Array.from(gather(x, 1, tensor([[1], [2]])).readSync())).toEqual([1, 12]);
    // A strided index (a column of a wider index tensor) reads the same entries.
    const wide = tensor([
      [9, 3],
      [9, 0],
      [9, 2],
    ]).narrow(1, 1, 1);
    expect(Array.from(gather(x, 1, wide).readSync())).toEqual([3, 10, 22]);
  });

  it('agrees with the general path (a two-column index) and refuses out-of-range indices with its message', () => {
    const x = tensor(rows, { dtype: 'float64' });
    const both = Array.from(
      gather(
        x,
        1,
        tensor([
          [3, 1],
          [0, 0],
          [2, 3],
        ]),
      ).readSync(),
    );
    expect(both.filter((_, i) => i % 2 === 0)).toEqual(Array.from(gather(x, 1, tensor([[3], [0], [2]])).readSync()));
    expect(() => gather(x, 1, tensor([[4], [0], [0]]))).toThrow('gather: index 4 is out of bounds for dimension 1 with size 4');
    expect(() => gather(x, 1, tensor([[0], [-1], [0]]))).toThrow('gather: index -1 is out of bounds for dimension 1 with size 4');
  });
});
