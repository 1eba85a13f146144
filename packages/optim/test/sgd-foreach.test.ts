import { cpuBackend, cpuReady } from '@kindling/backend-cpu';
import { Linear } from '@kindling/nn';
import { type Tensor, noGrad, randn, tensor } from '@kindling/tensor';
import type { Backend } from '@kindling/tensor/backend';
import { foreachAdd_ } from '@kindling/tensor/internal';
import { afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { SGD } from '../src/index.js';

// Plain SGD updates all parameters with one list op (foreachAdd_), as PyTorch's foreach path does:
// these check it is the same update as add_ per parameter, and that it takes the fused kernel.

const spies = new Map<string, MockInstance>();
/** Calls made to each watched method so far, by `prefix + name`. */
const calls = { get: (name: string): number | undefined => spies.get(name)?.mock.calls.length };

function count(target: object, names: readonly string[], prefix = ''): void {
  for (const name of names) spies.set(prefix + name, vi.spyOn(target as Record<string, () => unknown>, name));
}

function unwatch(): void {
  vi.restoreAllMocks();
  spies.clear();
}

beforeAll(async () => {
  await cpuReady();
});

afterEach(unwatch);

const values = (t: Tensor): number[] => Array.from(t.readSync());

describe('SGD through foreachAdd_', () => {
  it('a plain step is one fused axpy per parameter and equals p.add_(grad, { alpha: -lr }) bit for bit', () => {
    const model = new Linear(784, 128);
    const params = [...model.parameters()];
    params[0].grad = randn([128, 784]);
    params[1].grad = randn([128]);
    const expected = noGrad(() =>
      params.map((p) =>
        p
          .detach()
          .clone()
          .add_(p.grad as Tensor, { alpha: -0.003 }),
      ),
    );
    const b = cpuBackend as Backend;
    count(b, ['binary', 'assign']);
    count(b.fused as object, ['axpy'], 'fused.');
    new SGD(params, { lr: 0.003 }).step();
    expect(calls.get('fused.axpy')).toBe(2);
    expect(calls.get('binary') ?? 0).toBe(0);
    expect(calls.get('assign') ?? 0).toBe(0);
    params.forEach((p, i) => {
      expect(values(p)).toEqual(values(expected[i]));
    });
  });

  it('momentum, weight decay and maximize still take the per-parameter update', () => {
    const start = [1.5, 2.5, -3.5];
    const p = tensor(start).requiresGrad_();
    p.grad = tensor([0.5, -1, 2]);
    const b = cpuBackend as Backend;
    count(b, ['binary']);
    new SGD([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.01, maximize: true }).step();
    // -grad, then + weightDecay * p: ops of their own before the momentum buffer's first value.
    expect(calls.get('binary')).toBeGreaterThan(0);
    const d = [0.5, -1, 2].map((g, i) => -g + 0.01 * start[i]);
    values(p).forEach((v, i) => {
      expect(v).toBeCloseTo(start[i] - 0.1 * d[i], 6);
    });
  });
});

describe('foreachAdd_', () => {
  it('equals add_ per pair where the kernel declines: broadcast, mixed dtypes, strided operands', () => {
    const cases: [Tensor, Tensor][] = [
      [randn([2, 3]), randn([3])],
      [randn([4], { dtype: 'float64' }), randn([4])],
      [randn([3, 2]), randn([2, 3]).t()],
      [tensor([1, 2, 3], { dtype: 'int32' }), tensor([4, 5, 6], { dtype: 'int32' })],
    ];
    const expected = cases.map(([t, o]) => values(t.clone().add_(o, { alpha: 2 })));
    noGrad(() =>
      foreachAdd_(
        cases.map(([t]) => t),
        cases.map(([, o]) => o),
        { alpha: 2 },
      ),
    );
    for (const [i, [t]] of cases.entries()) expect(values(t)).toEqual(expected[i]);
  });

  it("counts as a write for autograd's saved-tensor check", () => {
    const w = randn([3]).requiresGrad_();
    const x = randn([3]);
    const y = w.mul(x).sum(); // saves x
    noGrad(() => foreachAdd_([x], [randn([3])]));
    expect(() => y.backward()).toThrow(/modified by an in-place operation/);
  });

  it('with grad mode on runs add_ per pair, with its errors', () => {
    const p = randn([3]).requiresGrad_();
    expect(() => foreachAdd_([p], [randn([3])])).toThrow(/leaf tensor that requires grad/);
  });

  it('refuses lists of different lengths', () => {
    expect(() => noGrad(() => foreachAdd_([randn([2])], []))).toThrow(/as many tensors as others/);
  });
});
