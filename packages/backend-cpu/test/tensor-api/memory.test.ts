import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { type BackendMemory, KindlingError, keep, memory, ones, randn, tidy, zeros } from '@kindling/tensor';

const cpu = (): BackendMemory => memory().cpu ?? { tensors: 0, storages: 0, bytes: 0 };

describe('tidy, keep, dispose and memory()', () => {
  it('tidy disposes everything but what it returns, and counters return to the baseline', () => {
    const before = cpu();
    const kept = tidy(() => {
      const a = randn(4, 5);
      const b = a.t().matmul(a).relu().add(1);
      b.sum(0).mul(2).exp();
      return b.sum();
    });
    expect(cpu().tensors - before.tensors).toBe(1);
    expect(cpu().storages - before.storages).toBe(1);
    expect(cpu().bytes - before.bytes).toBe(4);
    kept.dispose();
    expect(cpu()).toEqual(before);
  });

  it('returned arrays and objects are kept; keep() saves a tensor from every open scope', () => {
    const before = cpu();
    let inner: ReturnType<typeof zeros> | null = null;
    const result = tidy(() => {
      const r = tidy(() => {
        inner = keep(zeros(3));
        return { a: ones(2), list: [ones(1), 5] };
      });
      zeros(10); // disposed by the outer scope
      return r;
    });
    expect(result.a.isDisposed).toBe(false);
    expect((result.list[0] as ReturnType<typeof zeros>).isDisposed).toBe(false);
    expect(inner!.isDisposed).toBe(false);
    result.a.dispose();
    (result.list[0] as ReturnType<typeof zeros>).dispose();
    inner!.dispose();
    expect(cpu()).toEqual(before);
  });

  it('tensors that leave every tidy scope alive, or never entered one, are freed by the garbage collector', async () => {
    const gc = globalThis.gc as (() => void) | undefined;
    expect(gc, 'tests run with --expose-gc').toBeDefined();
    // Only the storages are held, so the tensors themselves can be collected.
    const storages = (() => {
      const returned = tidy(() => zeros([1000])).storage;
      let kept = returned;
      tidy(() => {
        kept = keep(zeros([1000])).storage;
      });
      const plain = zeros([1000]).storage;
      return [returned, kept, plain];
    })();
    expect(storages.map((s) => s.freed)).toEqual([false, false, false]);
    for (let i = 0; i < 20 && !storages.every((s) => s.freed); i++) {
      gc?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(storages.map((s) => s.freed)).toEqual([true, true, true]);
  });

  it('tidy refuses async functions and still cleans up', () => {
    const before = cpu();
    expect(() =>
      tidy((() => {
        zeros(3);
        return Promise.resolve();
      }) as unknown as () => void),
    ).toThrow(/^tidy: fn returned a Promise/);
    expect(cpu()).toEqual(before);
  });

  it('views share storage: bytes are counted once and freed with the last view', () => {
    const before = cpu();
    const x = zeros(8, 8);
    const v1 = x.t();
    const rows = x.slice(0, 2, 5);
    const v2 = rows.unsqueeze(0);
    expect(cpu().tensors - before.tensors).toBe(4);
    expect(cpu().storages - before.storages).toBe(1);
    expect(cpu().bytes - before.bytes).toBe(256);
    for (const t of [x, v1, rows]) t.dispose();
    expect(cpu().storages - before.storages).toBe(1);
    expect(cpu().bytes - before.bytes).toBe(256);
    v2.dispose();
    expect(cpu()).toEqual(before);
  });

  it('dispose is idempotent and using a disposed tensor throws', () => {
    const x = zeros(2, 3);
    x.dispose();
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(() => x.add(1)).toThrow(new KindlingError('add: tensor of shape [2,3] was disposed'));
    expect(() => x.readSync()).toThrow(KindlingError);
    expect(String(x)).toBe('tensor(<disposed>, shape=[2, 3], dtype=float32)');
  });

  it('ops with number operands free the scalar tensors they make', () => {
    const x = zeros(3);
    const before = cpu();
    const a = x.add(1);
    const y = a.mul(0.5);
    const z = x.clamp(0, 1);
    const w = x.mean();
    const l = x.logsumexp(0);
    expect(cpu().tensors - before.tensors).toBe(5);
    for (const t of [a, y, z, w, l]) t.dispose();
    expect(cpu()).toEqual(before);
    x.dispose();
  });
});
