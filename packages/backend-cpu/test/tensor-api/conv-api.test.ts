import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import {
  type BackendMemory,
  DTypeError,
  KindlingError,
  ShapeError,
  arange,
  conv1d,
  conv2d,
  convTranspose2d,
  fold,
  memory,
  ones,
  randn,
  unfold,
  zeros,
} from '@kindling/tensor';

/*
 * The convolution API's shapes, errors (PyTorch's content, both shapes
 * named), memory hygiene and Tensor.unfold. Values against PyTorch are in
 * the conformance suite's window-op fixtures and window-float16.test.ts.
 */

describe('conv2d shapes and arguments', () => {
  it('follows PyTorch output sizes for stride, padding, dilation and same/valid', () => {
    const x = zeros([2, 3, 28, 27]);
    const w = zeros([8, 3, 3, 4]);
    expect(conv2d(x, w).shape).toEqual([2, 8, 26, 24]);
    expect(conv2d(x, w, null, { stride: 2, padding: [1, 2] }).shape).toEqual([2, 8, 14, 14]);
    expect(conv2d(x, w, null, { dilation: [2, 3] }).shape).toEqual([2, 8, 24, 18]);
    expect(conv2d(x, w, null, { padding: 'same', dilation: 2 }).shape).toEqual([2, 8, 28, 27]);
    expect(conv2d(x, w, null, { padding: 'valid' }).shape).toEqual([2, 8, 26, 24]);
    expect(conv2d(x, zeros([6, 1, 3, 3]), null, { groups: 3 }).shape).toEqual([2, 6, 26, 25]);
  });

  it("pads 'same' with the extra row and column at the bottom and right, as PyTorch does", () => {
    // A 2x2 kernel picking the top-left tap: out[h, w] = x[h, w] only if the window starts at the top-left pixel.
    const x = arange(12, { dtype: 'float32' }).reshape(1, 1, 3, 4);
    const w = zeros([1, 1, 2, 2]);
    w.select(3, 0).select(2, 0).fill_(1);
    expect(conv2d(x, w, null, { padding: 'same' }).tolistSync()).toEqual(x.tolistSync());
  });

  it('takes unbatched inputs and gives an empty batch for an empty batch', () => {
    expect(conv2d(zeros([3, 5, 5]), zeros([2, 3, 3, 3])).shape).toEqual([2, 3, 3]);
    expect(conv2d(zeros([0, 3, 5, 5]), zeros([2, 3, 3, 3]), zeros([2])).shape).toEqual([0, 2, 3, 3]);
    expect(conv1d(zeros([0, 3, 5]), zeros([2, 3, 3])).shape).toEqual([0, 2, 3]);
    expect(convTranspose2d(zeros([0, 3, 5, 5]), zeros([3, 2, 3, 3])).shape).toEqual([0, 2, 7, 7]);
  });

  it('names both shapes when channels do not match', () => {
    const err = () => conv2d(zeros([8, 1, 28, 28]), zeros([32, 3, 3, 3]));
    expect(err).toThrow(ShapeError);
    expect(err).toThrow(
      'conv2d: given groups=1, weight of size [32,3,3,3] expects input [8,1,28,28] to have 3 channels, but got 1 channels',
    );
    expect(() => conv2d(zeros([8, 4, 28, 28]), zeros([32, 3, 3, 3]), null, { groups: 2 })).toThrow(
      'conv2d: given groups=2, weight of size [32,3,3,3] expects input [8,4,28,28] to have 6 channels, but got 4 channels',
    );
    expect(() => conv1d(zeros([8, 3, 5]), zeros([32, 2, 3]))).toThrow(
      'conv1d: given groups=1, weight of size [32,2,3] expects input [8,3,5]',
    );
  });

  it('refuses bad groups, bias, ranks, kernels larger than the input and bad padding', () => {
    const x = zeros([8, 4, 5, 5]);
    expect(() => conv2d(x, zeros([30, 2, 3, 3]), null, { groups: 4 })).toThrow(
      'conv2d: given groups=4, expected weight to be divisible by 4 at dimension 0, but got weight of size [30,2,3,3]',
    );
    expect(() => conv2d(x, zeros([4, 4, 3, 3]), null, { groups: 0 })).toThrow('conv2d: groups must be a positive integer, got 0');
    expect(() => conv2d(x, zeros([4, 4, 3, 3]), zeros([3]))).toThrow(
      'conv2d: given weight of size [4,4,3,3], expected bias to be 1-D with 4 elements, but got bias of size [3]',
    );
    expect(() => conv2d(zeros([3, 5]), zeros([4, 3, 3, 3]))).toThrow(
      'conv2d: expected a 3-D (unbatched) or 4-D (batched) input, but got input of size [3,5]',
    );
    expect(() => conv2d(x, zeros([4, 4, 3]))).toThrow('conv2d: expected a 4-D weight');
    expect(() => conv2d(zeros([1, 4, 2, 2]), zeros([4, 4, 3, 3]))).toThrow(
      "conv2d: calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size",
    );
    expect(() => conv2d(x, zeros([4, 4, 3, 3]), null, { stride: 2, padding: 'same' })).toThrow(
      "conv2d: padding='same' is not supported for strided convolutions",
    );
    expect(() => conv2d(x, zeros([4, 4, 3, 3]), null, { padding: 'full' as 'same' })).toThrow("conv2d: invalid padding string 'full'");
    expect(() => conv2d(x, zeros([4, 4, 3, 3]), null, { padding: -1 })).toThrow(KindlingError);
    expect(() => conv2d(x, zeros([4, 4, 3, 3]), null, { stride: [1, 0] })).toThrow(KindlingError);
    expect(() => conv1d(zeros([1, 4, 5]), zeros([4, 4, 3]), null, { stride: [1, 1] as unknown as number })).toThrow(
      'conv1d: expected stride to be a single integer value',
    );
    expect(() => conv1d(zeros([1, 4, 5]), zeros([4, 4, 3]), null, { dilation: 0 })).toThrow(
      'conv1d: dilation must be an integer ≥ 1, got 0',
    );
  });

  it('refuses integer inputs and mixed dtypes', () => {
    expect(() => conv2d(zeros([1, 1, 3, 3], { dtype: 'int32' }), zeros([1, 1, 2, 2], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 2, 2], { dtype: 'float64' }))).toThrow(
      'conv2d: input type (float32) and weight type (float64) should be the same',
    );
    expect(() => conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 2, 2]), zeros([1], { dtype: 'float16' }))).toThrow(
      'conv2d: input type (float32) and bias type (float16) should be the same',
    );
  });
});

