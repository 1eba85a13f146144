import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import {
  DTypeError,
  KindlingError,
  ShapeError,
  type Tensor,
  adaptiveAvgPool2d,
  avgPool2d,
  batchNorm,
  hasBackend,
  interpolate,
  maxPool2d,
  maxPool2dWithIndices,
  memory,
  ones,
  pad,
  randn,
  tensor,
  zeros,
} from '@kindling/tensor';
import { getBackend, registerBackend } from '@kindling/tensor/backend';

if (!hasBackend('cpu-primitives'))
  registerBackend(Object.create(getBackend('cpu'), { name: { value: 'cpu-primitives' }, fused: { value: undefined } }));
const DEVICES = ['cpu', 'cpu-primitives'];

describe.each(DEVICES)('pooling and normalisation behaviour on %s', (device) => {
  it('maxPool2d: a NaN in a window wins, padding never does', () => {
    const x = tensor(
      [
        [
          [
            [-5, Number.NaN, -1, -2],
            [-3, -4, -6, -7],
          ],
        ],
      ],
      { device },
    );
    const [values, indices] = maxPool2dWithIndices(x, 2, { padding: 1 });
    expect(values.tolistSync()).toEqual([
      [
        [
          [-5, Number.NaN, -2],
          [-3, -4, -7],
        ],
      ],
    ]);
    expect(indices.tolistSync()).toEqual([
      [
        [
          [0, 1, 3],
          [4, 5, 7],
        ],
      ],
    ]);
  });

  it('maxPool2d: indices are flat h*W + w into the input plane, first maximum on ties', () => {
    const x = ones([1, 1, 3, 4], { device });
    const [, indices] = maxPool2dWithIndices(x, [2, 3], { stride: 1 });
    expect(indices.tolistSync()).toEqual([
      [
        [
          [0, 1],
          [4, 5],
        ],
      ],
    ]);
  });

  it('float16 and float64 keep their dtype; float16 averages in float32 and rounds once', () => {
    // 2049 is not a half; the mean of four halves [2048, 2048, 2050, 2050] is 2049 in float32, 2048 or 2050 in half.
    const x = tensor(
      [
        [
          [
            [2048, 2048],
            [2050, 2050],
          ],
        ],
      ],
      { dtype: 'float16', device },
    );
    const avg = avgPool2d(x, 2);
    expect(avg.dtype).toBe('float16');
    expect(avg.tolistSync()).toEqual([[[[2048]]]]);
    expect(maxPool2d(x.cast('float64'), 2).dtype).toBe('float64');
    expect(adaptiveAvgPool2d(x, 1).dtype).toBe('float16');
    expect(interpolate(x, { size: 3, mode: 'bilinear' }).dtype).toBe('float16');
    expect(batchNorm(x, null, null, { training: true }).dtype).toBe('float16');
  });

  it('interpolate nearest keeps integer dtypes; pad takes any dtype', () => {
    const x = tensor(
      [
        [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      ],
      { dtype: 'uint8', device },
    );
    const up = interpolate(x, { scaleFactor: 2 });
    expect(up.dtype).toBe('uint8');
    expect(up.tolistSync()).toEqual([
      [
        [
          [1, 1, 2, 2],
          [1, 1, 2, 2],
          [3, 3, 4, 4],
          [3, 3, 4, 4],
        ],
      ],
    ]);
    expect(pad(tensor([1, 2, 3], { dtype: 'int32', device }), [1, 2], { value: 7 }).tolistSync()).toEqual([7, 1, 2, 3, 7, 7]);
    expect(pad(tensor([[1, 2, 3]], { dtype: 'int32', device }), [2, 1], { mode: 'reflect' }).tolistSync()).toEqual([[3, 2, 1, 2, 3, 2]]);
  });

  it('batchNorm in training updates the running statistics in place with the unbiased variance', () => {
    const x = tensor(
      [
        [1, 10],
        [3, 20],
        [5, 60],
      ],
      { dtype: 'float32', device },
    );
    const runningMean = zeros([2], { device });
    const runningVar = ones([2], { device });
    const version = runningMean.storage.version;
    batchNorm(x, runningMean, runningVar, { training: true, momentum: 0.5 });
    expect(runningMean.storage.version).toBeGreaterThan(version);
    expect(Array.from(runningMean.readSync())).toEqual([1.5, 15]);
    // Batch variances (unbiased): 4 and 700.
    expect(Array.from(runningVar.readSync())).toEqual([2.5, 350.5]);
  });

  it('batchNorm in evaluation uses the running statistics and leaves them alone', () => {
    const x = tensor(
      [
        [1, 10],
        [3, 20],
      ],
      { dtype: 'float32', device },
    );
    const runningMean = tensor([1, 10], { dtype: 'float32', device });
    const runningVar = tensor([4, 100], { dtype: 'float32', device });
    const out = batchNorm(x, runningMean, runningVar, { eps: 0 });
    expect(out.tolistSync()).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(runningMean.tolistSync()).toEqual([1, 10]);
  });

  it('ops free every temporary: only the results stay alive', () => {
    const count = () => memory()[device]?.storages ?? 0;
    const x = randn([2, 3, 7, 6], { device });
    const stats = [zeros([3], { device }), ones([3], { device })];
    const before = count();
    const results: Tensor[] = [
      maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
      ...maxPool2dWithIndices(x, 2),
      avgPool2d(x, 3, { padding: 1, ceilMode: true, countIncludePad: false }),
      adaptiveAvgPool2d(x, [4, 4]),
      adaptiveAvgPool2d(x, 1),
      batchNorm(x, stats[0], stats[1], { training: true, weight: ones([3], { device }), bias: zeros([3], { device }) }),
      batchNorm(x, stats[0], stats[1]),
      pad(x, [1, 2, -1, 1]),
      pad(x, [2, 2, 1, 1], { mode: 'reflect' }),
      interpolate(x, { size: [9, 5], mode: 'bilinear' }),
      interpolate(x, { scaleFactor: 1.5 }),
    ];
    // Each result holds one storage; batchNorm's weight and bias (created inline) two more.
    expect(count() - before).toBe(results.length + 2);
  });
});

describe('bad arguments fail with one-line errors naming the argument', () => {
  const x = ones([1, 2, 4, 4]);
  const cases: [string, () => unknown, new (...a: never[]) => Error, string][] = [
    [
      'maxPool2d rank',
      () => maxPool2d(ones([4, 4]), 2),
      ShapeError,
      'maxPool2d: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape [4,4]',
    ],
    [
      'maxPool2d integer input',
      () => maxPool2d(ones([1, 1, 4, 4], { dtype: 'int32' }), 2),
      DTypeError,
      'maxPool2d: expected a floating point input',
    ],
    [
      'maxPool2d padding',
      () => maxPool2d(x, 2, { padding: 2 }),
      KindlingError,
      'padding should be at most half of kernelSize, got padding [2,2] and kernelSize [2,2]',
    ],
    ['maxPool2d stride 0', () => maxPool2d(x, 2, { stride: 0 }), KindlingError, 'maxPool2d: stride must be an integer ≥ 1'],
    ['maxPool2d dilation 0', () => maxPool2d(x, 2, { dilation: [1, 0] }), KindlingError, 'maxPool2d: dilation must be an integer ≥ 1'],
    ['maxPool2d window too big', () => maxPool2d(ones([1, 1, 2, 2]), 3), ShapeError, 'does not fit the input 2x2'],
    [
      'avgPool2d divisor 0',
      () => avgPool2d(x, 2, { divisorOverride: 0 }),
      KindlingError,
      'avgPool2d: divisorOverride must be a non-zero integer, got 0',
    ],
    ['adaptive size', () => adaptiveAvgPool2d(x, [2, -1]), KindlingError, 'adaptiveAvgPool2d: outputSize must be an integer ≥ 0'],
    [
      'batchNorm one value per channel',
      () => batchNorm(ones([1, 3]), null, null, { training: true }),
      KindlingError,
      'batchNorm: expected more than 1 value per channel when training, got input size [1,3]',
    ],
    [
      'batchNorm eval without stats',
      () => batchNorm(ones([2, 3]), null, null),
      KindlingError,
      'batchNorm: runningMean and runningVar must be given in evaluation mode',
    ],
    [
      'batchNorm stats size',
      () => batchNorm(ones([2, 3]), zeros([4]), ones([4]), { training: true }),
      ShapeError,
      'batchNorm: runningMean should contain 3 elements, got shape [4]',
    ],
    [
      'batchNorm weight size',
      () => batchNorm(ones([2, 3]), null, null, { weight: ones([2]), training: true }),
      ShapeError,
      'batchNorm: weight should contain 3 elements',
    ],
    [
      'batchNorm rank',
      () => batchNorm(ones([3]), null, null, { training: true }),
      ShapeError,
      'batchNorm: expected an input [N, C, ...] of 2 or more dims, got shape [3]',
    ],
    ['pad odd length', () => pad(x, [1, 1, 1]), KindlingError, 'pad: pad must be an even-length list of integers, got [1,1,1]'],
    [
      'pad too long',
      () => pad(ones([3, 3]), [1, 1, 1, 1, 1, 1]),
      ShapeError,
      'pad: pad [1,1,1,1,1,1] pads 3 dims, but the input has shape [3,3]',
    ],
    ['pad crops too much', () => pad(ones([2, 3]), [-2, -2]), ShapeError, 'pad: pad [-2,-2] would make dim 1 of input [2,3] size -1'],
    [
      'pad reflect too wide',
      () => pad(ones([1, 3, 3]), [3, 3], { mode: 'reflect' }),
      ShapeError,
      'pad: reflect padding [3,3] of dim 2 must be less than its size 3',
    ],
    [
      'pad reflect rank',
      () => pad(x, [1, 1], { mode: 'reflect' }),
      ShapeError,
      'pad: reflect padding of the last 1 dim(s) needs a 2-D or 3-D input, got shape [1,2,4,4]',
    ],
    [
      'pad mode',
      () => pad(x, [1, 1], { mode: 'circular' as 'reflect' }),
      KindlingError,
      "pad: mode must be 'constant', 'reflect' or 'replicate', got 'circular'",
    ],
    [
      'interpolate both',
      () => interpolate(x, { size: 3, scaleFactor: 2 }),
      KindlingError,
      'interpolate: exactly one of size and scaleFactor must be given, got both',
    ],
    ['interpolate neither', () => interpolate(x, {}), KindlingError, 'got neither'],
    [
      'interpolate alignCorners',
      () => interpolate(x, { size: 3, alignCorners: true }),
      KindlingError,
      "interpolate: alignCorners can only be set with mode 'bilinear'",
    ],
    [
      'interpolate rank',
      () => interpolate(ones([2, 4, 4]), { size: 3, mode: 'bilinear' }),
      ShapeError,
      'interpolate: expected a 4-D [N, C, H, W] input for bilinear mode, got shape [2,4,4]',
    ],
    [
      'interpolate bilinear int',
      () => interpolate(ones([1, 1, 2, 2], { dtype: 'uint8' }), { size: 3, mode: 'bilinear' }),
      DTypeError,
      'interpolate: expected a floating point input',
    ],
    [
      'interpolate scale',
      () => interpolate(x, { scaleFactor: -1 }),
      KindlingError,
      'interpolate: scaleFactor must be a positive number or a pair of them, got -1',
    ],
  ];
  it.each(cases)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
    try {
      call();
    } catch (e) {
      expect((e as Error).message).not.toContain('\n');
    }
  });
});
