import { configureCpuKernels, cpuBackend, cpuKernelInfo, cpuReady } from '@kindling/backend-cpu';
import type { StorageHandle, View, Window2d } from '@kindling/tensor/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataOf } from '../src/kernels/storage.js';
import {
  type Reference,
  channelsLast,
  outSize,
  randomView,
  refConv2d,
  refConv2dInputGrad,
  refConv2dWeightGrad,
  refFold,
  refUnfold,
  win,
} from './conv-reference.js';

// The CPU backend's fused convolution kernels (WebAssembly: im2col + the packed
// GEMM) against naive float64 references, over every window argument and the
// input layouts the Backend contract allows.

beforeAll(async () => {
  await cpuReady();
});

const fused = cpuBackend.fused!;

/** Checks a float32 result against a reference: within float32 rounding of the sum of |terms|. */
function expectClose(handle: StorageHandle | null, ref: Reference): void {
  expect(handle).not.toBeNull();
  const got = dataOf(handle as StorageHandle);
  expect(got.length).toBe(ref.values.length);
  for (let i = 0; i < got.length; i++) {
    const tol = 4e-6 * ref.scale[i] + 1e-6;
    if (!(Math.abs(got[i] - ref.values[i]) <= tol)) expect.fail(`element ${i}: got ${got[i]}, expected ${ref.values[i]} (±${tol})`);
  }
}

interface Case {
  name: string;
  x: [number, number, number, number];
  cout: number;
  window: Window2d;
  groups?: number;
  bias?: boolean;
  layout?: 'contiguous' | 'channelsLast' | 'offset';
}

const CASES: Case[] = [
  { name: 'mnist conv1 shape (Cin 1, 3x3)', x: [3, 1, 12, 12], cout: 8, window: win([3, 3]) },
  { name: 'non-square kernel, stride 2, padding', x: [2, 3, 9, 11], cout: 5, window: win([2, 3], [2, 1], [1, 2]) },
  { name: 'dilation and asymmetric stride', x: [2, 4, 13, 10], cout: 6, window: win([3, 2], [1, 3], [2, 0], [2, 3]) },
  { name: 'groups 2', x: [2, 4, 8, 8], cout: 6, window: win([3, 3], [1, 1], [1, 1]), groups: 2 },
  { name: 'depthwise (groups = C, multiplier 2)', x: [2, 5, 7, 9], cout: 10, window: win([3, 3], [2, 2], [1, 1]), groups: 5 },
  { name: 'batch of one, no bias', x: [1, 6, 10, 10], cout: 7, window: win([5, 5], [1, 1], [2, 2]), bias: false },
  { name: '1x1 pointwise', x: [3, 8, 6, 5], cout: 4, window: win([1, 1]) },
  { name: '1x1 stride 2 with padding', x: [2, 3, 7, 7], cout: 4, window: win([1, 1], [2, 2], [1, 1]) },
  { name: 'kernel larger than the stride leaves rows unread', x: [2, 2, 10, 10], cout: 3, window: win([2, 2], [3, 3]) },
  { name: 'channels-last input', x: [2, 3, 9, 8], cout: 4, window: win([3, 3], [1, 1], [1, 1]), layout: 'channelsLast' },
  { name: 'input at an offset, pointwise', x: [2, 4, 5, 5], cout: 3, window: win([1, 1]), layout: 'offset' },
  { name: 'cifar conv2 shape (6→16 5x5)', x: [4, 6, 14, 14], cout: 16, window: win([5, 5]) },
  { name: 'tiles of output positions (im2col larger than one tile)', x: [2, 64, 24, 24], cout: 8, window: win([3, 3], [1, 1], [1, 1]) },
  { name: 'many samples across threads', x: [9, 4, 12, 12], cout: 24, window: win([3, 3]) },
  // 3×3 stride 1 with ≥ 8 channels each side: Winograd F(2×2, 3×3).
  { name: 'winograd, mnist conv2 shape (32→64, 26²)', x: [1, 32, 26, 26], cout: 64, window: win([3, 3]) },
  { name: 'winograd, odd output (partial tiles and tile groups)', x: [2, 8, 11, 13], cout: 9, window: win([3, 3]) },
  { name: 'winograd, padding 1 ("same")', x: [2, 10, 9, 10], cout: 8, window: win([3, 3], [1, 1], [1, 1]) },
  { name: 'winograd, padding 2 and asymmetric', x: [1, 8, 7, 6], cout: 12, window: win([3, 3], [1, 1], [2, 0]) },
  { name: 'winograd, padding 3 (input gradient on im2col)', x: [1, 8, 5, 5], cout: 8, window: win([3, 3], [1, 1], [3, 3]) },
  { name: 'winograd, channels-last input', x: [2, 8, 10, 9], cout: 8, window: win([3, 3], [1, 1], [1, 1]), layout: 'channelsLast' },
  { name: 'winograd, wide rows (several blocks of tile rows)', x: [1, 16, 40, 40], cout: 16, window: win([3, 3], [1, 1], [1, 1]) },
];

function input(c: Case, seed: number): View {
  if (c.layout === 'channelsLast') return channelsLast(c.x, seed);
  if (c.layout === 'offset') return randomView(c.x, seed, undefined, 7);
  return randomView(c.x, seed);
}

function shapes(c: Case) {
  const groups = c.groups ?? 1;
  const [, C, H, W] = c.x;
  const w = c.window;
  const out: [number, number] = [
    outSize(H, w.kernel[0], w.stride[0], w.padding[0], w.dilation[0]),
    outSize(W, w.kernel[1], w.stride[1], w.padding[1], w.dilation[1]),
  ];
  return { groups, weight: [c.cout, C / groups, ...w.kernel] as number[], grad: [c.x[0], c.cout, ...out] as number[] };
}

