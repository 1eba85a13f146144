import '@kindling/backend-cpu';
import { type Tensor, tensor } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { defineFunction, gradcheck, noGrad } from '../src/index.js';

const values = (t: Tensor | null) => Array.from((t as Tensor).readSync());

describe('custom functions (torch.autograd.Function)', () => {
  const cube = defineFunction({
    name: 'Cube',
    forward(ctx, x) {
      ctx.saveForBackward(x);
      return x.pow(3);
    },
    backward(ctx, g) {
      const [x] = ctx.savedTensors;
      return g.mul(x.pow(2)).mul(3);
    },
  });

  it('runs its own forward and backward, named like PyTorch', () => {
    const x = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = cube(x);
    expect(y.gradFn?.name).toBe('CubeBackward');
    y.sum().backward();
    expect(values(x.grad)).toEqual([3, 12]);
  });

  it('does not record the ops inside forward', () => {
    const inner: (string | undefined)[] = [];
    const probe = defineFunction({
      name: 'Probe',
      forward(_ctx, x) {
        const y = x.mul(2);
        inner.push(y.gradFn?.name);
        return y;
      },
      backward: (_ctx, g) => g.mul(2),
    });
    probe(tensor([1.5], { requiresGrad: true }));
    expect(inner).toEqual([undefined]);
  });

  it('passes gradcheck, with state, several inputs and needsInputGrad', () => {
    const scaledMul = defineFunction<{ alpha: number }>({
      name: 'ScaledMul',
      forward(ctx, a, b) {
        ctx.state.alpha = 2.5;
        ctx.saveForBackward(a, b);
        return a.mul(b).mul(2.5);
      },
      backward(ctx, g) {
        const [a, b] = ctx.savedTensors;
        const alpha = ctx.state.alpha ?? 1;
        return [ctx.needsInputGrad[0] ? g.mul(b).mul(alpha) : null, ctx.needsInputGrad[1] ? g.mul(a).mul(alpha) : null];
      },
    });
    const a = tensor([0.5, -1.25, 2], { dtype: 'float64', requiresGrad: true });
    const b = tensor([1.5, 0.75, -0.5], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck(scaledMul, [a, b])).toBe(true);
  });

  it('detects in-place changes to saved tensors', () => {
    const x = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const h = x.mul(1);
    const y = cube(h);
    noGrad(() => h.add_(1));
    expect(() => y.sum().backward()).toThrow(/modified by an in-place operation/);
  });
});
