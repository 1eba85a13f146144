import type { View, Window2d } from '@kindling/tensor/backend';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectClose, f32, seeded } from './helpers.js';
import { setupWebGPU } from './setup-gpu.js';
import {
  backendFor,
  col2imRef,
  conv2dInputGradRef,
  conv2dRef,
  conv2dWeightGradRef,
  denseView,
  im2colRef,
  outSize,
  readDense,
  stridedView,
  win,
} from './window-reference.js';

// The fused convolution kernels called directly against naive host loops, on both
// kernel variants: `software` (direct, no workgroup memory) and the tiled GPU one.

beforeAll(async () => {
  await setupWebGPU();
});

interface ConvCase {
  name: string;
  n: number;
  cin: number;
  h: number;
  w: number;
  cout: number;
  groups: number;
  window: Window2d;
  bias: boolean;
  strided: boolean;
}

const CASES: ConvCase[] = [
  {
    name: 'non-square kernel, stride, padding, dilation',
    n: 2,
    cin: 3,
    h: 7,
    w: 6,
    cout: 4,
    groups: 1,
    window: win([3, 2], [2, 1], [1, 0], [1, 2]),
    bias: true,
    strided: false,
  },
  {
    name: 'groups 2, no bias',
    n: 2,
    cin: 4,
    h: 5,
    w: 5,
    cout: 6,
    groups: 2,
    window: win([3, 3], [1, 1], [1, 1]),
    bias: false,
    strided: false,
  },
  {
    name: 'depthwise, dilated, uneven padding',
    n: 2,
    cin: 5,
    h: 8,
    w: 7,
    cout: 5,
    groups: 5,
    window: win([2, 3], [1, 2], [2, 1], [2, 2]),
    bias: true,
    strided: false,
  },
  { name: 'batch of one, 1x1 kernel', n: 1, cin: 3, h: 4, w: 3, cout: 2, groups: 1, window: win([1, 1]), bias: true, strided: false },
  {
    name: 'non-contiguous views (NHWC storage, offsets)',
    n: 2,
    cin: 3,
    h: 6,
    w: 5,
    cout: 4,
    groups: 1,
    window: win([3, 3], [2, 2], [1, 1]),
    bias: true,
    strided: true,
  },
  {
    name: 'several tiles and a split reduction',
    n: 3,
    cin: 8,
    h: 20,
    w: 20,
    cout: 70,
    groups: 1,
    window: win([3, 3]),
    bias: true,
    strided: false,
  },
  {
    name: 'stride larger than the kernel',
    n: 2,
    cin: 2,
    h: 9,
    w: 9,
    cout: 3,
    groups: 1,
    window: win([2, 2], [3, 3], [1, 0]),
    bias: false,
    strided: true,
  },
];

describe.each([true, false])('conv2d kernels (software=%s)', (software) => {
  test.each(CASES)('$name: forward, input and weight gradients match the definition', async (c) => {
    const b = await backendFor(software);
    const { kernel } = c.window;
    const xShape: [number, number, number, number] = [c.n, c.cin, c.h, c.w];
    const wShape: [number, number, number, number] = [c.cout, c.cin / c.groups, kernel[0], kernel[1]];
    const [oh, ow] = outSize(c.h, c.w, c.window);
    const gShape: [number, number, number, number] = [c.n, c.cout, oh, ow];
    const x = seeded(
      xShape.reduce((a, v) => a * v),
      1,
    ).map(f32);
    const w = seeded(
      wShape.reduce((a, v) => a * v),
      2,
    ).map(f32);
    const g = seeded(
      gShape.reduce((a, v) => a * v),
      3,
    ).map(f32);
    const bias = c.bias ? seeded(c.cout, 4).map(f32) : null;
    const view = (data: number[], shape: number[], order: number[]) =>
      c.strided ? stridedView(b, data, shape, order) : denseView(b, data, shape);
    const xv = view(x, xShape, [0, 2, 3, 1]);
    const wv = view(w, wShape, [2, 3, 1, 0]);
    const gv = view(g, gShape, [1, 0, 3, 2]);
    const bv = bias ? view(bias, [c.cout], [0]) : null;
    const fused = b.fused;

    const y = await readDense(b, fused.conv2d!(xv, wv, bv, c.window, c.groups), gShape);
    expectClose(y, conv2dRef({ data: x, shape: xShape }, { data: w, shape: wShape }, bias, c.window, c.groups), 1e-4, 1e-4);

    const dx = await readDense(b, fused.conv2dInputGrad!(gv, wv, [c.h, c.w], c.window, c.groups), xShape);
    const dxRef = conv2dInputGradRef({ data: g, shape: gShape }, { data: w, shape: wShape }, [c.h, c.w], c.window, c.groups);
    expectClose(dx, dxRef, 1e-4, 1e-4);

    const dw = await readDense(b, fused.conv2dWeightGrad!(xv, gv, c.window, c.groups), wShape);
    expectClose(dw, conv2dWeightGradRef({ data: x, shape: xShape }, { data: g, shape: gShape }, c.window, c.groups), 1e-4, 1e-3);
    for (const v of [xv, wv, gv, bv]) if (v) b.free(v.handle);
  });
});

