import { cpuBackend, cpuReady } from '@kindling/backend-cpu';
import { type Tensor, affine, linear, logSoftmax, nllLoss, randn, tensor, tidy } from '@kindling/tensor';
import { grad } from '../src/index.js';
import type { Backend } from '@kindling/tensor/backend';
import { linearBackward, logSoftmaxBackward, reluBackward } from '@kindling/tensor/internal';
import { afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import '../src/index.js';

// The training step's hot paths take the short way on the CPU backend: these count the
// backend calls an op makes, so a regression to the long way fails here.

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

function watch(): void {
  const b = cpuBackend as Backend;
  count(b, ['binary', 'assign', 'matmul', 'where', 'cast', 'scatterAdd', 'reduce', 'gather']);
  count(b.fused as object, ['axpy', 'reluBackward', 'affine', 'logSoftmaxBackward'], 'fused.');
}

/** The first layer of the seeds' MLP and a loss whose gradient reaches it as an ordinary (not broadcast) tensor. */
function linearLoss() {
  const x = randn([64, 784]);
  const w = randn([128, 784]).requiresGrad_();
  const b = randn([128]).requiresGrad_();
  // A gradient of ones would reach linear as a broadcast view; mul makes it an ordinary one.
  const loss = linear(x, w, b)
    .mul(randn([64, 128]))
    .sum();
  return { x, w, b, loss };
}

describe('fused paths on the cpu backend', () => {
  it('add_/sub_ with alpha update a dense float32 tensor in place through axpy', () => {
    const p = randn([128, 784]);
    const g = randn([128, 784]);
    watch();
    p.add_(g, { alpha: -0.01 });
    p.sub_(g, { alpha: 0.5 });
    expect(calls.get('fused.axpy')).toBe(2);
    expect(calls.get('binary') ?? 0).toBe(0);
    expect(calls.get('assign') ?? 0).toBe(0);
  });

  it('affine of a uint8 batch (ToTensor + Normalize) is one fused kernel call', () => {
    const bytes = tensor(
      new Uint8Array(64 * 784).map((_, i) => i % 251),
      { shape: [64, 1, 28, 28] },
    );
    watch();
    const out = affine(bytes, 1 / (255 * 0.3081), -0.1307 / 0.3081);
    expect(out.dtype).toBe('float32');
    expect(calls.get('fused.affine')).toBe(1);
    expect(calls.get('cast') ?? 0).toBe(0);
    expect(calls.get('binary') ?? 0).toBe(0);
  });

  it("backward hands a linear layer's fresh weight gradient to .grad without copying it", () => {
    const { w, b, loss } = linearLoss();
    watch();
    loss.backward();
    expect(calls.get('cast') ?? 0).toBe(0);
    expect(w.grad?.shape).toEqual([128, 784]);
    expect(b.grad?.shape).toEqual([128]);
  });

  it('reluBackward is one fused kernel call', () => {
    const g = randn([64, 128]);
    const y = randn([64, 128]).relu();
    watch();
    tidy(() => reluBackward(g, y));
    expect(calls.get('fused.reluBackward')).toBe(1);
    expect(calls.get('binary') ?? 0).toBe(0);
  });

  it('nllLoss without weights or ignored targets makes no mask ops', () => {
    const logp = randn([64, 10]).logSoftmax(1);
    const target = tensor(Array.from({ length: 64 }, (_, i) => i % 10));
    watch();
    tidy(() => nllLoss(logp, target));
    expect(calls.get('where') ?? 0).toBe(0);
    expect(calls.get('cast') ?? 0).toBe(0);
    // An ignored target needs the mask.
    tidy(() => nllLoss(logp, tensor(Array.from({ length: 64 }, (_, i) => (i === 3 ? -100 : i % 10)))));
    expect(calls.get('where')).toBeGreaterThan(0);
  });

  it("log-softmax's backward is one fused kernel call and equals grad - exp(y) * sum(grad)", () => {
    const x = randn([64, 10]).requiresGrad_();
    const g = randn([64, 10]);
    const y = logSoftmax(x, 1);
    const composite = g.sub(y.detach().exp().mul(g.sum(1, true)));
    watch();
    y.backward(g);
    expect(calls.get('fused.logSoftmaxBackward')).toBe(1);
    expect(calls.get('binary') ?? 0).toBe(0);
    const got = (x.grad as Tensor).readSync();
    composite.readSync().forEach((v, i) => {
      expect(got[i]).toBeCloseTo(v, 5);
    });
    // Other dims, strided gradients and float64 take the lowering or the kernel and agree as well.
    for (const [shape, dim, dtype] of [
      [[3, 4, 5], 1, 'float32'],
      [[6, 7], 1, 'float64'],
      [[6, 7], 0, 'float32'],
    ] as const) {
      const y2 = logSoftmax(randn([...shape], { dtype }), dim);
      const g2 = randn([...shape].reverse(), { dtype }).permute(...[...shape.keys()].reverse());
      const want = g2.sub(y2.exp().mul(g2.sum(dim, true))).readSync();
      const have = logSoftmaxBackward(g2, y2, dim).readSync();
      want.forEach((v, i) => {
        expect(have[i]).toBeCloseTo(v, 5);
      });
    }
  });

  it("log-softmax's backward stays differentiable when a graph is built (double backward)", () => {
    const x = randn([4, 5]).requiresGrad_();
    const w = randn([4, 5]);
    const gx = grad([logSoftmax(x, 1).mul(w).sum()], [x], { createGraph: true })[0] as Tensor;
    expect(gx.requiresGrad).toBe(true);
    const gg = grad([gx.pow(2).sum()], [x])[0] as Tensor;
    expect(gg.shape).toEqual([4, 5]);
    expect(Array.from(gg.readSync()).every(Number.isFinite)).toBe(true);
  });

  it("nllLoss's gradient is -1/N (mean), -1 (sum) or -g_i (none) at each sample's target", () => {
    const target = tensor([2, 0, 1]);
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const logp = randn([3, 4]).requiresGrad_();
      const loss = nllLoss(logp, target, { reduction });
      const upstream = reduction === 'none' ? tensor([1, 2, 3], { dtype: 'float32' }) : undefined;
      loss.backward(upstream);
      const got = Array.from((logp.grad as Tensor).readSync());
      const perRow = reduction === 'mean' ? [1 / 3, 1 / 3, 1 / 3] : reduction === 'sum' ? [1, 1, 1] : [1, 2, 3];
      const want = Array.from({ length: 12 }, (_, k) => (k % 4 === [2, 0, 1][Math.floor(k / 4)] ? -perRow[Math.floor(k / 4)] : 0));
      expect(got).toEqual(want.map(Math.fround));
    }
  });

  it("nllLoss's gradient is built in one upload and equals the ops' gradient bit for bit", () => {
    const cases = [
      { rows: 64, classes: 10, reduction: 'mean', upstream: 1 },
      { rows: 7, classes: 3, reduction: 'mean', upstream: 0.3 },
      { rows: 5, classes: 4, reduction: 'sum', upstream: -2.5 },
      { rows: 3, classes: 4, reduction: 'mean', upstream: 0 },
    ] as const;
    for (const { rows, classes, reduction, upstream } of cases) {
      const target = tensor(Array.from({ length: rows }, (_, i) => (i * 7) % classes));
      const logp = randn([rows, classes]).logSoftmax(1).requiresGrad_();
      const g = tensor(upstream, { dtype: 'float32' });
      // createGraph keeps grad mode on, so the rule takes the differentiable ops.
      const viaOps = grad([nllLoss(logp, target, { reduction })], [logp], { gradOutputs: [g], createGraph: true })[0] as Tensor;
      const loss = nllLoss(logp, target, { reduction });
      watch();
      loss.backward(g);
      expect(calls.get('scatterAdd') ?? 0).toBe(0);
      expect(calls.get('binary') ?? 0).toBe(0);
      unwatch();
      const got = Array.from((logp.grad as Tensor).readSync());
      const want = Array.from(viaOps.readSync());
      // Object.is tells +0 from -0: a zero upstream gradient leaves +0 everywhere, as scatterAdd onto zeros does.
      got.forEach((v, i) => {
        expect(Object.is(v, want[i]), `${reduction} ${rows}x${classes} at ${i}: ${v} vs ${want[i]}`).toBe(true);
      });
    }
    // An unbatched input, and an ignored target (the ops' path), give the same values as before.
    const single = randn([5]).logSoftmax(0).requiresGrad_();
    nllLoss(single, tensor(3)).backward();
    expect(Array.from((single.grad as Tensor).readSync())).toEqual([0, 0, 0, -1, 0]);
    const some = randn([3, 4]).logSoftmax(1).requiresGrad_();
    nllLoss(some, tensor([1, -100, 2])).backward();
    expect(Array.from((some.grad as Tensor).readSync())).toEqual([0, -0.5, 0, 0, 0, 0, 0, 0, 0, 0, -0.5, 0]);
  });

  it("linear's backward refuses an upstream gradient of another dtype, as the matmul it replaces does", () => {
    const x = randn([4, 3], { dtype: 'float64' });
    const w = randn([2, 3], { dtype: 'float64' }).requiresGrad_();
    expect(() => linear(x, w).backward(randn([4, 2]))).toThrow(/same dtype.*float32 and float64|float64 and float32/);
    expect(() => linearBackward(randn([4, 2]), x, w.detach(), [false, true, false])).toThrow(
      /linearBackward: expected grad, input and weight of one dtype, got float32, float64 and float64/,
    );
  });

  it('nllLoss (mean and sum) equals negating, summing and dividing the picked log-probabilities, bit for bit', () => {
    for (const rows of [1, 7, 64, 100]) {
      const logp = randn([rows, 10]).logSoftmax(1);
      const target = tensor(Array.from({ length: rows }, (_, i) => (i * 3) % 10));
      const picked = logp.gather(1, target.unsqueeze(1)).squeeze(1).neg();
      expect(nllLoss(logp, target).itemSync()).toBe(picked.sum().div(rows).itemSync());
      expect(nllLoss(logp, target, { reduction: 'sum' }).itemSync()).toBe(picked.sum().itemSync());
    }
    // One class: every log-probability is 0, and the loss +0 (a negated sum would give -0).
    const certain = randn([5, 1]).logSoftmax(1);
    const zeros5 = tensor([0, 0, 0, 0, 0]);
    expect(Object.is(nllLoss(certain, zeros5).itemSync(), 0)).toBe(true);
    expect(Object.is(nllLoss(certain, zeros5, { reduction: 'sum' }).itemSync(), 0)).toBe(true);
  });

  it("linear's backward is one op and equals the differentiable ops' gradients bit for bit", () => {
    const cases = [
      { n: 64, inF: 784, outF: 128, bias: true, needX: false, dtype: 'float32', transposed: false },
      { n: 5, inF: 7, outF: 3, bias: false, needX: true, dtype: 'float32', transposed: true },
      { n: 6, inF: 4, outF: 9, bias: true, needX: true, dtype: 'float64', transposed: false },
    ] as const;
    for (const c of cases) {
      const x = c.transposed ? randn([c.inF, c.n], { dtype: c.dtype }).t() : randn([c.n, c.inF], { dtype: c.dtype });
      if (c.needX) x.requiresGrad_();
      const w = randn([c.outF, c.inF], { dtype: c.dtype }).requiresGrad_();
      const b = c.bias ? randn([c.outF], { dtype: c.dtype }).requiresGrad_() : null;
      const upstream = randn([c.n, c.outF], { dtype: c.dtype });
      const leaves = [w, ...(b ? [b] : []), ...(c.needX ? [x] : [])];
      // createGraph keeps grad mode on, so the rule takes the differentiable ops.
      const viaOps = grad([linear(x, w, b)], leaves, { gradOutputs: [upstream], createGraph: true }) as Tensor[];
      const y = linear(x, w, b);
      watch();
      y.backward(upstream);
      expect(calls.get('matmul')).toBe(c.needX ? 2 : 1);
      expect(calls.get('reduce') ?? 0).toBe(c.bias ? 1 : 0);
      unwatch();
      leaves.forEach((leaf, i) => {
        expect(Array.from((leaf.grad as Tensor).readSync())).toEqual(Array.from(viaOps[i].readSync()));
      });
    }
  });

  it("linear's backward skips the gradient of an input that does not require grad", () => {
    const { x, w, b, loss } = linearLoss();
    watch();
    loss.backward();
    // Only the weight gradient is a product; x's would be a second one.
    expect(calls.get('matmul')).toBe(1);
    vi.clearAllMocks();
    linear(x.requiresGrad_(), w, b).sum().backward();
    expect(calls.get('matmul')).toBe(2);
  });
});
