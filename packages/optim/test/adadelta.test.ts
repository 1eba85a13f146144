import '@kindling/backend-cpu';
import { noGrad } from '@kindling/autograd';
import { Linear, functional as F } from '@kindling/nn';
import { type Tensor, tensor } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { Adadelta, StepLR } from '../src/index.js';

// The PyTorch parity of the update itself is in optimizers.test.ts (cases 'adadelta*').

function layer(): Linear {
  const l = new Linear(3, 2);
  noGrad(() => {
    l.weight.copy_(
      tensor([
        [0.1, -0.2, 0.3],
        [-0.4, 0.5, -0.6],
      ]),
    );
    l.bias?.copy_(tensor([0.05, -0.05]));
  });
  return l;
}

const x = tensor([
  [1, 2, 3],
  [-1, 0.5, 2],
]);
const y = tensor([1, 0], { dtype: 'int32' });

function train(model: Linear, opt: Adadelta, steps: number): void {
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    F.crossEntropy(model.forward(x), y).backward();
    opt.step();
  }
}

describe('Adadelta', () => {
  it("has PyTorch's defaults and state-dict names", () => {
    const l = layer();
    const opt = new Adadelta(l.parameters());
    expect(opt.defaults).toEqual({ lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false });
    train(l, opt, 2);
    const sd = opt.stateDict();
    expect(sd.param_groups[0]).toEqual({ lr: 1, rho: 0.9, eps: 1e-6, weight_decay: 0, maximize: false, params: [0, 1] });
    expect(Object.keys(sd.state[0])).toEqual(['step', 'square_avg', 'acc_delta']);
    expect(sd.state[0].step).toBe(2);
    expect((sd.state[1].acc_delta as Tensor).shape).toEqual([2]);
  });

  it('takes its first step of size about √ε per element, whatever the gradient scale (lr 1)', () => {
    // Δx₁ = √ε / √((1-ρ)g² + ε) · g ≈ √ε/√(1-ρ) · sign(g) when g² ≫ ε.
    const l = layer();
    const before = l.weight.detach().clone();
    train(l, new Adadelta(l.parameters()), 1);
    const moved = l.weight.detach().sub(before).abs().readSync();
    for (const m of moved) expect(m).toBeCloseTo(Math.sqrt(1e-6 / 0.1), 5);
  });

  it('resumes exactly from stateDict, with StepLR as in the MNIST example', () => {
    const a = layer();
    const optA = new Adadelta(a.parameters());
    const schedA = new StepLR(optA, 1, 0.7);
    const b = layer();
    const optB = new Adadelta(b.parameters());
    const schedB = new StepLR(optB, 1, 0.7);
    for (const [m, o, s] of [
      [a, optA, schedA],
      [b, optB, schedB],
    ] as const) {
      train(m, o, 2);
      s.step();
    }
    const c = layer();
    c.loadStateDict(a.stateDict());
    const optC = new Adadelta(c.parameters(), { lr: 123 });
    optC.loadStateDict(optA.stateDict());
    expect(optC.lrs[0]).toBeCloseTo(0.7, 12);
    train(b, optB, 2);
    train(c, optC, 2);
    expect(Array.from(c.weight.readSync())).toEqual(Array.from(b.weight.readSync()));
    expect(Array.from((c.bias as Tensor).readSync())).toEqual(Array.from((b.bias as Tensor).readSync()));
  });

  it('skips parameters without a gradient and creates no state for them', () => {
    const l = layer();
    const opt = new Adadelta(l.parameters());
    l.bias?.requiresGrad_(false);
    train(l, opt, 1);
    expect(opt.state.has(l.weight)).toBe(true);
    expect(opt.state.has(l.bias as Tensor)).toBe(false);
  });

  it('rejects what PyTorch rejects, naming the value', () => {
    const params = () => layer().parameters();
    expect(() => new Adadelta(params(), { lr: -1 })).toThrow('Adadelta: invalid learning rate: -1');
    expect(() => new Adadelta(params(), { rho: 1.5 })).toThrow('Adadelta: invalid rho value: 1.5');
    expect(() => new Adadelta(params(), { eps: -1e-6 })).toThrow('Adadelta: invalid epsilon value: -0.000001');
    expect(() => new Adadelta(params(), { weightDecay: -0.1 })).toThrow('Adadelta: invalid weightDecay value: -0.1');
  });
});