describe('convTranspose2d', () => {
  it('gives PyTorch output sizes with outputPadding', () => {
    const x = zeros([2, 4, 5, 6]);
    expect(convTranspose2d(x, zeros([4, 3, 3, 3])).shape).toEqual([2, 3, 7, 8]);
    expect(convTranspose2d(x, zeros([4, 3, 3, 3]), zeros([3]), { stride: 2, padding: 1, outputPadding: 1 }).shape).toEqual([2, 3, 10, 12]);
    expect(convTranspose2d(x, zeros([4, 1, 2, 3]), null, { groups: 2, dilation: 2, outputPadding: [1, 0] }).shape).toEqual([2, 2, 8, 10]);
  });

  it('refuses bad channels, bias, output padding and too small outputs', () => {
    expect(() => convTranspose2d(zeros([8, 3, 5, 5]), zeros([4, 3, 3, 3]))).toThrow(
      'convTranspose2d: given transposed=1, weight of size [4,3,3,3] expects input [8,3,5,5] to have 4 channels, but got 3 channels',
    );
    expect(() => convTranspose2d(zeros([8, 4, 5, 5]), zeros([4, 3, 3, 3]), zeros([5]))).toThrow(
      'expected bias to be 1-D with 3 elements, but got bias of size [5]',
    );
    expect(() => convTranspose2d(zeros([8, 3, 5, 5]), zeros([3, 3, 3, 3]), null, { stride: 2, outputPadding: 2 })).toThrow(
      'convTranspose2d: output padding must be smaller than either stride or dilation, but got outputPadding [2,2], stride [2,2] and dilation [1,1]',
    );
    expect(() => convTranspose2d(zeros([1, 4, 1, 1]), zeros([4, 3, 3, 3]), null, { padding: 3 })).toThrow(
      'convTranspose2d: given input size per channel: (1 x 1). Calculated output size per channel: (-3 x -3). Output size is too small',
    );
  });

  it('is the adjoint of conv2d: <conv2d(x, w), y> = <x, convTranspose2d(y, w)>', () => {
    const x = randn([2, 3, 7, 6], { dtype: 'float64' });
    const w = randn([4, 3, 3, 2], { dtype: 'float64' });
    const opts = { stride: 2, padding: 1, dilation: [1, 2] as [number, number] };
    const y = randn([2, 4, 4, 3], { dtype: 'float64' });
    const lhs = conv2d(x, w, null, opts).mul(y).sum().itemSync();
    const rhs = x
      .mul(convTranspose2d(y, w, null, { ...opts, outputPadding: [0, 1] }))
      .sum()
      .itemSync();
    expect(lhs).toBeCloseTo(rhs, 10);
  });
});

