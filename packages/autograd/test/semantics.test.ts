import '@kindling/backend-cpu';
import { KindlingError, type Tensor, affine, cat, manualSeed, ones, randn, tensor, zeros } from '@kindling/tensor';
import * as torch from '@kindling/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { enableGrad, grad, isGradEnabled, noGrad, setGradEnabled } from '../src/index.js';

const values = (t: Tensor | null) => Array.from((t as Tensor).readSync());

beforeEach(() => manualSeed(0));

describe("the seeds' first autograd example", () => {
  it('y = x**2, z = y.mean(), z.backward() gives x.grad == x / 2', () => {
    const x = randn(2, 2, { requiresGrad: true });
    const y = x.pow(2);
    const z = y.mean();
    expect(y.gradFn?.name).toBe('PowBackward0');
    expect(z.gradFn?.name).toBe('MeanBackward0');
    expect(z.gradFn?.nextFunctions[0][0]).toBe(y.gradFn);
    z.backward();
    const expected = values(x).map((v) => v / 2);
    values(x.grad).forEach((g, i) => {
      expect(g).toBeCloseTo(expected[i], 6);
    });
  });

  it('leaves get .grad, non-leaves only after retainGrad', () => {
    const x = randn(3, { requiresGrad: true });
    const y = x.mul(2);
    const w = x.mul(3).retainGrad();
    y.add(w).sum().backward();
    expect(x.isLeaf).toBe(true);
    expect(y.isLeaf).toBe(false);
    expect(y.grad).toBeNull();
    expect(values(w.grad)).toEqual([1, 1, 1]);
    expect(values(x.grad)).toEqual([5, 5, 5]);
  });

  it('prints requires_grad and grad_fn like PyTorch', () => {
    const x = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    expect(x.toString()).toBe('tensor([1., 2.], requires_grad=True)');
    expect(x.mul(2).toString()).toBe('tensor([2., 4.], grad_fn=<MulBackward0>)');
  });
});

describe('accumulation and graph lifetime', () => {
  it('accumulates across backward calls until zeroed', () => {
    const x = tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    x.mul(2).sum().backward();
    x.mul(2).sum().backward();
    expect(values(x.grad)).toEqual([4, 4, 4]);
    x.grad = null;
    x.mul(3).sum().backward();
    expect(values(x.grad)).toEqual([3, 3, 3]);
  });

  it('refuses a second backward through a freed graph, unless retainGraph', () => {
    const x = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    expect(() => y.backward()).toThrow(/backward through the graph a second time/);
    const z = x.mul(x).sum();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(values(x.grad)).toEqual([2 + 4, 4 + 8]);
  });

  it('needs an explicit gradient for non-scalar outputs', () => {
    const x = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = x.mul(3);
    expect(() => y.backward()).toThrow(/implicitly created only for scalar outputs/);
    y.backward(tensor([1, 10], { dtype: 'float32' }));
    expect(values(x.grad)).toEqual([3, 30]);
  });

  it('reports a backward from a tensor that does not require grad', () => {
    expect(() => ones(2).sum().backward()).toThrow(/does not require grad/);
  });

  it('exposes nextFunctions down to AccumulateGrad', () => {
    const a = randn(2, 3, { requiresGrad: true });
    const b = randn(3, 4, { requiresGrad: true });
    const c = a.matmul(b).relu();
    expect(c.gradFn?.name).toBe('ReluBackward0');
    const mm = c.gradFn?.nextFunctions[0][0];
    expect(mm?.name).toBe('MmBackward0');
    expect(mm?.nextFunctions.map(([n]) => n?.name)).toEqual(['AccumulateGrad', 'AccumulateGrad']);
  });

  it('sums gradients of a tensor used twice and of broadcast inputs', () => {
    const x = tensor([[1], [2]], { dtype: 'float32', requiresGrad: true });
    const b = tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    x.add(b).mul(x).sum().backward();
    // d/dx sum((x + b) * x) = sum over b of (2x + b) ; d/db = sum over x of x
    expect(values(x.grad)).toEqual([2 * 1 * 3 + 6, 2 * 2 * 3 + 6]);
    expect(values(b.grad)).toEqual([3, 3, 3]);
  });
});

