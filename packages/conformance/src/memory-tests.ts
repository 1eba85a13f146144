import * as K from '@kindling/tensor';
import { memory, type Tensor } from '@kindling/tensor';
import type { SuiteContext } from './framework.js';

function usage(device: string): { tensors: number; storages: number; bytes: number } {
  return memory()[device] ?? { tensors: 0, storages: 0, bytes: 0 };
}

/**
 * Storages are freed exactly when their last tensor goes: `tidy` and
 * `dispose` bring the device's counters back to where they were. Checked
 * synchronously, so garbage collection of other tests' tensors cannot interfere.
 */
export function registerMemoryTests(ctx: SuiteContext): void {
  const { device, it, describe, expect } = ctx;
  describe('memory', () => {
    it('tidy releases every tensor and storage an op chain made', () => {
      const before = usage(device);
      K.tidy(() => {
        const x = K.randn([6, 5], { device });
        const w = K.randn([4, 5], { device });
        const h = K.linear(x, w, K.zeros([4], { device })).relu();
        const p = h.t().softmax(0).logsumexp(1);
        const v = x.var(0).add(x.std(1).sum());
        const { values, indices } = h.max(1);
        const g = x.gather(1, indices.unsqueeze(1).clamp(0, 4));
        const s = K.sort(values.neg()).values.add(p.sum()).add(v.sum()).add(g.sum());
        void s;
      });
      expect(usage(device)).toEqual(before);
    });
    it('views share one storage; it is freed with the last view', () => {
      const before = usage(device);
      const x = K.zeros([4, 4], { device });
      const afterAlloc = usage(device);
      expect(afterAlloc.storages - before.storages).toBe(1);
      expect(afterAlloc.bytes - before.bytes).toBe(64);
      const xt = x.t();
      const row = xt.slice(0, 1);
      const v = row.unsqueeze(0);
      expect(usage(device).storages).toBe(afterAlloc.storages);
      expect(usage(device).bytes).toBe(afterAlloc.bytes);
      expect(usage(device).tensors - before.tensors).toBe(4);
      for (const t of [x, xt, row]) t.dispose();
      expect(usage(device).storages, 'storage lives while a view does').toBe(afterAlloc.storages);
      v.dispose();
      expect(usage(device)).toEqual(before);
    });
    it('ops dispatched as one unit free their temporaries', () => {
      const x = K.randn([3, 5], { device });
      const w = K.randn([2, 5], { device });
      const i = K.zeros([3, 1], { device, dtype: 'int32' });
      const src = K.ones([3, 1], { device });
      const row = w.select(0, 0);
      const wt = w.t();
      const xt = x.t();
      const ops: [string, () => Tensor[]][] = [
        ['logsumexp', () => [x.logsumexp(1)]],
        ['softmax', () => [x.softmax(1)]],
        ['logSoftmax', () => [x.logSoftmax(0)]],
        ['matmul', () => [x.matmul(wt)]],
        ['linear', () => [K.linear(x, w)]],
        ['max(dim)', () => Object.values(x.max(1))],
        ['topk', () => Object.values(x.topk(2))],
        ['cat', () => [K.cat([x, x], 1)]],
        ['stack', () => [K.stack([x, x], 1)]],
        ['gather', () => [x.gather(1, i)]],
        ['scatterAdd', () => [x.scatterAdd(1, i, src)]],
        ['reshape copy', () => [xt.reshape(-1)]],
        ['mean', () => [x.mean(0)]],
        ['argmax', () => [x.argmax()]],
        ['add_', () => [x.clone().add_(row)]],
      ];
      for (const [name, run] of ops) {
        const before = usage(device);
        const outputs = run();
        for (const t of outputs) t.dispose();
        expect(usage(device), `${name} leaves nothing behind`).toEqual(before);
      }
      for (const t of [x, w, i, src, row, wt, xt]) t.dispose();
    });
  });
}
