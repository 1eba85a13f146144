import { readFileSync } from 'node:fs';
import '@kindling/backend-cpu';
import { type IndexItem, KindlingError, type Tensor, arange, linspace, randn, span, tensor } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { gradcheck } from '../src/index.js';

/** tools/fixtures/data/indexing.json, written by tools/fixtures/gen_indexing.py with PyTorch 1.13. */
interface Encoded {
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  data: (number | boolean)[];
}
type JsonItem = number | string | null | { span: (number | null)[] } | { tensor: Encoded };
interface WriteCase {
  kind: 'write';
  shape: number[];
  index: JsonItem[];
  value: number | { tensor: Encoded };
  gradTarget?: Encoded;
  gradValue?: Encoded;
  gradFn?: string;
}
const fixture: { cases: (WriteCase | { kind: 'read' })[] } = JSON.parse(
  readFileSync(new URL('../../../tools/fixtures/data/indexing.json', import.meta.url), 'utf8'),
);
const writes = fixture.cases.filter((c): c is WriteCase => c.kind === 'write' && 'gradTarget' in c);

const decode = (e: Encoded): Tensor => tensor(e.data as number[], { dtype: e.dtype }).reshape(e.shape);
const item = (i: JsonItem): IndexItem => {
  if (i === null || typeof i !== 'object') return i;
  if ('span' in i) return span(...(i.span as [number | null, number | null, number | null]));
  return decode(i.tensor);
};
const values = (t: Tensor | null) => Array.from((t as Tensor).readSync(), Number);
const close = (got: number[], want: (number | boolean)[]) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    expect(g).toBeCloseTo(Number(want[i]), 5);
  });
};

describe('indexPut_ gradients match PyTorch (x = a * 1; x[index] = v; sum(w * x).backward())', () => {
  it('has cases for masks, tensor indices, slices and broadcast values', () => {
    expect(writes.length).toBeGreaterThan(15);
    expect(writes.some((c) => c.gradFn === 'IndexPutBackward0')).toBe(true);
    expect(writes.some((c) => c.gradFn === 'torch::autograd::CopySlices')).toBe(true);
  });

  for (const c of writes) {
    it(`x${JSON.stringify(c.shape)}[${JSON.stringify(c.index)}] = ${JSON.stringify(c.value)}`, () => {
      const n = c.shape.reduce((p, s) => p * s, 1);
      const a = arange(n, { dtype: 'float32' }).reshape(c.shape).requiresGrad_(true);
      const v = typeof c.value === 'number' ? c.value : decode(c.value.tensor).requiresGrad_(true);
      const w = linspace(-1, 2, n).reshape(c.shape);
      const x = a.mul(1);
      x.indexPut_(c.index.map(item), v);
      // PyTorch names the node CopySlices when the index also slices; the '...'-only write is its fill_/copy_.
      if (c.gradFn === 'IndexPutBackward0' || c.gradFn === 'torch::autograd::CopySlices') {
        expect(x.gradFn?.name).toBe(c.gradFn.replace('torch::autograd::', ''));
      }
      x.mul(w).sum().backward();
      close(values(a.grad), (c.gradTarget as Encoded).data);
      if (c.gradValue) close(values((v as Tensor).grad), c.gradValue.data);
    });
  }
});

const f64 = (...shape: number[]) => randn(shape, { dtype: 'float64' }).requiresGrad_(true);

