import '@kindling/backend-cpu';
import { type Tensor, randn, tensor, zeros } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { gradcheck, noGrad } from '../src/index.js';
import { baseIndices } from '../src/view-index.js';

/*
 * In-place ops on views beyond the PyTorch fixture (inplace-views.test.ts):
 * gradcheck, cases PyTorch refuses or answers differently, and updates that
 * must stay unrecorded.
 */

const values = (t: Tensor) => Array.from(t.readSync(), Number);

describe('in-place ops on views: what the fixture does not cover', () => {
  const f64 = (shape: number[]) => randn(shape, { dtype: 'float64' }).requiresGrad_(true);

  it('gradcheck: writes through narrow, transpose and select views, with tensor operands', () => {
    const fn = (a: Tensor, z: Tensor, u: Tensor) => {
      const y = a.mul(a);
      y.narrow(1, 1, 2).mul_(z);
      y.t().at(0).add_(u, { alpha: -2 });
      y.at(2).div_(z.at(0, 0).mul(z.at(0, 0)).add(1));
      return y.mul(y);
    };
    expect(gradcheck(fn, [f64([3, 4]), f64([3, 2]), f64([3])])).toBe(true);
  });

  it('gradcheck: copy_ into the view of a base that does not require grad', () => {
    const fn = (u: Tensor) => {
      const y = zeros([2, 3], { dtype: 'float64' });
      y.at(':', '1:').copy_(u.mul(u));
      return y.exp();
    };
    expect(gradcheck(fn, [f64([2, 2])])).toBe(true);
  });

  it("chunk's views may be written (PyTorch refuses), with the same gradient as writing the narrow", () => {
    const data = randn([4, 3]);
    const w = randn([4, 3]);
    const run = (write: (y: Tensor) => void) => {
      const a = data.clone().requiresGrad_(true);
      const y = a.mul(1);
      write(y);
      y.mul(y).mul(w).sum().backward();
      return values(a.grad as Tensor);
    };
    const viaChunk = run((y) => y.chunk(2)[1]?.mul_(3));
    const viaNarrow = run((y) => y.narrow(0, 2, 2).mul_(3));
    expect(viaChunk).toEqual(viaNarrow);
  });

  it("retainGrad on a base written through a view gives the new value's gradient, as a write into the base does", () => {
    const a = randn([3, 4], { requiresGrad: true });
    const w = randn([3, 4]);
    const scale = tensor([[2], [1], [1]], { dtype: 'float32' });
    const retained = (write: (y: Tensor) => void) => {
      const y = a.mul(1);
      y.retainGrad();
      write(y);
      y.mul(y).mul(w).sum().backward();
      return values(y.grad as Tensor);
    };
    const throughView = retained((y) => y.at(0).mul_(2));
    const intoBase = retained((y) => y.mul_(scale));
    throughView.forEach((g, i) => {
      expect(g).toBeCloseTo(intoBase[i] as number, 5);
    });
  });

  it('a view whose base was written since is right as a backward root, and twice with retainGraph', () => {
    const a = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float32', requiresGrad: true },
    );
    const y = a.mul(1);
    const v = y.at(0);
    y.at(':', 1).mul_(3);
    v.backward(tensor([1, 1], { dtype: 'float32' }), { retainGraph: true });
    expect(v.gradFn?.name).toBe('AsStridedBackward0');
    expect(values(a.grad as Tensor)).toEqual([1, 3, 0, 0]);
    v.backward(tensor([1, 1], { dtype: 'float32' }));
    expect(values(a.grad as Tensor)).toEqual([2, 6, 0, 0]);
  });

  it('refuses a write through overlapping unfold windows (its gradient would be ambiguous)', () => {
    const y = randn([3, 4], { requiresGrad: true }).mul(1);
    expect(() => y.unfold(1, 2, 1).mul_(2)).toThrow(
      /^mul_: more than one element of the written-to view refers to a single memory location/,
    );
  });

  it('an advanced-index read is a copy: writing into it leaves the base alone', () => {
    const a = tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const y = a.mul(1);
    y.at([0, 2]).fill_(0);
    y.sum().backward();
    expect(values(a.grad as Tensor)).toEqual([1, 1, 1]);
  });

  it('parameter updates through views under noGrad, or through .data, are not recorded (optimizers, init)', () => {
    const p = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float32', requiresGrad: true },
    );
    noGrad(() => p.at(0).mul_(0.5));
    p.data.at(1).fill_(0);
    p.data.view(-1).at('::3').add_(1);
    expect(p.isLeaf).toBe(true);
    expect(p.gradFn).toBeNull();
    expect(values(p)).toEqual([1.5, 1, 0, 1]);
    p.mul(2).sum().backward();
    expect(values(p.grad as Tensor)).toEqual([2, 2, 2, 2]);
  });

  it('views made under noGrad may be written under noGrad', () => {
    const a = randn([2, 2], { requiresGrad: true });
    const y = a.mul(1);
    noGrad(() => {
      const v = y.at(0);
      v.fill_(0);
    });
    y.sum().backward();
    expect(values(a.grad as Tensor)).toEqual([1, 1, 1, 1]);
  });
});

describe('baseIndices (where a view lies in its base)', () => {
  it('maps a view of a row-major base by address', () => {
    // Column 1 of a 3x4 base at storage offset 2.
    const base = { shape: [3, 4], strides: [4, 1], offset: 2 };
    expect(Array.from(baseIndices('t', base, { shape: [3], strides: [4], offset: 3 }, true))).toEqual([1, 5, 9]);
  });

  it('maps a view of a base laid out column-major through an address table', () => {
    const base = { shape: [2, 3], strides: [1, 2], offset: 0 };
    // Row 1 of the base: addresses 1, 3, 5 are its elements 3, 4, 5.
    expect(Array.from(baseIndices('t', base, { shape: [3], strides: [2], offset: 1 }, true))).toEqual([3, 4, 5]);
  });

  it('refuses writes through overlapping views, reads them', () => {
    const base = { shape: [4], strides: [1], offset: 0 };
    const expanded = { shape: [2, 4], strides: [0, 1], offset: 0 };
    expect(Array.from(baseIndices('t', base, expanded, false))).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(() => baseIndices('mul_', base, expanded, true)).toThrow(/^mul_: more than one element of the written-to view/);
  });
});
