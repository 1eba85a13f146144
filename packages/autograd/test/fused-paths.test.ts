import { cpuBackend, cpuReady } from '@kindling/backend-cpu';
import { affine, linear, nllLoss, randn, tensor, tidy } from '@kindling/tensor';
import type { Backend } from '@kindling/tensor/backend';
import { reluBackward } from '@kindling/tensor/internal';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import '../src/index.js';

// The training step's hot paths take the short way on the CPU backend: these count the
// backend calls an op makes, so a regression to the long way fails here.

const calls = new Map<string, number>();
const restore: (() => void)[] = [];

function count(target: object, names: readonly string[], prefix = ''): void {
  const obj = target as Record<string, unknown>;
  for (const name of names) {
    const original = obj[name] as (...args: unknown[]) => unknown;
    obj[name] = (...args: unknown[]) => {
      calls.set(prefix + name, (calls.get(prefix + name) ?? 0) + 1);
      return original(...args);
    };
    restore.push(() => {
      obj[name] = original;
    });
  }
}

beforeAll(async () => {
  await cpuReady();
});

afterEach(() => {
  for (const r of restore.splice(0)) r();
  calls.clear();
});

function watch(): void {
  const b = cpuBackend as Backend;
  count(b, ['binary', 'assign', 'matmul', 'where', 'cast']);
  count(b.fused as object, ['axpy', 'reluBackward', 'affine'], 'fused.');
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

  it("linear's backward skips the gradient of an input that does not require grad", () => {
    const { x, w, b, loss } = linearLoss();
    watch();
    loss.backward();
    // Only the weight gradient is a product; x's would be a second one.
    expect(calls.get('matmul')).toBe(1);
    calls.clear();
    linear(x.requiresGrad_(), w, b).sum().backward();
    expect(calls.get('matmul')).toBe(2);
  });
});