describe('gradcheck', () => {
  const reads: [IndexItem[], number[]][] = [
    [
      [0, '1:3'],
      [3, 4],
    ],
    [
      ['...', null, '::2'],
      [3, 4],
    ],
    [[tensor([2, 0, 2])], [3, 4]],
    [
      [
        ':',
        tensor([
          [1, 1],
          [0, 3],
        ]),
      ],
      [3, 4],
    ],
    [
      [tensor([0, 1]), ':', tensor([3, 0])],
      [2, 3, 4],
    ],
    [
      [':', tensor([2, 0]), tensor([3, 0])],
      [2, 3, 4],
    ],
    [[tensor([true, false, true])], [3, 4]],
    [
      [span(null, null, 2), tensor([-1])],
      [3, 4],
    ],
  ];
  for (const [index, shape] of reads) {
    it(`reads x.at(${index.map(String).join(', ')}) of shape [${shape}]`, () => {
      expect(gradcheck((x) => x.at(...index), [f64(...shape)])).toBe(true);
    });
  }

  const writes: [IndexItem[], number[]][] = [
    [[':', 0], [3]],
    [
      [0, '1:'],
      [1, 3],
    ],
    [[tensor([2, 0])], [4]],
    [[tensor([0, 2]), tensor([1, 3])], [2]],
    [
      [':', tensor([3, 1])],
      [3, 1],
    ],
    [
      [
        tensor([
          [true, false, true, false],
          [false, false, false, true],
          [true, true, false, false],
        ]),
      ],
      [5],
    ],
    [[tensor([true, false, true])], []],
  ];
  for (const [index, valueShape] of writes) {
    it(`writes x.indexPut_([${index.map(String).join(', ')}], value of shape [${valueShape}])`, () => {
      const fn = (x: Tensor, v: Tensor) => x.mul(1).indexPut_(index, v);
      expect(gradcheck(fn, [f64(3, 4), f64(...valueShape)])).toBe(true);
    });
  }

  it('writes a number: only the target has a gradient', () => {
    expect(gradcheck((x) => x.mul(1).indexPut_([tensor([true, false, true])], 3), [f64(3, 4)])).toBe(true);
    expect(gradcheck((x) => x.mul(1).indexPut_([tensor([1, 0])], 3), [f64(3, 4)])).toBe(true);
  });
});

describe('indexPut_ in the graph', () => {
  it('refuses a leaf that requires grad, as every in-place op does', () => {
    const a = randn(3, { requiresGrad: true });
    expect(() => a.indexPut_([[0]], 1)).toThrow(KindlingError);
    expect(() => a.indexPut_([[0]], 1)).toThrow('indexPut_: a leaf tensor that requires grad is being used in an in-place operation');
  });

  it('gives a tensor that did not require grad a gradFn when the value does', () => {
    const x = arange(4, { dtype: 'float32' });
    const v = tensor([5, 6], { dtype: 'float32', requiresGrad: true });
    x.indexPut_([[3, 0]], v);
    expect(x.requiresGrad).toBe(true);
    expect(x.gradFn?.name).toBe('IndexPutBackward0');
    x.mul(tensor([1, 2, 3, 4]))
      .sum()
      .backward();
    expect(values(v.grad)).toEqual([4, 1]);
  });

  it('makes a tensor saved for backward stale, as PyTorch does', () => {
    const a = randn(3, { requiresGrad: true });
    const x = a.mul(1);
    const y = x.pow(2);
    x.indexPut_(0, 0);
    expect(() => y.sum().backward()).toThrow(/modified by an in-place operation/);
  });

  it('backpropagates through reads with repeated indices by accumulating', () => {
    const a = arange(3, { dtype: 'float32', requiresGrad: true });
    a.at([0, 2, 0, 0]).sum().backward();
    expect(values(a.grad)).toEqual([3, 0, 1]);
  });

  it('names read nodes as PyTorch does: views, then IndexBackward0 for tensor indices', () => {
    const a = randn(3, 4, { requiresGrad: true });
    expect(a.at(0).gradFn?.name).toBe('SelectBackward0');
    expect(a.at(':', '1:').gradFn?.name).toBe('SliceBackward0');
    expect(a.at([2, 0]).gradFn?.name).toBe('IndexBackward0');
    expect(a.at(a.gt(0)).gradFn?.name).toBe('IndexBackward0');
    const picked = a.at(':', [1, 1]);
    expect(picked.gradFn?.name).toBe('IndexBackward0');
    picked
      .mul(tensor([[1, 2]]))
      .sum()
      .backward();
    expect(values(a.grad)).toEqual([0, 3, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0]);
  });
});
