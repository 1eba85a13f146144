import * as kd from '@kindling/tensor';
import type { Tensor } from '@kindling/tensor';
import { noGrad } from '../src/index.js';
import { type ConvCase, leaf } from './conv-cases.js';

/*
 * Gradcheck cases of pooling, batch norm, pad and interpolate. Kept apart
 * from the test so the whole-op-table gradcheck can list them too; each
 * takes the device to run on, so one list covers the lowering to
 * primitives and a backend's fused kernels.
 */

/** A gradcheck case, as the convolution cases are. */
export type PoolNormCase = ConvCase;

/** A non-contiguous leaf: the transpose of the last two dims of a fresh tensor. */
function transposedLeaf(device: string, ...shape: number[]): Tensor {
  const base = leaf(device, ...shape.slice(0, -2), shape[shape.length - 1], shape[shape.length - 2]);
  return noGrad(() => base.transpose(-1, -2)).requiresGrad_();
}

/** A float64 `[C]` leaf of values in [0.5, 1.5]: positive, as running variances are. */
function positiveLeaf(device: string, n: number): Tensor {
  return noGrad(() => kd.rand([n], { dtype: 'float64', device }).add(0.5));
}

export const poolNormCases: PoolNormCase[] = [
  {
    op: 'maxPool2d',
    what: 'non-square kernel, stride, padding, dilation',
    run: (d) => ({
      fn: (x) => kd.maxPool2d(x, [3, 2], { stride: [2, 1], padding: [1, 1], dilation: [1, 2] }),
      inputs: [leaf(d, 2, 2, 6, 7)],
    }),
  },
  {
    op: 'maxPool2d',
    what: 'ceilMode, non-contiguous',
    run: (d) => ({ fn: (x) => kd.maxPool2d(x, 2, { ceilMode: true }), inputs: [transposedLeaf(d, 1, 2, 5, 5)] }),
  },
  {
    op: 'maxPool2d',
    what: 'unbatched, overlapping windows',
    run: (d) => ({ fn: (x) => kd.maxPool2d(x, 3, { stride: 1 }), inputs: [leaf(d, 2, 5, 4)] }),
  },
  {
    op: 'avgPool2d',
    what: 'padding, stride, ceilMode',
    run: (d) => ({
      fn: (x) => kd.avgPool2d(x, [3, 2], { stride: [2, 3], padding: [1, 1], ceilMode: true }),
      inputs: [leaf(d, 2, 2, 6, 7)],
    }),
  },
  {
    op: 'avgPool2d',
    what: 'countIncludePad false, non-contiguous',
    run: (d) => ({
      fn: (x) => kd.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
      inputs: [transposedLeaf(d, 1, 2, 5, 6)],
    }),
  },
  {
    op: 'avgPool2d',
    what: 'divisorOverride, unbatched',
    run: (d) => ({ fn: (x) => kd.avgPool2d(x, 2, { stride: 1, divisorOverride: 3 }), inputs: [leaf(d, 2, 3, 4)] }),
  },
  {
    op: 'adaptiveAvgPool2d',
    what: 'uneven windows',
    run: (d) => ({ fn: (x) => kd.adaptiveAvgPool2d(x, [3, 4]), inputs: [leaf(d, 2, 2, 7, 5)] }),
  },
  {
    op: 'adaptiveAvgPool2d',
    what: 'global, non-contiguous',
    run: (d) => ({ fn: (x) => kd.adaptiveAvgPool2d(x, 1), inputs: [transposedLeaf(d, 2, 3, 4, 5)] }),
  },
  {
    op: 'adaptiveAvgPool2d',
    what: 'larger than the input, unbatched',
    run: (d) => ({ fn: (x) => kd.adaptiveAvgPool2d(x, [5, 3]), inputs: [leaf(d, 2, 3, 2)] }),
  },
  {
    op: 'batchNorm',
    what: 'training [N,C,H,W] with weight, bias and running stats',
    run: (d) => {
      const stats = [positiveLeaf(d, 3).sub(1), positiveLeaf(d, 3)];
      return {
        fn: (x, w, b) => kd.batchNorm(x, stats[0], stats[1], { weight: w, bias: b, training: true }),
        inputs: [leaf(d, 2, 3, 2, 3), leaf(d, 3), leaf(d, 3)],
      };
    },
  },
  {
    op: 'batchNorm',
    what: 'training [N,C] non-contiguous, no affine, no stats',
    run: (d) => ({
      fn: (x) => kd.batchNorm(x, null, null, { training: true, eps: 1e-3 }),
      inputs: [noGrad(() => leaf(d, 3, 4).t()).requiresGrad_()],
    }),
  },
  {
    op: 'batchNorm',
    what: 'training [N,C,L], bias only',
    run: (d) => ({ fn: (x, b) => kd.batchNorm(x, null, null, { bias: b, training: true }), inputs: [leaf(d, 2, 3, 4), leaf(d, 3)] }),
  },
  {
    op: 'batchNorm',
    what: 'evaluation',
    run: (d) => {
      const stats = [positiveLeaf(d, 3).sub(1), positiveLeaf(d, 3)];
      return {
        fn: (x, w, b) => kd.batchNorm(x, stats[0], stats[1], { weight: w, bias: b }),
        inputs: [leaf(d, 2, 3, 2, 2), leaf(d, 3), leaf(d, 3)],
      };
    },
  },
  {
    op: 'pad',
    what: 'constant, with negative pads',
    run: (d) => ({ fn: (x) => kd.pad(x, [1, -1, -1, 2, 1, 0], { value: 0.5 }), inputs: [leaf(d, 2, 3, 4)] }),
  },
  {
    op: 'pad',
    what: 'reflect 2-D, non-contiguous',
    run: (d) => ({ fn: (x) => kd.pad(x, [2, 1, 1, 2], { mode: 'reflect' }), inputs: [transposedLeaf(d, 1, 2, 3, 4)] }),
  },
  { op: 'pad', what: 'reflect 1-D', run: (d) => ({ fn: (x) => kd.pad(x, [3, 2], { mode: 'reflect' }), inputs: [leaf(d, 2, 2, 4)] }) },
  {
    op: 'pad',
    what: 'replicate 2-D',
    run: (d) => ({ fn: (x) => kd.pad(x, [2, 3, 1, 2], { mode: 'replicate' }), inputs: [leaf(d, 1, 2, 3, 3)] }),
  },
  {
    op: 'pad',
    what: 'replicate 3-D',
    run: (d) => ({ fn: (x) => kd.pad(x, [1, 1, 2, 0, 1, 1], { mode: 'replicate' }), inputs: [leaf(d, 1, 1, 2, 3, 2)] }),
  },
  {
    op: 'interpolate',
    what: 'nearest, size',
    run: (d) => ({ fn: (x) => kd.interpolate(x, { size: [5, 7] }), inputs: [leaf(d, 1, 2, 3, 4)] }),
  },
  {
    op: 'interpolate',
    what: 'nearest, downsample by scale',
    run: (d) => ({ fn: (x) => kd.interpolate(x, { scaleFactor: [1.5, 0.5] }), inputs: [leaf(d, 1, 1, 4, 6)] }),
  },
  {
    op: 'interpolate',
    what: 'bilinear',
    run: (d) => ({ fn: (x) => kd.interpolate(x, { size: [5, 7], mode: 'bilinear' }), inputs: [leaf(d, 2, 2, 3, 4)] }),
  },
  {
    op: 'interpolate',
    what: 'bilinear alignCorners, non-contiguous',
    run: (d) => ({
      fn: (x) => kd.interpolate(x, { size: [4, 6], mode: 'bilinear', alignCorners: true }),
      inputs: [transposedLeaf(d, 1, 2, 3, 5)],
    }),
  },
  {
    op: 'interpolate',
    what: 'bilinear downsample by scale',
    run: (d) => ({ fn: (x) => kd.interpolate(x, { scaleFactor: 0.6, mode: 'bilinear' }), inputs: [leaf(d, 1, 1, 6, 5)] }),
  },
];