describe('unfold and fold', () => {
  it('unfold gives [N, C*kh*kw, L] and fold inverts it up to the overlap count', () => {
    const x = randn([2, 3, 6, 5]);
    const cols = unfold(x, [2, 3], { stride: [2, 1] });
    expect(cols.shape).toEqual([2, 18, 9]);
    const back = fold(cols, [6, 5], [2, 3], { stride: [2, 1] });
    const counts = fold(unfold(ones([1, 1, 6, 5]), [2, 3], { stride: [2, 1] }), [6, 5], [2, 3], { stride: [2, 1] });
    const expected = x.mul(counts).tolistSync() as number[][][][];
    const want = expected.flat(3);
    (back.tolistSync() as number[][][][]).flat(3).forEach((v, i) => {
      expect(v).toBeCloseTo(want[i], 5);
    });
  });

  it('refuses empty block grids, mismatched block counts and indivisible rows', () => {
    expect(() => unfold(zeros([8, 3, 2, 2]), 3)).toThrow(
      'unfold: given input with spatial size (2, 2), kernelSize=(3, 3), dilation=(1, 1), padding=(0, 0), calculated shape of the array of sliding blocks as (0, 0), but its components must be at least one',
    );
    expect(() => fold(zeros([8, 27, 5]), [4, 4], 3)).toThrow(
      "expected size of input's dimension 2 to match the calculated number of sliding blocks 2 * 2 = 4, but got input.size(2)=5",
    );
    expect(() => fold(zeros([8, 26, 4]), [4, 4], 3)).toThrow(
      "fold: expected size of input's dimension 1 to be divisible by the product of kernelSize",
    );
    expect(() => unfold(zeros([5, 5]), 3)).toThrow('unfold: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape [5,5]');
    expect(() => unfold(zeros([1, 3, 5, 5], { dtype: 'int32' }), 3)).toThrow(DTypeError);
  });
});

describe('Tensor.unfold', () => {
  it('is a strided view of overlapping slices, as PyTorch', () => {
    const x = arange(10).reshape(2, 5);
    const u = x.unfold(1, 3, 1);
    expect(u.shape).toEqual([2, 3, 3]);
    expect(u.strides).toEqual([5, 1, 1]);
    expect(u.storage).toBe(x.storage);
    expect(u.tolistSync()).toEqual([
      [
        [0, 1, 2],
        [1, 2, 3],
        [2, 3, 4],
      ],
      [
        [5, 6, 7],
        [6, 7, 8],
        [7, 8, 9],
      ],
    ]);
    expect(x.unfold(0, 1, 2).shape).toEqual([1, 5, 1]);
    expect(arange(7).unfold(-1, 2, 3).tolistSync()).toEqual([
      [0, 1],
      [3, 4],
    ]);
  });

  it('refuses a size larger than the dim or a step below 1', () => {
    expect(() => zeros([2, 5]).unfold(1, 6, 1)).toThrow('unfold: maximum size for tensor at dimension 1 is 5 but size is 6');
    expect(() => zeros([2, 5]).unfold(1, 2, 0)).toThrow('unfold: step is 0 but must be > 0');
  });
});

describe('memory', () => {
  const cpu = (): BackendMemory => memory().cpu ?? { tensors: 0, storages: 0, bytes: 0 };

  it('conv ops leave nothing behind but their result', () => {
    const x = randn([2, 4, 6, 5]);
    const w = randn([6, 2, 3, 2]);
    const b = randn([6]);
    const [xh, wh, bh] = [x.half(), w.narrow(0, 0, 4).half(), b.narrow(0, 0, 4).half()];
    const cols = unfold(x.permute(0, 1, 3, 2), 2, { padding: 1 });
    const before = cpu();
    const run = [
      () => conv2d(x, w, b, { padding: 'same', groups: 2 }),
      () => conv2d(x.select(0, 1), w, null, { stride: 2, padding: 1, groups: 2 }),
      () => conv2d(xh, wh, null, { dilation: 2, groups: 2 }),
      () => conv1d(x.select(3, 0), w.select(3, 0), b, { padding: 'same', groups: 2 }),
      () => conv1d(x.select(0, 0).select(2, 0), w.select(3, 0), null, { stride: 2, groups: 2 }),
      () => convTranspose2d(x, w.narrow(0, 0, 4), null, { stride: 2, outputPadding: 1, groups: 2 }),
      () => convTranspose2d(xh, wh, bh, { groups: 2, dilation: 2, outputPadding: 1 }),
      () => unfold(x.select(0, 0), [2, 3], { padding: 1, stride: 2 }),
      () => fold(cols, [5, 6], 2, { padding: 1 }),
      () => x.unfold(2, 3, 2),
    ];
    for (const op of run) {
      const out = op();
      out.dispose();
    }
    expect(cpu().storages).toBe(before.storages);
    expect(cpu().bytes).toBe(before.bytes);
  });
});
