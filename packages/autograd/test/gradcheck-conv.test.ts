import '@kindling/backend-cpu';
import * as kd from '@kindling/tensor';
import { type Tensor, manualSeed } from '@kindling/tensor';
import { type Backend, type FusedKernels, getBackend, registerBackend } from '@kindling/tensor/backend';
import { describe, expect, it } from 'vitest';
import { differentiableOps, grad, gradcheck, noGrad } from '../src/index.js';
import { convCases, leaf } from './conv-cases.js';

/*
 * Every convolution gradient by finite differences, on the CPU backend (its
 * fused kernels, when it has them) and on a copy of it without the
 * sliding-window kernels (the lowering to primitives), so both paths are
 * checked whatever the CPU backend implements.
 */

const WINDOW_KERNELS = ['im2col', 'col2im', 'conv2d', 'conv2dInputGrad', 'conv2dWeightGrad'] as const;

if (!kd.hasBackend('cpu-lowered')) {
  const cpu = getBackend('cpu');
  const fused: FusedKernels = Object.fromEntries(
    Object.entries(cpu.fused ?? {}).filter(([name]) => !(WINDOW_KERNELS as readonly string[]).includes(name)),
  );
  registerBackend(Object.create(cpu, { name: { value: 'cpu-lowered' }, fused: { value: fused } }) as Backend);
}

describe.each(['cpu', 'cpu-lowered'])('gradcheck of the convolution ops on %s', (device) => {
  it.each(convCases.map((c) => [`${c.op} ${c.what}`, c] as const))('%s', (_name, c) => {
    manualSeed(11);
    const { fn, inputs } = c.run(device);
    expect(gradcheck(fn, inputs)).toBe(true);
  });
});

describe('convolution gradient rules', () => {
  it('covers every convolution op that has a derivative rule', () => {
    const ours = ['conv2d', 'convTranspose2d', 'conv2dInputGrad', 'conv2dWeightGrad', 'im2col', 'col2im', 'unfold', 'unfoldBackward'];
    expect(ours.filter((op) => !differentiableOps().includes(op))).toEqual([]);
    const covered = new Set(convCases.map((c) => c.op));
    expect(ours.filter((op) => !covered.has(op))).toEqual([]);
  });

  it('names nodes as PyTorch does (ConvolutionBackward0, Im2ColBackward0, Col2ImBackward0, UnfoldBackward0)', () => {
    const x = leaf('cpu', 1, 2, 5, 5);
    const w = leaf('cpu', 3, 2, 3, 3);
    expect(kd.conv2d(x, w).gradFn?.name).toBe('ConvolutionBackward0');
    expect(kd.conv2d(x, w, null, { padding: 'same' }).gradFn?.name).toBe('ConvolutionBackward0');
    expect(kd.conv2d(x, leaf('cpu', 3, 2, 2, 2), null, { padding: 'same' }).gradFn?.name).toBe('ConvolutionBackward0');
    expect(kd.conv1d(x.select(2, 0), w.select(2, 0)).gradFn?.name).toBe('ConvolutionBackward0');
    expect(kd.convTranspose2d(x, leaf('cpu', 2, 3, 3, 3)).gradFn?.name).toBe('ConvolutionBackward0');
    expect(kd.conv2d(x.select(0, 0), w).gradFn?.name).toBe('SqueezeBackward1');
    const cols = kd.unfold(x, 2);
    expect(cols.gradFn?.name).toBe('Im2ColBackward0');
    expect(kd.fold(cols, 5, 2).gradFn?.name).toBe('Col2ImBackward0');
    expect(x.unfold(3, 2, 1).gradFn?.name).toBe('UnfoldBackward0');
  });

  it('computes only the gradients that are needed', () => {
    manualSeed(3);
    const x = noGrad(() => kd.randn([2, 3, 6, 6], { dtype: 'float64' }));
    const w = leaf('cpu', 4, 3, 3, 3);
    const b = noGrad(() => kd.randn([4], { dtype: 'float64' }));
    const [gw] = grad(kd.conv2d(x, w, b).sum(), [w]) as Tensor[];
    expect(gw.shape).toEqual([4, 3, 3, 3]);
    // The weight gradient of a sum is the sum of each input window: check one entry by hand.
    const expected = noGrad(() => x.narrow(2, 0, 4).narrow(3, 1, 4).select(1, 2).sum().itemSync());
    expect((gw.tolistSync() as number[][][][])[0][2][0][1]).toBeCloseTo(expected, 10);
  });

  it('gives a zero weight gradient and an empty input gradient for an empty batch', () => {
    const x = leaf('cpu', 0, 3, 5, 5);
    const w = leaf('cpu', 2, 3, 3, 3);
    const y = kd.conv2d(x, w);
    expect(y.shape).toEqual([0, 2, 3, 3]);
    const [gx, gw] = grad(y.sum(), [x, w]) as Tensor[];
    expect(gx.shape).toEqual([0, 3, 5, 5]);
    expect(gw.tolistSync()).toEqual(kd.zeros([2, 3, 3, 3]).tolistSync());
  });

  it('a conv training step inside tidy leaves no storage behind (grads kept, as an optimizer keeps them)', () => {
    manualSeed(5);
    const params = [kd.randn([4, 2, 3, 3]), kd.randn([4]), kd.randn([3, 4, 3]), kd.randn([3, 2, 2, 2])].map((t) => t.requiresGrad_());
    const x = kd.randn([2, 2, 7, 6]);
    const step = () =>
      kd.tidy(() => {
        const [w, b, w1, wt] = params;
        const h = kd.conv2d(x, w, b, { padding: 'same' }).relu();
        const y = kd.convTranspose2d(kd.conv1d(h.flatten(2), w1).unsqueeze(2), wt, null, { stride: 2 });
        const loss = y
          .square()
          .mean()
          .add(kd.fold(kd.unfold(x, 2), [7, 6], 2).sum());
        const grads = grad(loss, params) as Tensor[];
        return grads.map((g) => kd.keep(g));
      });
    for (const g of step()) g.dispose();
    const before = kd.memory().cpu;
    for (let i = 0; i < 3; i++) for (const g of step()) g.dispose();
    expect(kd.memory().cpu?.storages).toBe(before?.storages);
    expect(kd.memory().cpu?.bytes).toBe(before?.bytes);
  });
});
