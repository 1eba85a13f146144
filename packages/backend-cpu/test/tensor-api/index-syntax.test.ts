import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { type IndexItem, KindlingError, ShapeError, type Tensor, arange, at, span, tensor, zeros } from '@kindling/tensor';

/** tools/fixtures/data/indexing.json, written by tools/fixtures/gen_indexing.py with PyTorch 1.13. */
interface Encoded {
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  data: (number | boolean)[];
}
type JsonItem = number | string | null | { span: (number | null)[] } | { tensor: Encoded };
interface Case {
  kind: 'read' | 'write';
  shape: number[];
  index: JsonItem[];
  value?: number | { tensor: Encoded };
  expected: Encoded | { error: true };
  view?: boolean;
}
const fixture: { cases: Case[] } = JSON.parse(
  readFileSync(new URL('../../../../tools/fixtures/data/indexing.json', import.meta.url), 'utf8'),
);

const decode = (e: Encoded): Tensor => tensor(e.data as number[], { dtype: e.dtype }).reshape(e.shape);
const item = (i: JsonItem): IndexItem => {
  if (i === null || typeof i !== 'object') return i;
  if ('span' in i) return span(...(i.span as [number | null, number | null, number | null]));
  return decode(i.tensor);
};
const base = (shape: number[]) =>
  arange(
    shape.reduce((a, b) => a * b, 1),
    { dtype: 'float32' },
  ).reshape(shape);
const values = (t: Tensor) => Array.from(t.readSync(), Number);
const label = (c: Case) =>
  `${c.kind} x${JSON.stringify(c.shape)}[${JSON.stringify(c.index)}]${c.value === undefined ? '' : ` = ${JSON.stringify(c.value)}`}`;

describe('Python indexing matches PyTorch (tools/fixtures/data/indexing.json)', () => {
  it('has reads, writes, views, masks, tensor indices and errors', () => {
    expect(fixture.cases.length).toBeGreaterThan(80);
    expect(fixture.cases.filter((c) => 'error' in c.expected).length).toBeGreaterThan(8);
  });

  for (const c of fixture.cases) {
    it(label(c), () => {
      const x = base(c.shape);
      const index = c.index.map(item);
      if (c.kind === 'read') {
        if ('error' in c.expected) {
          expect(() => x.at(...index)).toThrow(KindlingError);
          return;
        }
        const out = x.at(...index);
        expect(out.shape).toEqual(c.expected.shape);
        expect(values(out)).toEqual(c.expected.data);
        // Basic indexing gives a view of x's storage, advanced indexing a copy.
        expect(out.storage === x.storage).toBe(c.view);
        return;
      }
      const value = typeof c.value === 'number' ? c.value : decode((c.value as { tensor: Encoded }).tensor);
      if ('error' in c.expected) {
        expect(() => x.indexPut_(index, value)).toThrow(KindlingError);
        return;
      }
      const storage = x.storage;
      expect(x.indexPut_(index, value)).toBe(x);
      expect(x.storage).toBe(storage);
      expect(values(x)).toEqual(c.expected.data);
    });
  }
});

