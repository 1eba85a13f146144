import '@kindling/autograd';
import '@kindling/backend-cpu';
import { type Tensor, manualSeed, randn, scalar, tensor } from '@kindling/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { BatchNorm1d, BatchNorm2d, type BatchNormOptions, Sequential } from '../src/index.js';
import { cnnFixture, fillPattern, image, maxAbsDiff, stateKeys, torchStateKeys } from './fixture.js';

beforeEach(() => manualSeed(0));

interface BatchNormRun {
  repr: string;
  stateDict: [string, number[], string][];
  train: {
    shape: number[];
    output: number[];
    inputGrad: number[];
    runningMean: number[] | null;
    runningVar: number[] | null;
    numBatchesTracked: number | null;
  }[];
  evalOutput: number[];
  paramGrads: Record<string, number[]>;
}

const runs: Record<string, () => BatchNorm1d | BatchNorm2d> = {
  '2d': () => new BatchNorm2d(3),
  '2d-cumulative': () => new BatchNorm2d(3, { momentum: null, eps: 1e-3 }),
  '2d-plain': () => new BatchNorm2d(3, { affine: false, trackRunningStats: false }),
  '1d-2d-input': () => new BatchNorm1d(4, { momentum: 0.3 }),
  '1d-3d-input': () => new BatchNorm1d(4),
};

describe('BatchNorm1d/BatchNorm2d match PyTorch 1.13', () => {
  for (const [name, make] of Object.entries(runs)) {
    it(`${name}: batch statistics in train(), running ones updated, running ones in eval()`, () => {
      const expected = cnnFixture.batchNorm[name] as BatchNormRun;
      const bn = make();
      fillPattern(bn);
      expect(bn.toString()).toBe(expected.repr);
      expect(stateKeys(bn)).toEqual(torchStateKeys(expected.stateDict));
      bn.train();
      expected.train.forEach((step, i) => {
        const x = image(step.shape, 0.25 + i)
          .mul(1 + i)
          .add(0.5 * i)
          .requiresGrad_();
        const y = bn.forward(x);
        expect(maxAbsDiff(y.readSync(), step.output), `step ${i} output`).toBeLessThan(1e-5);
        y.mul(image(step.shape, 2)).sum().backward();
        expect(maxAbsDiff((x.grad as Tensor).readSync(), step.inputGrad), `step ${i} input grad`).toBeLessThan(1e-4);
        if (step.runningMean) {
          expect(maxAbsDiff((bn.runningMean as Tensor).readSync(), step.runningMean), `step ${i} running mean`).toBeLessThan(1e-6);
          expect(maxAbsDiff((bn.runningVar as Tensor).readSync(), step.runningVar as number[]), `step ${i} running var`).toBeLessThan(1e-5);
          expect((bn.numBatchesTracked as Tensor).itemSync()).toBe(step.numBatchesTracked);
        } else {
          expect(bn.runningMean).toBeNull();
        }
      });
      for (const [pname, p] of bn.namedParameters()) {
        expect(maxAbsDiff((p.grad as Tensor).readSync(), expected.paramGrads[pname]), pname).toBeLessThan(1e-4);
      }
      bn.eval();
      expect(maxAbsDiff(bn.forward(image(expected.train[0].shape, 3)).readSync(), expected.evalOutput)).toBeLessThan(1e-5);
    });
  }

  it('does not touch the running statistics in eval()', () => {
    const bn = new BatchNorm2d(2).eval();
    bn.forward(randn(3, 2, 4, 4).mul(5).add(2));
    expect(Array.from((bn.runningMean as Tensor).readSync())).toEqual([0, 0]);
    expect(Array.from((bn.runningVar as Tensor).readSync())).toEqual([1, 1]);
    expect((bn.numBatchesTracked as Tensor).itemSync()).toBe(0);
  });
});

describe('BatchNorm state and checkpoints', () => {
  it("has PyTorch's state-dict keys; num_batches_tracked is a 0-dim int32 (PyTorch's int64 loads into it)", () => {
    const bn = new BatchNorm2d(4);
    expect(stateKeys(bn)).toEqual([
      ['weight', [4], 'float32'],
      ['bias', [4], 'float32'],
      ['running_mean', [4], 'float32'],
      ['running_var', [4], 'float32'],
      ['num_batches_tracked', [], 'int32'],
    ]);
    expect(Object.keys(new BatchNorm2d(4, { affine: false }).stateDict())).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    expect(Object.keys(new BatchNorm2d(4, { trackRunningStats: false }).stateDict())).toEqual(['weight', 'bias']);
  });

  it('loads a state dict as a PyTorch checkpoint gives it, and evaluates with the loaded statistics', () => {
    const model = new Sequential(new BatchNorm1d(2));
    model.loadStateDict({
      '0.weight': tensor([2, 1]),
      '0.bias': tensor([0, 1]),
      '0.running_mean': tensor([1, -1]),
      '0.running_var': tensor([4, 0.25]),
      '0.num_batches_tracked': scalar(7, { dtype: 'int32' }),
    });
    const bn = model.at<BatchNorm1d>(0);
    expect((bn.numBatchesTracked as Tensor).itemSync()).toBe(7);
    model.eval();
    const y = model.forward(tensor([[3, 0]], { dtype: 'float32' })).readSync();
    // (3 - 1)/√(4 + 1e-5)·2 + 0 and (0 + 1)/√(0.25 + 1e-5)·1 + 1.
    expect(y[0]).toBeCloseTo(2, 4);
    expect(y[1]).toBeCloseTo(3, 4);
    model.train();
    model.forward(
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: 'float32' },
      ),
    );
    expect((bn.numBatchesTracked as Tensor).itemSync()).toBe(8);
  });

  it('keeps its buffers through to(device) and resetRunningStats()', () => {
    const bn = new BatchNorm2d(2);
    bn.forward(randn(4, 2, 3, 3).add(3));
    expect((bn.runningMean as Tensor).readSync()[0]).toBeGreaterThan(0.1);
    bn.to('cpu');
    expect([...bn.namedBuffers()].map(([k]) => k)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    bn.resetRunningStats();
    expect(Array.from((bn.runningMean as Tensor).readSync())).toEqual([0, 0]);
    expect((bn.numBatchesTracked as Tensor).itemSync()).toBe(0);
  });
});

describe('BatchNorm arguments and inputs', () => {
  it("refuses inputs of the wrong rank with PyTorch's message", () => {
    expect(() => new BatchNorm2d(3).forward(randn(2, 3, 4))).toThrow('BatchNorm2d: expected 4D input (got 3D input)');
    expect(() => new BatchNorm1d(3).forward(randn(2, 3, 4, 4))).toThrow('BatchNorm1d: expected 2D or 3D input (got 4D input)');
  });

  it('refuses one value per channel in training, as PyTorch', () => {
    expect(() => new BatchNorm2d(3).forward(randn(1, 3, 1, 1))).toThrow(/expected more than 1 value per channel when training/);
    expect(new BatchNorm2d(3).eval().forward(randn(1, 3, 1, 1)).shape).toEqual([1, 3, 1, 1]);
  });

  it('checks its arguments at construction', () => {
    expect(() => new BatchNorm2d(0)).toThrow('BatchNorm2d: numFeatures must be an integer ≥ 1, got 0');
    expect(() => new BatchNorm2d(3, { eps: Number.NaN })).toThrow('BatchNorm2d: eps must be a number, got NaN');
    expect(() => new BatchNorm1d(3, { momentum: '0.1' } as unknown as BatchNormOptions)).toThrow(
      'BatchNorm1d: momentum must be a number, got "0.1"',
    );
  });
});