describe('grad mode', () => {
  it("is @kindling/tensor's, so nn (which does not load autograd) and autograd share one mode", () => {
    expect(noGrad).toBe(torch.noGrad);
    expect(enableGrad).toBe(torch.enableGrad);
    expect(isGradEnabled).toBe(torch.isGradEnabled);
    expect(setGradEnabled).toBe(torch.setGradEnabled);
  });

  it('noGrad records nothing and restores the mode, also on throw', () => {
    const x = randn(2, { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('enableGrad inside noGrad records again; setGradEnabled switches globally', () => {
    const x = randn(2, { requiresGrad: true });
    const y = noGrad(() => enableGrad(() => x.mul(2)));
    expect(y.requiresGrad).toBe(true);
    setGradEnabled(false);
    try {
      expect(x.mul(2).requiresGrad).toBe(false);
    } finally {
      setGradEnabled(true);
    }
  });

  it('restores the mode when an async function settles', async () => {
    const p = noGrad(async () => {
      await Promise.resolve();
      return 1;
    });
    await p;
    expect(isGradEnabled()).toBe(true);
  });

  it('detach cuts the graph and shares storage; detach_ works in place', () => {
    const x = randn(3, { requiresGrad: true });
    const y = x.mul(2);
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.storage).toBe(y.storage);
    y.detach_();
    expect(y.gradFn).toBeNull();
    expect(y.requiresGrad).toBe(false);
  });

  it('only floating tensors can require grad', () => {
    expect(() => tensor([1, 2]).requiresGrad_()).toThrow(/only floating point tensors/);
  });
});

describe('in-place ops', () => {
  it('throw on a leaf that requires grad, and work under noGrad', () => {
    const w = ones(3, { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(KindlingError);
    expect(() => w.add_(1)).toThrow(/leaf tensor that requires grad is being used in an in-place operation/);
    noGrad(() => w.sub_(0.5));
    expect(values(w)).toEqual([0.5, 0.5, 0.5]);
  });

  it('are caught by version counters when a saved tensor was modified', () => {
    const x = ones(3, { requiresGrad: true });
    const y = x.mul(2);
    const z = y.mul(y).sum(); // saves y
    noGrad(() => y.add_(1));
    expect(() => z.backward()).toThrow(/modified by an in-place operation.*version 1; expected version 0/);
  });

  it('are differentiated on non-leaf tensors', () => {
    const x = tensor([1, -2, 3], { dtype: 'float32', requiresGrad: true });
    const y = x.mul(2);
    y.mul_(3);
    y.relu_();
    expect(y.gradFn?.name).toBe('ReluBackward0');
    expect(y.gradFn?.nextFunctions[0][0]?.name).toBe('MulBackward0');
    y.sum().backward();
    expect(values(x.grad)).toEqual([6, 0, 6]);
  });

  it('fail like PyTorch when a later in-place op overwrites an output a node saved', () => {
    const x = tensor([1, -2, 3], { dtype: 'float32', requiresGrad: true });
    const y = x.mul(2);
    y.relu_(); // saves its output, y
    y.mul_(3);
    expect(() => y.sum().backward()).toThrow(/output 0 of ReluBackward0, is at version 2; expected version 1/);
  });

  it('give a tensor history when a requires-grad value is written into it', () => {
    const w = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const buf = zeros(2);
    buf.add_(w.mul(3));
    expect(buf.requiresGrad).toBe(true);
    buf.sum().backward();
    expect(values(w.grad)).toEqual([3, 3]);
  });
});

describe('functional grad', () => {
  it('returns gradients without touching .grad', () => {
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const [g] = grad(x.pow(3).sum(), [x]);
    expect(values(g)).toEqual([3, 12, 27]);
    expect(x.grad).toBeNull();
  });

  it('differentiates twice with createGraph', () => {
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const [g] = grad(x.pow(3).sum(), [x], { createGraph: true });
    expect(g?.requiresGrad).toBe(true);
    const [gg] = grad((g as Tensor).sum(), [x]);
    expect(values(gg)).toEqual([6, 12, 18]);
  });

  it('returns gradients of intermediate tensors', () => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const h = x.mul(3);
    const [gh, gx] = grad(h.mul(h).sum(), [h, x]);
    expect(values(gh)).toEqual([6, 12]);
    expect(values(gx)).toEqual([18, 36]);
  });

  it('rejects unused inputs unless allowUnused', () => {
    const x = tensor([1.5], { requiresGrad: true });
    const u = tensor([2.5], { requiresGrad: true });
    expect(() => grad(x.mul(2).sum(), [u])).toThrow(/not have been used in the graph/);
    expect(grad(x.mul(2).sum(), [u], { allowUnused: true })).toEqual([null]);
  });

  it('gives a float64 input of a float32 affine its gradient in float64', () => {
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    affine(x, -2, 1, { dtype: 'float32' }).sum().backward();
    expect(x.grad?.dtype).toBe('float64');
    expect(values(x.grad)).toEqual([-2, -2, -2]);
  });
});

describe('.grad owns its storage', () => {
  it('gives two leaves fed the same gradient (a + b) separate .grad storages', () => {
    const a = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const b = tensor([3, 4], { dtype: 'float32', requiresGrad: true });
    a.add(b)
      .mul(tensor([5, 6]))
      .sum()
      .backward();
    expect(a.grad?.storage).not.toBe(b.grad?.storage);
    a.grad?.add_(1);
    expect(values(a.grad)).toEqual([6, 7]);
    expect(values(b.grad)).toEqual([5, 6]);
  });

  it('copies a gradient the caller passed to backward, even when it flows to a leaf unchanged', () => {
    const x = tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const g = tensor([0.5, 1, 2]);
    x.clone().backward(g);
    expect(x.grad?.storage).not.toBe(g.storage);
    g.fill_(9);
    expect(values(x.grad)).toEqual([0.5, 1, 2]);
  });

  it('gives leaves whose gradients are slices of one tensor (cat) storages of their own', () => {
    const a = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const b = tensor([3, 4, 5], { dtype: 'float32', requiresGrad: true });
    cat([a, b])
      .mul(tensor([1, 2, 3, 4, 5]))
      .sum()
      .backward();
    expect(a.grad?.storage.size).toBe(2);
    expect(b.grad?.storage.size).toBe(3);
    a.grad?.fill_(0);
    expect(values(b.grad)).toEqual([3, 4, 5]);
  });
});

describe('what mul saves for backward (as PyTorch)', () => {
  it('a product by a constant keeps nothing, so the operand may change in place afterwards', () => {
    const a = tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const v = a.add(0);
    const s = v.mul(3);
    v.mul_(2);
    s.sum().add(v.sum()).backward();
    expect(values(a.grad)).toEqual([5, 5, 5]);
  });

  it('a product of two tensors in the graph still refuses an operand changed in place', () => {
    const a = tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const v = a.add(0);
    const s = v.mul(v);
    v.mul_(2);
    expect(() => s.sum().backward()).toThrow(/modified by an in-place operation/);
  });

  it('only the operand that needs a gradient gets one', () => {
    const a = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const b = tensor([3, 4], { dtype: 'float32' });
    a.mul(b).sum().backward();
    expect(values(a.grad)).toEqual([3, 4]);
    expect(b.grad).toBeNull();
  });
});

describe('.data (as PyTorch)', () => {
  it('writes through .data change a value saved for backward without the in-place error, and backward uses the new value', () => {
    const w = tensor([1, 1, 1], { dtype: 'float32', requiresGrad: true });
    const y = w.mul(w);
    w.data.mul_(2);
    y.sum().backward();
    expect(values(w.grad)).toEqual([4, 4, 4]);
  });

  it('the same write through detach() is still refused', () => {
    const w = tensor([1, 1, 1], { dtype: 'float32', requiresGrad: true });
    const y = w.mul(w);
    w.detach().mul_(2);
    expect(() => y.sum().backward()).toThrow(/modified by an in-place operation/);
  });
});