describe('fused conv2d on the WebAssembly kernels', () => {
  it('is active (the kernels loaded)', () => {
    expect(cpuKernelInfo().status).toBe('ready');
  });

  for (const c of CASES) {
    describe(c.name, () => {
      const { groups, weight, grad } = shapes(c);
      it('forward equals the reference', () => {
        const x = input(c, 1);
        const w = randomView(weight, 2);
        const b = c.bias === false ? null : randomView([c.cout], 3);
        expectClose(fused.conv2d!(x, w, b, c.window, groups), refConv2d(x, w, b, c.window, groups));
      });
      it('input gradient equals the reference', () => {
        const g = randomView(grad, 4);
        const w = randomView(weight, 5);
        const size: [number, number] = [c.x[2], c.x[3]];
        expectClose(fused.conv2dInputGrad!(g, w, size, c.window, groups), refConv2dInputGrad(g, w, c.x, c.window, groups));
      });
      it('weight gradient equals the reference', () => {
        const x = input(c, 6);
        const g = randomView(grad, 7);
        expectClose(fused.conv2dWeightGrad!(x, g, c.window, groups), refConv2dWeightGrad(x, g, c.window, groups));
      });
    });
  }

  it('reads a broadcast gradient (stride 0, as from sum().backward()) in place', () => {
    const c = CASES[1];
    const { groups, weight, grad } = shapes(c);
    const g = randomView(grad, 8, [0, 0, 0, 0]);
    const w = randomView(weight, 9);
    const x = input(c, 10);
    expectClose(fused.conv2dInputGrad!(g, w, [c.x[2], c.x[3]], c.window, groups), refConv2dInputGrad(g, w, c.x, c.window, groups));
    expectClose(fused.conv2dWeightGrad!(x, g, c.window, groups), refConv2dWeightGrad(x, g, c.window, groups));
  });

  it('reads a gradient whose positions do not flatten (a transposed view) through a copy', () => {
    const shape = [2, 3, 5, 4];
    const g = randomView(shape, 11, [60, 20, 1, 5]);
    const w = randomView([3, 2, 2, 2], 12);
    const window = win([2, 2]);
    expectClose(fused.conv2dInputGrad!(g, w, [6, 5], window, 1), refConv2dInputGrad(g, w, [2, 2, 6, 5], window, 1));
  });

  it('gives the same bits on one and on three threads (the weight gradient sums the batch in fixed slices)', async () => {
    const c: Case = { name: '', x: [20, 8, 14, 14], cout: 16, window: win([3, 3], [1, 1], [1, 1]) };
    const { weight, grad } = shapes(c);
    const x = input(c, 13);
    const w = randomView(weight, 14);
    const g = randomView(grad, 15);
    const run = () =>
      [
        fused.conv2d!(x, w, null, c.window, 1),
        fused.conv2dInputGrad!(g, w, [14, 14], c.window, 1),
        fused.conv2dWeightGrad!(x, g, c.window, 1),
      ].map((h) => Array.from(dataOf(h as StorageHandle)));
    configureCpuKernels({ threads: 1 });
    const one = run();
    configureCpuKernels({ threads: 3 });
    await cpuReady();
    const three = run();
    configureCpuKernels({ threads: 2 });
    expect(three).toEqual(one);
  });

  it('declines float64 and float16 (the op lowers to primitives)', () => {
    for (const dtype of ['float64', 'float16'] as const) {
      const x: View = { ...randomView([1, 1, 4, 4], 16), dtype };
      const w: View = { ...randomView([1, 1, 3, 3], 17), dtype };
      expect(fused.conv2d!(x, w, null, win([3, 3]), 1)).toBeNull();
      expect(fused.conv2dWeightGrad!(x, randomView([1, 1, 2, 2], 18), win([3, 3]), 1)).toBeNull();
      expect(fused.im2col!(x, win([3, 3]))).toBeNull();
    }
  });
});

describe('fused im2col (unfold) and col2im (fold)', () => {
  const windows: [string, [number, number, number, number], Window2d][] = [
    ['3x3', [2, 3, 6, 7], win([3, 3])],
    ['non-square, stride, padding, dilation', [2, 2, 9, 8], win([2, 3], [2, 1], [1, 2], [2, 1])],
    ['1x1 stride 2', [1, 4, 5, 5], win([1, 1], [2, 2])],
  ];
  for (const [name, shape, window] of windows) {
    it(`unfold ${name} equals the reference, also from a channels-last view`, () => {
      for (const x of [randomView(shape, 20), channelsLast(shape, 21)]) expectClose(fused.im2col!(x, window), refUnfold(x, window));
    });
    it(`fold ${name} equals the reference, also from a transposed view`, () => {
      const [N, C, H, W] = shape;
      const L =
        outSize(H, window.kernel[0], window.stride[0], window.padding[0], window.dilation[0]) *
        outSize(W, window.kernel[1], window.stride[1], window.padding[1], window.dilation[1]);
      const rows = C * window.kernel[0] * window.kernel[1];
      const dense = randomView([N, rows, L], 22);
      const transposed = randomView([N, rows, L], 23, [rows * L, 1, rows]);
      for (const cols of [dense, transposed]) expectClose(fused.col2im!(cols, [H, W], window), refFold(cols, shape, window));
    });
  }
});
