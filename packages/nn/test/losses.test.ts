import '@kindling/autograd';
import '@kindling/backend-cpu';
import { tensor } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss, type Reduction } from '../src/index.js';
import { fixture, maxAbsDiff, pattern } from './fixture.js';

const logits = pattern(30, 1, 3, [6, 5]);
const cls = tensor([0, 4, 2, -100, 1, 3], { dtype: 'int32' });
const weight = tensor([1, 2, 0.5, 1.5, 3], { dtype: 'float32' });
const targets01 = pattern(30, 2, 1, [6, 5]).gt(0).float();
const expected = fixture.losses as Record<string, number[]>;

describe('losses match PyTorch', () => {
  for (const reduction of ['mean', 'sum', 'none'] as Reduction[]) {
    for (const smoothing of [0, 0.1]) {
      for (const useWeight of [false, true]) {
        it(`CrossEntropyLoss reduction=${reduction} labelSmoothing=${smoothing} weight=${useWeight}`, () => {
          const loss = new CrossEntropyLoss({ reduction, labelSmoothing: smoothing, weight: useWeight ? weight : null });
          const got = loss.forward(logits, cls).readSync();
          expect(maxAbsDiff(got, expected[`ce/${reduction}/${smoothing === 0 ? '0.0' : '0.1'}/${useWeight ? 'w' : '-'}`])).toBeLessThan(
            1e-5,
          );
        });
      }
    }
    for (const useWeight of [false, true]) {
      it(`CrossEntropyLoss reduction=${reduction} weight=${useWeight}: gradient of the logits`, () => {
        const x = logits.detach().requiresGrad_();
        const loss = new CrossEntropyLoss({ reduction, weight: useWeight ? weight : null }).forward(x, cls);
        expect(loss.gradFn?.name).toBe('CrossEntropyLossBackward0');
        loss.sum().backward();
        expect(maxAbsDiff(x.grad?.readSync() ?? [], expected[`ceGrad/${reduction}/${useWeight ? 'w' : '-'}`])).toBeLessThan(1e-6);
      });
    }
    it(`CrossEntropyLoss reduction=${reduction} of one [C] row with a 0-dim target and weight`, () => {
      const x = logits.select(0, 1).detach().requiresGrad_();
      const loss = new CrossEntropyLoss({ reduction, weight }).forward(x, cls.select(0, 1));
      expect(loss.shape).toEqual([]);
      loss.backward();
      const [value, ...grad] = expected[`ce1d/${reduction}`];
      expect(maxAbsDiff(loss.readSync(), [value])).toBeLessThan(1e-5);
      expect(maxAbsDiff(x.grad?.readSync() ?? [], grad)).toBeLessThan(1e-6);
    });
    it(`NLLLoss reduction=${reduction} with ignoreIndex`, () => {
      const got = new NLLLoss({ reduction }).forward(logits.logSoftmax(1), cls).readSync();
      expect(maxAbsDiff(got, expected[`nll/${reduction}`])).toBeLessThan(1e-5);
    });
  }

  it('MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss (with posWeight)', () => {
    expect(maxAbsDiff(new MSELoss().forward(logits, targets01).readSync(), expected.mse)).toBeLessThan(1e-5);
    expect(maxAbsDiff(new L1Loss().forward(logits, targets01).readSync(), expected.l1)).toBeLessThan(1e-5);
    expect(maxAbsDiff(new BCELoss().forward(logits.sigmoid(), targets01).readSync(), expected.bce)).toBeLessThan(1e-5);
    expect(maxAbsDiff(new BCEWithLogitsLoss().forward(logits, targets01).readSync(), expected.bceLogits)).toBeLessThan(1e-5);
    expect(
      maxAbsDiff(new BCEWithLogitsLoss({ posWeight: weight }).forward(logits, targets01).readSync(), expected.bceLogitsPosWeight),
    ).toBeLessThan(1e-5);
  });

  it('stays finite for huge logits', () => {
    const big = tensor([[1000, -1000, 0]], { dtype: 'float32' });
    const v = new CrossEntropyLoss().forward(big, tensor([1], { dtype: 'int32' })).itemSync();
    expect(v).toBeCloseTo(2000, 3);
  });

  it('names the problem for bad targets', () => {
    const loss = new CrossEntropyLoss();
    expect(() => loss.forward(logits, cls.float())).toThrow(
      'crossEntropyLoss: target must be an int32 tensor of class indices, got float32',
    );
    expect(() => loss.forward(logits, tensor([0, 1], { dtype: 'int32' }))).toThrow(/expected target of shape \[6\].*got \[2\]/);
    expect(() => loss.forward(logits, tensor([0, 1, 2, 3, 4, 5], { dtype: 'int32' }))).toThrow(
      'crossEntropyLoss: target 5 is out of bounds for 5 classes',
    );
    expect(() => new MSELoss().forward(logits, targets01.sum(0))).toThrow(/target shape \[5\] must equal input shape \[6,5\]/);
  });
});
