import { cpuReady } from '@kindling/backend-cpu';
import {
  type Tensor,
  avgPool2d,
  batchNorm,
  conv2d,
  convTranspose2d,
  fold,
  hasBackend,
  manualSeed,
  maxPool2dWithIndices,
  randn,
  tensor,
  unfold,
} from '@kindling/tensor';
import { getBackend, registerBackend } from '@kindling/tensor/backend';
import { conv2dInputGrad, conv2dWeightGrad } from '@kindling/tensor/internal';
import { beforeAll, describe, expect, it } from 'vitest';

// The fused sliding-window kernels through the public ops, against the same
// ops lowered to primitives (the CPU backend without fused kernels): every
// path a model takes reaches the kernels with the views the ops make.

const LOWERED = 'cpu-lowered';
if (!hasBackend(LOWERED)) registerBackend(Object.create(getBackend('cpu'), { name: { value: LOWERED }, fused: { value: undefined } }));

beforeAll(async () => {
  await cpuReady();
});

/** Runs `f` on the CPU (fused) and on the lowered device with the same inputs; expects results within float32 rounding. */
function agree(inputs: Tensor[], f: (...xs: Tensor[]) => Tensor | Tensor[], tol = 1e-5): void {
  const fused = [f(...inputs)].flat();
  const lowered = [f(...inputs.map((t) => t.to(LOWERED)))].flat();
  expect(fused.map((t) => t.shape)).toEqual(lowered.map((t) => t.shape));
  fused.forEach((t, i) => {
    const a = t.readSync();
    const b = lowered[i].readSync();
    const scale = Math.max(1, ...Array.from(b, Math.abs).filter(Number.isFinite));
    for (let j = 0; j < a.length; j++) {
      if (Number.isNaN(b[j])) expect(a[j]).toBeNaN();
      else if (!(Math.abs(a[j] - b[j]) <= tol * scale)) expect.fail(`output ${i}[${j}]: fused ${a[j]}, lowered ${b[j]}`);
    }
  });
}

const conv = { kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1] } as const;

describe('fused window kernels agree with their lowering through the public ops', () => {
  it('conv2d: Winograd (3×3, 16→24), im2col (stride 2, dilation, groups), depthwise', () => {
    manualSeed(1);
    agree([randn(2, 16, 11, 12), randn(24, 16, 3, 3), randn(24)], (x, w, b) => conv2d(x, w, b, { padding: 1 }));
    agree([randn(2, 6, 11, 12), randn(4, 3, 2, 3), randn(4)], (x, w, b) => conv2d(x, w, b, { stride: [2, 1], dilation: 2, groups: 2 }));
    agree([randn(1, 5, 9, 9), randn(5, 1, 3, 3)], (x, w) => conv2d(x, w, null, { padding: 'same', groups: 5 }));
    // A non-contiguous input: the transpose of an NHWC tensor.
    agree([randn(2, 10, 9, 16), randn(8, 16, 3, 3)], (x, w) => conv2d(x.permute(0, 3, 1, 2), w));
  });

  it('conv2dInputGrad and conv2dWeightGrad (the gradient rules), on both paths', () => {
    manualSeed(2);
    agree([randn(3, 24, 10, 11), randn(24, 16, 3, 3)], (g, w) => conv2dInputGrad(g, w, [10, 11], conv, 1));
    agree([randn(3, 16, 10, 11), randn(3, 24, 10, 11)], (x, g) => conv2dWeightGrad(x, g, conv, 1));
    const strided = { kernel: [2, 3], stride: [2, 2], padding: [0, 1], dilation: [1, 1] } as const;
    agree([randn(2, 4, 5, 5), randn(4, 3, 2, 3)], (g, w) => conv2dInputGrad(g, w, [10, 9], strided, 1));
    agree([randn(2, 3, 10, 9), randn(2, 4, 5, 5)], (x, g) => conv2dWeightGrad(x, g, strided, 1));
  });

  it('convTranspose2d, unfold, fold', () => {
    manualSeed(3);
    agree([randn(2, 8, 5, 6), randn(8, 3, 3, 3)], (x, w) => convTranspose2d(x, w, null, { stride: 2, padding: 1 }));
    agree([randn(2, 3, 7, 8)], (x) => unfold(x, [2, 3], { stride: [1, 2], padding: 1 }));
    agree([randn(2, 3 * 6, 4 * 5)], (c) => fold(c, [8, 9], [2, 3], { stride: [2, 2], padding: [0, 1] }));
  });

  it('maxPool2d with indices (NaN included), avgPool2d with ceilMode and countIncludePad', () => {
    manualSeed(4);
    const values = randn(2, 3, 9, 10).readSync();
    for (let i = 0; i < values.length; i += 11) values[i] = Number.NaN;
    const x = tensor(values).reshape([2, 3, 9, 10]);
    // Indices too: the fused kernel and the lowering both name the first NaN of a window.
    agree([x], (t) => maxPool2dWithIndices(t, 2), 0);
    agree([x], (t) => maxPool2dWithIndices(t, 3, { stride: 2, padding: 1, ceilMode: true }), 0);
    agree([randn(2, 3, 9, 10)], (t) => maxPool2dWithIndices(t, 3, { stride: 2, padding: 1, ceilMode: true }), 0);
    const y = randn(2, 3, 9, 10);
    agree([y], (t) => avgPool2d(t, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }));
    agree([y], (t) => avgPool2d(t, [2, 3], { divisorOverride: 5 }));
  });

  it('batchNorm in training (batch statistics) and evaluation (running statistics)', () => {
    manualSeed(5);
    const [x, weight, bias] = [randn(8, 6, 5, 7), randn(6), randn(6)];
    agree([x, weight, bias], (t, w, b) => batchNorm(t, null, null, { training: true, weight: w, bias: b }));
    agree([x, randn(6), randn(6).abs()], (t, m, v) => batchNorm(t, m, v, { training: false }));
    agree([randn(16, 6)], (t) => batchNorm(t, null, null, { training: true }));
  });
});
