import '@kindling/backend-cpu';
import * as kd from '@kindling/tensor';
import type { Reduction, Tensor } from '@kindling/tensor';
import { type Backend, type FusedKernels, type View, getBackend, registerBackend } from '@kindling/tensor/backend';
import { beforeEach, describe, expect, it } from 'vitest';
import { noGrad } from '../src/index.js';

// Two devices on the CPU kernels: one counting its fused kernels, one without fused cross-entropy (the lowering).
const cpu = getBackend('cpu');
const cpuFused = cpu.fused as Required<FusedKernels>;
const calls = { crossEntropy: [] as View[], softmax: 0 };
const spyFused: FusedKernels = {
  ...cpuFused,
  softmax: (x, axis, log) => {
    calls.softmax++;
    return cpuFused.softmax(x, axis, log);
  },
  crossEntropy: (logits, target) => {
    calls.crossEntropy.push(logits);
    return cpuFused.crossEntropy(logits, target);
  },
};
const unfused: FusedKernels = { softmax: cpuFused.softmax, linear: cpuFused.linear };
const withFused = (name: string, fused: FusedKernels): Backend =>
  Object.create(cpu, { name: { value: name }, fused: { value: fused } }) as Backend;
if (!kd.hasBackend('cpu-ce-spy')) registerBackend(withFused('cpu-ce-spy', spyFused));
if (!kd.hasBackend('cpu-ce-lowered')) registerBackend(withFused('cpu-ce-lowered', unfused));

function expectClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i], `element ${i}`).toBeCloseTo(expected[i], 12);
}

beforeEach(() => {
  calls.crossEntropy = [];
  calls.softmax = 0;
});

/** The same float64 values as a leaf on `device`; `transposed` stores them as a `[C, N]` tensor's transpose. */
function leaf(values: number[][], device: string, transposed = false): Tensor {
  const x = transposed
    ? noGrad(() =>
        kd
          .tensor(
            values[0].map((_, j) => values.map((row) => row[j])),
            { dtype: 'float64', device },
          )
          .t(),
      )
    : kd.tensor(values, { dtype: 'float64', device });
  return x.requiresGrad_();
}

const logits = [
  [0.3, -1.2, 2.5, 0.1],
  [1.7, 0.4, -0.6, -2.2],
  [-0.9, 0.8, 0.2, 1.1],
  [2.1, -0.3, 0.5, 0.9],
  [0.0, 1.4, -1.8, 0.6],
];
const classes = [2, 0, -1, 3, 1];
const classWeight = [0.5, 2, 1.5, 0.8];

describe('fused cross-entropy', () => {
  for (const reduction of ['mean', 'sum', 'none'] as Reduction[]) {
    for (const weighted of [false, true]) {
      for (const transposed of [false, true]) {
        it(`reduction=${reduction} weight=${weighted} transposed=${transposed}: one fused call, equal to the lowering in value and gradient`, () => {
          const run = (device: string) => {
            const x = leaf(logits, device, transposed);
            const target = kd.tensor(classes, { dtype: 'int32', device });
            const weight = weighted ? kd.tensor(classWeight, { dtype: 'float64', device }) : null;
            const loss = kd.crossEntropyLoss(x, target, { weight, ignoreIndex: -1, reduction });
            expect(loss.gradFn?.name).toBe('CrossEntropyLossBackward0');
            // Weights per element for 'none', so every sample's gradient counts differently.
            const seed = reduction === 'none' ? kd.tensor([1, -2, 3, 0.5, 1.5], { dtype: 'float64', device }) : undefined;
            loss.backward(seed);
            return { loss: [...loss.readSync()], grad: [...(x.grad as Tensor).readSync()] };
          };
          const fused = run('cpu-ce-spy');
          // Only the fused kernel ran forward: no [N, C] (log-)softmax; backward's softmax is the one expected call.
          expect(calls.crossEntropy.length).toBe(1);
          expect(calls.crossEntropy[0].shape).toEqual([5, 4]);
          expect(calls.crossEntropy[0].strides).toEqual(transposed ? [1, 5] : [4, 1]);
          expect(calls.softmax).toBe(1);
          const lowered = run('cpu-ce-lowered');
          expect(fused.loss.length).toBe(reduction === 'none' ? 5 : 1);
          expectClose(fused.loss, lowered.loss);
          expectClose(fused.grad, lowered.grad);
          // The ignored sample gets no gradient.
          expect(fused.grad.slice(8, 12).map(Math.abs)).toEqual([0, 0, 0, 0]);
        });
      }
    }
  }

  it('an unbatched [C] row runs the kernel as one row', () => {
    const x = kd.tensor(logits[0], { dtype: 'float64', device: 'cpu-ce-spy' }).requiresGrad_();
    const loss = kd.crossEntropyLoss(x, kd.tensor(2, { dtype: 'int32', device: 'cpu-ce-spy' }));
    expect(calls.crossEntropy.map((v) => v.shape)).toEqual([[1, 4]]);
    loss.backward();
    const y = kd.tensor(logits[0], { dtype: 'float64', device: 'cpu-ce-lowered' }).requiresGrad_();
    kd.crossEntropyLoss(y, kd.tensor(2, { dtype: 'int32', device: 'cpu-ce-lowered' })).backward();
    expect(loss.itemSync()).toBeCloseTo(Math.log(Math.exp(-2.2) + Math.exp(-3.7) + 1 + Math.exp(-2.4)), 12);
    expectClose([...(x.grad as Tensor).readSync()], [...(y.grad as Tensor).readSync()]);
  });

  it('integer logits take the lowering, in float32', () => {
    const x = kd.tensor([[1, 2, 3]], { dtype: 'int32', device: 'cpu-ce-spy' });
    const loss = kd.crossEntropyLoss(x, kd.tensor([2], { dtype: 'int32', device: 'cpu-ce-spy' }));
    expect(calls.crossEntropy).toEqual([]);
    expect(loss.dtype).toBe('float32');
    expect(loss.itemSync()).toBeCloseTo(0.40760596, 6);
  });
});
