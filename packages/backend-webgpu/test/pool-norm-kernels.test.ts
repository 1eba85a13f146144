import type { View, Window2d } from '@kindling/tensor/backend';
import { roundToFloat16 } from '@kindling/tensor/backend';
import { beforeAll, describe, expect, test } from 'vitest';
import { rowMajor } from '../src/layout.js';
import { expectClose, f32, seeded } from './helpers.js';
import { setupWebGPU } from './setup-gpu.js';
import { avgPoolRef, backendFor, conv2dRef, denseView, maxPoolRef, outSize, readDense, stridedView, win } from './window-reference.js';

// The fused pooling and batch-norm kernels called directly against naive host loops.

beforeAll(async () => {
  await setupWebGPU();
});

const SHAPE: [number, number, number, number] = [2, 3, 7, 6];

/** Values with NaNs, infinities and ties sprinkled in. */
function awkward(n: number, seed: number): number[] {
  return seeded(n, seed).map((v, i) =>
    f32(
      i % 17 === 5 ? Number.NaN : i % 13 === 3 ? Number.NEGATIVE_INFINITY : i % 11 === 0 ? Number.POSITIVE_INFINITY : i % 7 === 1 ? 0.5 : v,
    ),
  );
}

describe('maxPool2d kernel', () => {
  test.each<[string, Window2d, boolean, boolean]>([
    ['non-square, strided, padded, dilated', win([3, 2], [2, 1], [1, 1], [1, 2]), false, false],
    ['ceilMode adds a last partial window', win([2, 2], [2, 2]), true, false],
    ['ceilMode with padding, non-contiguous input', win([3, 3], [2, 2], [1, 1]), true, true],
    ['overlapping windows, several NaNs (the first wins)', win([3, 3], [1, 1], [1, 1]), false, true],
  ])('%s', async (_, window, ceilMode, strided) => {
    const b = await backendFor(true);
    const x = awkward(
      SHAPE.reduce((a, v) => a * v),
      12,
    );
    const xv = strided ? stridedView(b, x, SHAPE, [3, 1, 0, 2], 2) : denseView(b, x, SHAPE);
    const [oh, ow] = outSize(SHAPE[2], SHAPE[3], window, ceilMode);
    const shape = [2, 3, oh, ow];
    const result = b.fused.maxPool2d!(xv, window, ceilMode);
    if (!result) throw new Error('declined');
    const [values, indices] = maxPoolRef({ data: x, shape: SHAPE }, window, ceilMode);
    expectClose(await readDense(b, result[0], shape), values);
    const idx: View = { handle: result[1], dtype: 'int32', shape, strides: rowMajor(shape), offset: 0 };
    expect(Array.from(await b.read(idx))).toEqual(indices);
  });
});

describe('avgPool2d kernel', () => {
  test.each<[string, Window2d, boolean, boolean, number | null, boolean]>([
    ['padding counted', win([3, 3], [2, 2], [1, 1]), false, true, null, false],
    ['padding not counted', win([3, 3], [2, 2], [1, 1]), false, false, null, false],
    ['ceilMode, padding counted (clipped to the padded image)', win([3, 3], [2, 2], [1, 1]), true, true, null, false],
    ['ceilMode, padding not counted', win([2, 3], [2, 2], [1, 1]), true, false, null, true],
    ['divisor override', win([2, 2], [1, 2], [1, 0]), false, true, 5, true],
  ])('%s', async (_, window, ceilMode, countIncludePad, divisor, strided) => {
    const b = await backendFor(true);
    const x = seeded(
      SHAPE.reduce((a, v) => a * v),
      13,
    ).map(f32);
    const xv = strided ? stridedView(b, x, SHAPE, [2, 3, 0, 1], 1) : denseView(b, x, SHAPE);
    const [oh, ow] = outSize(SHAPE[2], SHAPE[3], window, ceilMode);
    const got = await readDense(b, b.fused.avgPool2d!(xv, window, ceilMode, countIncludePad, divisor), [2, 3, oh, ow]);
    expectClose(got, avgPoolRef({ data: x, shape: SHAPE }, window, ceilMode, countIncludePad, divisor), 1e-6, 1e-6);
  });

  test('a dilated window is declined (avg_pool2d has no dilation)', async () => {
    const b = await backendFor(true);
    const xv = denseView(b, seeded(84, 1), SHAPE);
    expect(b.fused.avgPool2d!(xv, win([2, 2], [1, 1], [0, 0], [2, 2]), false, true, null)).toBeNull();
  });
});

/** Per-channel mean and biased variance of `[N, C, rest]` data, two passes in float64. */
function momentsRef(x: number[], n: number, c: number, rest: number): [number[], number[]] {
  const mean: number[] = [];
  const variance: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    const values: number[] = [];
    for (let b = 0; b < n; b++) for (let r = 0; r < rest; r++) values.push(x[(b * c + ch) * rest + r]);
    const m = values.reduce((a, v) => a + v, 0) / values.length;
    mean.push(m);
    variance.push(values.reduce((a, v) => a + (v - m) ** 2, 0) / values.length);
  }
  return [mean, variance];
}

