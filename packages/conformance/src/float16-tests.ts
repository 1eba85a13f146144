import * as K from '@kindling/tensor';
import { memory, type Tensor } from '@kindling/tensor';
import { getBackend } from '@kindling/tensor/backend';
import type { SuiteContext } from './framework.js';

/** Reads `t` as plain numbers and disposes it. */
async function values(t: Tensor): Promise<number[]> {
  try {
    return [...(await t.read())];
  } finally {
    t.dispose();
  }
}

/**
 * float16 semantics PyTorch pins down (values checked with PyTorch 1.13):
 * values round to half precision on the way in and after every op, with ties
 * to even, overflow to infinity and gradual underflow; reductions accumulate
 * in float32 and round once; promotion places float16 between int32 and
 * float32. Runs only on backends that store float16.
 */
export function registerFloat16Tests(ctx: SuiteContext): void {
  if (!ctx.dtypes.includes('float16')) return;
  const { device, it, describe, expect } = ctx;
  const half = { dtype: 'float16', device } as const;

  describe('float16', () => {
    it('values round to the nearest half on the way in (ties to even, overflow, underflow)', async () => {
      const x = K.tensor([0.1, 65519, 65520, 1e-8, 3e-8, 2 ** -25, 2049, 2051], half);
      expect(await values(x)).toEqual([0.0999755859375, 65504, Number.POSITIVE_INFINITY, 0, 2 ** -24, 0, 2048, 2052]);
      expect(await values(K.full([2], 0.1, half))).toEqual([0.0999755859375, 0.0999755859375]);
    });

    it('every op rounds its result to half precision', async () => {
      const a = K.tensor([1, 1, 2048], half);
      const b = K.tensor([2 ** -11, 3 * 2 ** -11, 1], half);
      expect(await values(a.add(b))).toEqual([1, 1.001953125, 2048]);
      expect(await values(K.full([3], 60000, half).mul(2))).toEqual([
        Number.POSITIVE_INFINITY,
        Number.POSITIVE_INFINITY,
        Number.POSITIVE_INFINITY,
      ]);
      expect(await values(K.tensor([3], half).mul(0.1))).toEqual([0.2998046875]);
      expect(await values(K.tensor([1, 2], half).div(3))).toEqual([0.333251953125, 0.66650390625]);
      // exp(1) in float32 is 2.7182817..., whose nearest half is 2.71875.
      expect(await values(K.tensor([1], half).exp())).toEqual([2.71875]);
      expect(await values(K.tensor([0.1], { dtype: 'float32', device }).cast('float16'))).toEqual([0.0999755859375]);
      for (const t of [a, b]) t.dispose();
    });

    it('reductions accumulate in float32 and round once', async () => {
      // Accumulating in half would stall at 2048, where adding 1 rounds away.
      expect(await values(K.ones([4096], half).sum())).toEqual([4096]);
      expect(await values(K.ones([3], half).mean())).toEqual([1]);
      const m = K.ones([64, 80], half).matmul(K.ones([80, 3], half));
      expect(m.dtype).toBe('float16');
      expect(await values(m.sum(0))).toEqual([5120, 5120, 5120]);
      const s = K.tensor([[1, 2, 3]], half).softmax(1);
      expect(await values(s)).toEqual([0.09002685546875, 0.2447509765625, 0.6650390625]);
    });

    it('promotion: float16 sits between int32 and float32', () => {
      const h = K.ones([2], half);
      const f = K.ones([2], { dtype: 'float32', device });
      const i = K.ones([2], { dtype: 'int32', device });
      const cases: [string, Tensor, string][] = [
        ['float16 + float32', h.add(f), 'float32'],
        ['float16 + int32', h.add(i), 'float16'],
        ['float16 * 2.5', h.mul(2.5), 'float16'],
        ['int32 + float16 0-dim', i.add(K.tensor(1.5, half)), 'float16'],
        ['float16 + float32 0-dim', h.add(K.tensor(1.5, { dtype: 'float32', device })), 'float16'],
        ['int32 / int32 stays float32', i.div(i), 'float32'],
      ];
      for (const [what, t, dtype] of cases) {
        expect(t.dtype, what).toBe(dtype);
        t.dispose();
      }
      for (const t of [h, f, i]) t.dispose();
    });

    it('memory() counts the bytes the backend really holds for float16', () => {
      const perElement = getBackend(device).bytesPerElement?.('float16') ?? 2;
      const before = memory()[device]?.bytes ?? 0;
      const x = K.zeros([1000], half);
      expect((memory()[device]?.bytes ?? 0) - before).toBe(1000 * perElement);
      x.dispose();
      expect(memory()[device]?.bytes ?? 0).toBe(before);
    });
  });
}