describe('conv2d input gradient', () => {
  test('is the transposed convolution for sizes past the last window (outputPadding)', async () => {
    const b = await backendFor(false);
    const window = win([3, 3], [2, 2], [1, 1]);
    // A 7x7 input gives 4x4 windows; so does 8x8, whose last row and column no window reaches at its first tap.
    const gShape: [number, number, number, number] = [1, 2, 4, 4];
    const wShape: [number, number, number, number] = [2, 3, 3, 3];
    const g = seeded(32, 5).map(f32);
    const w = seeded(54, 6).map(f32);
    const dx = await readDense(
      b,
      b.fused.conv2dInputGrad!(denseView(b, g, gShape), denseView(b, w, wShape), [8, 8], window, 1),
      [1, 3, 8, 8],
    );
    expectClose(dx, conv2dInputGradRef({ data: g, shape: gShape }, { data: w, shape: wShape }, [8, 8], window, 1), 1e-5, 1e-5);
  });
});

describe('im2col and col2im', () => {
  test.each([
    ['non-square, strided, padded, dilated', win([2, 3], [2, 1], [1, 2], [2, 1]), false],
    ['non-contiguous input', win([3, 3], [1, 1], [1, 1]), true],
  ] as const)('%s: im2col and col2im match the definition', async (_, window, strided) => {
    const b = await backendFor(true);
    const shape: [number, number, number, number] = [2, 3, 6, 5];
    const x = seeded(180, 7).map(f32);
    const xv = strided ? stridedView(b, x, shape, [3, 2, 1, 0], 3) : denseView(b, x, shape);
    const [oh, ow] = outSize(6, 5, window);
    const k = window.kernel[0] * window.kernel[1];
    const colShape = [2, 3 * k, oh * ow];
    const cols = await readDense(b, b.fused.im2col!(xv, window), colShape);
    const expected = im2colRef({ data: x, shape }, window);
    expect(cols).toEqual(expected);
    // col2im of arbitrary columns, read through a transposed view.
    const colData = seeded(
      colShape.reduce((a, v) => a * v),
      8,
    ).map(f32);
    const cv = stridedView(b, colData, colShape, [0, 2, 1], 2);
    const img = await readDense(b, b.fused.col2im!(cv, [6, 5], window), shape);
    expectClose(img, col2imRef(colData, 2, 3, [6, 5], window), 1e-6, 1e-6);
  });
});

describe('conv kernels and the command batch', () => {
  test('a layer forward and backward is enqueued without submitting or reading back', async () => {
    const b = await backendFor(false);
    const window = win([3, 3]);
    const xv = denseView(b, seeded(2 * 3 * 8 * 8, 9), [2, 3, 8, 8]);
    const wv = denseView(b, seeded(4 * 3 * 9, 10), [4, 3, 3, 3]);
    const gv = denseView(b, seeded(2 * 4 * 36, 11), [2, 4, 6, 6]);
    b.runtime.flush();
    const before = b.runtime.submissions;
    const handles = [
      b.fused.conv2d!(xv, wv, null, window, 1),
      b.fused.conv2dInputGrad!(gv, wv, [8, 8], window, 1),
      b.fused.conv2dWeightGrad!(xv, gv, window, 1),
    ];
    expect(b.runtime.submissions).toBe(before);
    b.runtime.flush();
    expect(b.runtime.submissions).toBe(before + 1);
    for (const h of handles) if (h) b.free(h);
  });

  test('other dtypes are declined so the op lowers', async () => {
    const b = await backendFor(true);
    const xi: View = {
      handle: b.upload('int32', new Int32Array(16)),
      dtype: 'int32',
      shape: [1, 1, 4, 4],
      strides: [16, 16, 4, 1],
      offset: 0,
    };
    expect(b.fused.conv2d!(xi, xi, null, win([1, 1]), 1)).toBeNull();
    expect(b.fused.im2col!(xi, win([2, 2]))).toBeNull();
    expect(b.fused.maxPool2d!(xi, win([2, 2], [2, 2]), false)).toBeNull();
  });
});
