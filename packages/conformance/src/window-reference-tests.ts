import * as K from '@kindling/tensor';
import { tidy, type Tensor } from '@kindling/tensor';
import { compareValues } from './compare.js';
import { type SuiteContext, expectNoProblem } from './framework.js';
import { hostValues } from './layout-tests.js';
import {
  type ConvGeometry,
  type PoolGeometry,
  convOutSize,
  hostAvgPool2d,
  hostBatchNorm,
  hostConv2d,
  hostConv2dBiasGrad,
  hostConv2dInputGrad,
  hostConv2dWeightGrad,
  hostMaxPool2d,
} from './window-reference.js';

/*
 * Larger random cases than the fixtures hold, at the shapes of the CNNs people
 * train (PyTorch's MNIST example, the CIFAR-10 blitz) and awkward ones, so a
 * backend's blocked, tiled or SIMD kernels (which small fixtures may not reach)
 * are checked against the definitions computed on the host.
 */

interface ConvCase {
  name: string;
  geometry: ConvGeometry;
  bias: boolean;
  /** The input as a view of a channels-last base (`permute` back to NCHW). */
  channelsLast?: boolean;
}

const conv = (
  name: string,
  shape: [number, number, number, number],
  weight: [number, number, number, number],
  rest: Partial<ConvGeometry> = {},
): ConvCase => ({
  name,
  bias: true,
  geometry: {
    n: shape[0],
    cin: shape[1],
    h: shape[2],
    w: shape[3],
    cout: weight[0],
    kernel: [weight[2], weight[3]],
    stride: [1, 1],
    padding: [0, 0],
    dilation: [1, 1],
    groups: shape[1] / weight[1],
    ...rest,
  },
});

const CONV_CASES: ConvCase[] = [
  conv('MNIST example conv2 (32->64, 3x3)', [2, 32, 12, 12], [64, 32, 3, 3]),
  conv('CIFAR-10 blitz conv1 (3->6, 5x5)', [4, 3, 32, 32], [6, 3, 5, 5]),
  conv('depthwise 3x3, stride 2, padding 1', [2, 16, 9, 9], [16, 1, 3, 3], { stride: [2, 2], padding: [1, 1] }),
  {
    ...conv('groups 4, stride [1,2], padding [2,1], dilation [2,1], channels-last input', [2, 8, 10, 11], [12, 2, 3, 2], {
      stride: [1, 2],
      padding: [2, 1],
      dilation: [2, 1],
    }),
    channelsLast: true,
    bias: false,
  },
];

/** Random float32 values (the host computes on exactly what the device holds). */
const randomF32 = (n: number, seed: number) => hostValues(n, seed).map(Math.fround);
const abs = (v: readonly number[]) => v.map(Math.abs);
const maxOf = (v: readonly number[]) => v.reduce((m, x) => Math.max(m, x), 1);

async function check(ctx: SuiteContext, what: string, t: Tensor, expected: readonly number[], scale: number): Promise<void> {
  expectNoProblem(ctx, compareValues(await t.read(), expected, t.dtype, ctx.tolerances, scale), what);
}

/** The NCHW image `values` on the device, as a view of a channels-last copy when asked. */
function image(values: number[], shape: readonly number[], device: string, channelsLast: boolean): Tensor {
  if (!channelsLast) return K.tensor(values, { device }).reshape(...shape);
  return tidy(() =>
    K.tensor(values, { device })
      .reshape(...shape)
      .permute([0, 2, 3, 1])
      .contiguous()
      .permute([0, 3, 1, 2]),
  );
}