describe('at', () => {
  it("reads the tutorials' weight[0, :5] as a view that writes through", () => {
    const w = arange(12, { dtype: 'float32' }).reshape(3, 4);
    const row = w.at(0, ':2');
    expect(row.tolistSync()).toEqual([0, 1]);
    row.fill_(-1);
    expect(w.at(0).tolistSync()).toEqual([-1, -1, 2, 3]);
    w.at(':', -1).mul_(10);
    expect(w.tolistSync()).toEqual([
      [-1, -1, 2, 30],
      [4, 5, 6, 70],
      [8, 9, 10, 110],
    ]);
  });

  it('gives a copy for tensor indices: writing it leaves x alone', () => {
    const x = arange(6, { dtype: 'float32' });
    const picked = x.at([0, 0, 5]);
    expect(picked.tolistSync()).toEqual([0, 0, 5]);
    picked.fill_(9);
    expect(x.tolistSync()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('takes arrays of integers and of booleans like tensors, and is also a function', () => {
    const x = arange(12, { dtype: 'float32' }).reshape(3, 4);
    expect(x.at([2, 0], [1, 3]).tolistSync()).toEqual([9, 3]);
    expect(x.at([true, false, true], 0).tolistSync()).toEqual([0, 8]);
    expect(at(x, ':', '::3').tolistSync()).toEqual([
      [0, 3],
      [4, 7],
      [8, 11],
    ]);
  });

  it('works on non-contiguous tensors and other dtypes', () => {
    const x = arange(12, { dtype: 'int32' }).reshape(3, 4).t();
    expect(x.at('1:', [0, 2]).tolistSync()).toEqual([
      [1, 9],
      [2, 10],
      [3, 11],
    ]);
    expect(x.at(x.gt(8)).tolistSync()).toEqual([9, 10, 11]);
    const b = tensor([true, false, true]);
    expect(b.at(tensor([2, 1])).tolistSync()).toEqual([true, false]);
  });

  it('lets a multi-dim mask cover its dims, so later items index the dims after it (NumPy; PyTorch 1.13 fails here)', () => {
    const x = arange(12, { dtype: 'float32' }).reshape(2, 3, 2);
    const mask = tensor([
      [true, false, true],
      [false, false, true],
    ]);
    expect(x.at(mask, 1).tolistSync()).toEqual([1, 5, 11]);
    expect(x.at(mask, ':1').tolistSync()).toEqual([[0], [4], [10]]);
  });

  it('selects with a 0-dim int tensor as with its value, giving a view', () => {
    const x = arange(6, { dtype: 'float32' }).reshape(3, 2);
    const row = x.at(tensor(-1));
    expect(row.tolistSync()).toEqual([4, 5]);
    expect(row.storage).toBe(x.storage);
  });

  it('atAsync gives what at gives', async () => {
    const x = arange(6, { dtype: 'float32' }).reshape(2, 3);
    expect((await x.atAsync(x.gt(2))).tolistSync()).toEqual([3, 4, 5]);
    expect((await x.atAsync(-1, '::2')).tolistSync()).toEqual([3, 5]);
  });

  it('says what was wrong, in one line naming the op and the index position', () => {
    const x = zeros(3, 4);
    const messages: [IndexItem[], string][] = [
      [[5], 'at: index 5 is out of bounds for dimension 0 with size 3'],
      [[0, -5], 'at: index -5 is out of bounds for dimension 1 with size 4'],
      [[0, 0, 0], 'at: too many indices for tensor of dimension 2'],
      [['::-1'], 'at: slice step must be positive, got -1'],
      [[span(0, 3, 0)], 'at: slice step must be positive, got 0'],
      [
        ['..', 0],
        'at: index 0 is \'..\', expected an integer, a slice string like "1:3" or "::2", span(...), null, "...", or an int32/bool tensor',
      ],
      [['...', '...'], "at: an index can only have a single ellipsis ('...'), got a second at index 1"],
      [[1.5], 'at: index 0 is 1.5, expected an integer'],
      [[tensor([0, 7])], 'at: index 7 is out of bounds for dimension 0 with size 3'],
      [[':', tensor([1.5])], 'at: tensors used as indices must be int32 or bool, got float32 at index 1'],
      [[tensor([0, 1]), tensor([0, 1, 2])], 'at: shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]'],
    ];
    for (const [index, message] of messages) {
      expect(() => x.at(...index)).toThrow(message);
      expect(() => x.at(...index)).toThrow(KindlingError);
    }
    expect(() => x.at(tensor([true, false]))).toThrow(ShapeError);
    expect(() => x.at(tensor([true, false]))).toThrow(
      'at: the shape of the mask [2] at index 0 does not match the shape [3] of the indexed dims starting at dimension 0',
    );
  });
});

describe('indexPut_', () => {
  it("a row named twice gets its last value, as on PyTorch's CPU (never a value nobody wrote)", () => {
    const ints = zeros([3], { dtype: 'int32' });
    ints.indexPut_([[0, 0]], tensor([1, 2], { dtype: 'int32' }));
    expect(ints.tolistSync()).toEqual([2, 0, 0]);
    const rows = zeros([2, 3]);
    rows.indexPut_(
      [tensor([0, 1, 0], { dtype: 'int32' })],
      tensor([
        [1, 2, 3],
        [9, 9, 9],
        [4, 5, 6],
      ]),
    );
    expect(rows.tolistSync()).toEqual([
      [4, 5, 6],
      [9, 9, 9],
    ]);
  });

  it("writes the tutorials' x[mask] = 0 and x[:, 0] = y in place", () => {
    const x = arange(6, { dtype: 'float32' }).reshape(2, 3);
    x.indexPut_([x.gt(3)], 0);
    expect(x.tolistSync()).toEqual([
      [0, 1, 2],
      [3, 0, 0],
    ]);
    x.indexPut_([':', 0], tensor([7, 8]));
    expect(x.tolistSync()).toEqual([
      [7, 1, 2],
      [8, 0, 0],
    ]);
    x.indexPut_(1, -1);
    expect(x.at(1).tolistSync()).toEqual([-1, -1, -1]);
  });

  it('casts the value to the target dtype as PyTorch does (a float into an int tensor truncates)', () => {
    const x = zeros(4, { dtype: 'int32' });
    x.indexPut_([[1, 3]], 2.7);
    x.indexPut_('0:1', tensor([5.9]));
    expect(x.tolistSync()).toEqual([5, 2, 0, 2]);
    const b = zeros(3, { dtype: 'bool' });
    b.indexPut_([tensor([true, false, true])], true);
    b.indexPut_([[1]], 1);
    expect(b.tolistSync()).toEqual([true, true, true]);
  });

  it('reads a value that overlaps the target before writing', () => {
    const x = arange(4, { dtype: 'float32' });
    x.indexPut_('1:', x.at(':3'));
    expect(x.tolistSync()).toEqual([0, 0, 1, 2]);
  });

  it('bumps the version, so a tensor saved for backward is known to be stale', () => {
    const x = zeros(3);
    const before = x.storage.version;
    x.indexPut_([[0]], 1);
    expect(x.storage.version).toBe(before + 1);
  });

  it('refuses values that do not broadcast to the indexed shape', () => {
    const x = zeros(3, 4);
    expect(() => x.indexPut_([':', 0], tensor([1, 2]))).toThrow(
      'indexPut_: shape mismatch: value tensor of shape [2] cannot be broadcast to indexing result of shape [3]',
    );
    expect(() => x.indexPut_([[0, 1]], zeros(3, 4))).toThrow(
      'indexPut_: shape mismatch: value tensor of shape [3,4] cannot be broadcast to indexing result of shape [2,4]',
    );
  });
});
