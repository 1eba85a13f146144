import '@kindling/backend-cpu';
import { type Tensor, linear, manualSeed, memory, nllLoss, randint, randn, tidy } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { noGrad } from '../src/index.js';

/** The seeds' training step, written the natural way: no dispose, no tidy. */
function makeModel() {
  manualSeed(1);
  const params = [randn(32, 20), randn(32), randn(10, 32), randn(10)].map((t) => noGrad(() => t.mul(0.1)).requiresGrad_());
  const x = randn(16, 20);
  const y = randint(0, 10, [16]);
  const step = () => {
    const [w1, b1, w2, b2] = params;
    const out = linear(linear(x, w1, b1).relu(), w2, b2).logSoftmax(1);
    const loss = nllLoss(out, y);
    loss.backward();
    noGrad(() => {
      for (const p of params) {
        p.sub_((p.grad as Tensor).mul(0.01));
        // zeroGrad({ setToNone: true }) in optim disposes the old gradient the same way.
        p.grad?.dispose();
        p.grad = null;
      }
    });
    return loss;
  };
  return { step };
}

const gc = globalThis.gc as (() => void) | undefined;

async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    // FinalizationRegistry callbacks run as tasks after a collection.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

describe('memory stays flat over training steps', () => {
  it('inside tidy, live tensors and bytes return exactly to the same level every step', () => {
    const { step } = makeModel();
    tidy(() => {
      step();
    });
    const baseline = memory().cpu;
    for (let i = 0; i < 200; i++) {
      tidy(() => {
        step();
      });
      expect(memory().cpu).toEqual(baseline);
    }
  });

  it('written the natural way, garbage collection reclaims each step (backward frees the graph)', async () => {
    expect(gc, 'tests run with --expose-gc').toBeTypeOf('function');
    const { step } = makeModel();
    for (let i = 0; i < 20; i++) step();
    await collect();
    const baseline = memory().cpu;
    for (let i = 0; i < 500; i++) step();
    await collect();
    const after = memory().cpu;
    expect(after.tensors).toBeLessThanOrEqual(baseline.tensors + 8);
    expect(after.bytes).toBeLessThanOrEqual(baseline.bytes + 4096);
  });
});

describe('ops with number operands', () => {
  it('free the scalar tensors they make when autograd records nothing', () => {
    const x = randn(4, 3);
    const w = randn(3).requiresGrad_();
    const before = memory().cpu.tensors;
    for (let i = 0; i < 50; i++) {
      for (const t of [x.mul(2), x.add(1), x.sub(0.5), x.div(3), x.pow(2), x.gt(0), noGrad(() => w.mul(2)), x.maskedFill(x.gt(0), 0)])
        t.dispose();
    }
    // maskedFill's mask (x.gt(0)) is the caller's, so one bool tensor per iteration remains.
    expect(memory().cpu.tensors).toBe(before + 50);
  });

  it('keep them for a recorded op, whose backward reads them', () => {
    const w = randn(3).requiresGrad_();
    const y = w.pow(3);
    y.sum().backward();
    const expected = w.detach().pow(2).mul(3);
    expect(Array.from(w.grad?.readSync() ?? [])).toEqual(Array.from(expected.readSync()));
  });
});