describe.each([true, false])('channelMoments kernel (software=%s)', (software) => {
  test.each<[string, number[], number[]]>([
    ['[N, C, H, W], non-contiguous', [4, 3, 5, 6], [1, 3, 0, 2]],
    ['[N, C]', [6, 4], [1, 0]],
    ['[N, C, L], long channels far from zero', [3, 2, 700], [0, 1, 2]],
  ])('%s', async (_, shape, order) => {
    const b = await backendFor(software);
    const size = shape.reduce((a, v) => a * v);
    const far = shape[2] === 700;
    const x = seeded(size, 14).map((v) => f32(far ? 1000 + v : v));
    const xv = stridedView(b, x, shape, order, 1);
    const result = b.fused.channelMoments!(xv);
    if (!result) throw new Error('declined');
    const [mean, variance] = momentsRef(x, shape[0], shape[1], size / shape[0] / shape[1]);
    expectClose(await readDense(b, result[0], [shape[1]]), mean, 1e-6, 1e-5);
    expectClose(await readDense(b, result[1], [shape[1]]), variance, 1e-4, 1e-5);
  });
});

describe('channelAffine kernel', () => {
  test.each([
    [true, true],
    [true, false],
    [false, true],
    [false, false],
  ])('weight %s, bias %s: (x - mean) * invStd * weight + bias, each step rounded', async (hasWeight, hasBias) => {
    const b = await backendFor(true);
    const shape = [2, 3, 4, 5];
    const x = seeded(120, 15).map(f32);
    const [m, s, w, bias] = [16, 17, 18, 19].map((seed) => seeded(3, seed).map(f32));
    const xv = stridedView(b, x, shape, [0, 2, 1, 3], 2);
    // The [C] vectors as every other element of a longer storage.
    const vec = (v: number[]): View => ({ ...stridedView(b, [v[0], 0, v[1], 0, v[2]], [5], [0], 0), shape: [3], strides: [2] });
    const got = await readDense(
      b,
      b.fused.channelAffine!(xv, vec(m), vec(s), hasWeight ? vec(w) : null, hasBias ? vec(bias) : null),
      shape,
    );
    const expected = x.map((v, i) => {
      const c = Math.floor(i / 20) % 3;
      let e = f32(f32(v - m[c]) * s[c]);
      if (hasWeight) e = f32(e * w[c]);
      if (hasBias) e = f32(e + bias[c]);
      return e;
    });
    expectClose(got, expected, 1e-6, 1e-7);
  });
});

describe('float16 through the window kernels', () => {
  const half = (v: number[]) => v.map(roundToFloat16);
  const readHalf = async (b: Awaited<ReturnType<typeof backendFor>>, handle: object | null, shape: number[]) => {
    if (!handle) throw new Error('declined');
    return Array.from(await b.read({ handle, dtype: 'float16', shape, strides: rowMajor(shape), offset: 0 }));
  };

  test('conv2d computes in float32 and rounds once; pooling and batch norm keep half results', async () => {
    const b = await backendFor(true);
    const xShape: [number, number, number, number] = [2, 3, 6, 5];
    const wShape: [number, number, number, number] = [4, 3, 3, 3];
    const x = half(seeded(180, 20));
    const w = half(seeded(108, 21));
    const window = win([3, 3], [1, 1], [1, 1]);
    const y = await readHalf(
      b,
      b.fused.conv2d!(denseView(b, x, xShape, 'float16'), denseView(b, w, wShape, 'float16'), null, window, 1),
      [2, 4, 6, 5],
    );
    expect(y).toEqual(y.map(roundToFloat16));
    expectClose(y, conv2dRef({ data: x, shape: xShape }, { data: w, shape: wShape }, null, window, 1), 2e-3, 2e-3);

    const pooled = b.fused.maxPool2d!(denseView(b, x, xShape, 'float16'), win([2, 2], [2, 2]), true);
    if (!pooled) throw new Error('declined');
    expect(await readHalf(b, pooled[0], [2, 3, 3, 3])).toEqual(maxPoolRef({ data: x, shape: xShape }, win([2, 2], [2, 2]), true)[0]);

    const moments = b.fused.channelMoments!(denseView(b, x, xShape, 'float16'));
    if (!moments) throw new Error('declined');
    const [mean] = momentsRef(x, 2, 3, 30);
    expectClose(await readHalf(b, moments[0], [3]), mean.map(roundToFloat16), 1e-3, 1e-3);

    const v3 = (v: number[]) => denseView(b, half(v), [3], 'float16');
    const [m, s] = [half(seeded(3, 22)), half(seeded(3, 23))];
    const got = await readHalf(b, b.fused.channelAffine!(denseView(b, x, xShape, 'float16'), v3(m), v3(s), null, null), xShape);
    expect(got).toEqual(x.map((v, i) => roundToFloat16(roundToFloat16(v - m[Math.floor(i / 30) % 3]) * s[Math.floor(i / 30) % 3])));
  });
});