function registerConvCase(ctx: SuiteContext, c: ConvCase, gradients: boolean, seed: number): void {
  const g = c.geometry;
  const xShape = [g.n, g.cin, g.h, g.w];
  const wShape = [g.cout, g.cin / g.groups, ...g.kernel];
  const x = randomF32(
    xShape.reduce((a, b) => a * b),
    seed,
  );
  const w = randomF32(
    wShape.reduce((a, b) => a * b),
    seed + 1,
  );
  const b = c.bias ? randomF32(g.cout, seed + 2) : null;
  const options = { stride: g.stride, padding: g.padding, dilation: g.dilation, groups: g.groups };
  ctx.it(`conv2d ${c.name} equals the host definition`, async () => {
    const expected = hostConv2d(g, x, w, b);
    // Rounding error grows with the sum of |terms|: the same convolution of |x| and |w| bounds it.
    const scale = maxOf(hostConv2d(g, abs(x), abs(w), b && abs(b)));
    const out = tidy(() =>
      K.conv2d(
        image(x, xShape, ctx.device, !!c.channelsLast),
        K.tensor(w, { device: ctx.device }).reshape(...wShape),
        b && K.tensor(b, { device: ctx.device }),
        options,
      ),
    );
    await check(ctx, 'forward', out, expected, scale);
    out.dispose();
  });
  if (!gradients) return;
  ctx.it(`conv2d ${c.name}: input, weight and bias gradients equal the host definitions`, async () => {
    const [oh, ow] = convOutSize(g);
    const up = randomF32(g.n * g.cout * oh * ow, seed + 3);
    const grads = tidy(() => {
      const xt = image(x, xShape, ctx.device, !!c.channelsLast).requiresGrad_();
      const wt = K.tensor(w, { device: ctx.device })
        .reshape(...wShape)
        .requiresGrad_();
      const bt = b && K.tensor(b, { device: ctx.device }).requiresGrad_();
      K.conv2d(xt, wt, bt, options).backward(K.tensor(up, { device: ctx.device }).reshape(g.n, g.cout, oh, ow));
      return [xt.grad, wt.grad, bt?.grad ?? null];
    });
    const [gx, gw, gb] = grads;
    if (!gx || !gw || (b && !gb)) throw new Error('an input has no gradient after backward()');
    await check(ctx, 'input gradient', gx, hostConv2dInputGrad(g, up, w), maxOf(hostConv2dInputGrad(g, abs(up), abs(w))));
    await check(ctx, 'weight gradient', gw, hostConv2dWeightGrad(g, x, up), maxOf(hostConv2dWeightGrad(g, abs(x), abs(up))));
    if (gb) await check(ctx, 'bias gradient', gb, hostConv2dBiasGrad(g, up), maxOf(hostConv2dBiasGrad(g, abs(up))));
    for (const t of grads) t?.dispose();
  });
}

const POOL_CASES: [string, PoolGeometry][] = [
  ['MNIST example max-pool 2 of [2,64,24,24]', { shape: [2, 64, 24, 24], kernel: [2, 2], stride: [2, 2], padding: [0, 0] }],
  ['3x2 windows, stride [2,1], padding 1, of [2,8,13,11]', { shape: [2, 8, 13, 11], kernel: [3, 2], stride: [2, 1], padding: [1, 1] }],
];

/** Larger random convolution, pooling and batch norm cases against host arithmetic (float32). */
export function registerWindowReferenceTests(ctx: SuiteContext, gradients: boolean): void {
  if (!ctx.dtypes.includes('float32')) return;
  const { device } = ctx;
  ctx.describe('sliding-window ops at CNN sizes against the host', () => {
    for (const [k, c] of CONV_CASES.entries()) registerConvCase(ctx, c, gradients, 100 + 10 * k);
    for (const [k, [name, g]] of POOL_CASES.entries()) {
      ctx.it(`maxPool2dWithIndices and avgPool2d, ${name}, equal the host definitions`, async () => {
        const x = randomF32(
          g.shape.reduce((a, b) => a * b),
          200 + k,
        );
        const opts = { stride: g.stride, padding: g.padding };
        const [values, indices] = K.maxPool2dWithIndices(K.tensor(x, { device }).reshape(...g.shape), g.kernel, opts);
        const [wantValues, wantIndices] = hostMaxPool2d(g, x);
        await check(ctx, 'max values', values, wantValues, 1);
        ctx.expect(indices.dtype).toBe('int32');
        ctx.expect(Array.from(await indices.read()), 'max indices').toEqual(wantIndices);
        const avg = K.avgPool2d(K.tensor(x, { device }).reshape(...g.shape), g.kernel, opts);
        await check(ctx, 'average', avg, hostAvgPool2d(g, x), 1);
        for (const t of [values, indices, avg]) t.dispose();
      });
    }
    ctx.it('batchNorm in training of [8,16,6,6] equals the host definition', async () => {
      const shape = [8, 16, 6, 6];
      // Channels centred away from 0, so the variance is taken around the mean.
      const x = randomF32(
        shape.reduce((a, b) => a * b),
        300,
      ).map((v, i) => Math.fround(v + (Math.floor(i / 36) % 4)));
      const out = K.batchNorm(K.tensor(x, { device }).reshape(...shape), null, null, { training: true });
      await check(ctx, 'normalised', out, hostBatchNorm(shape, x, 1e-5), 16);
      out.dispose();
    });
  });
}
