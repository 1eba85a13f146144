import { cpuBackend, cpuReady } from '@kindling/backend-cpu';
import type { StorageHandle, View, Window2d } from '@kindling/tensor/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataOf } from '../src/kernels/storage.js';
import { at, channelsLast, outSize, randomView, win } from './conv-reference.js';

// The CPU backend's fused pooling and batch-norm kernels (WebAssembly) against
// references written from PyTorch's CPU kernels (max pooling: NaN wins and
// the index is the first maximum's or the first NaN's, as the backend contract
// says — PyTorch keeps the last NaN; average pooling: windows clipped to
// the padded image, the divisor from countIncludePad or the override).

beforeAll(async () => {
  await cpuReady();
});

const fused = cpuBackend.fused!;

function pooledShape(x: View, w: Window2d, ceil: boolean): [number, number] {
  return [0, 1].map((d) => outSize(x.shape[2 + d], w.kernel[d], w.stride[d], w.padding[d], w.dilation[d], ceil)) as [number, number];
}

function refMaxPool(x: View, w: Window2d, ceil: boolean): { values: number[]; indices: number[] } {
  const [N, C, H, W] = x.shape;
  const [OH, OW] = pooledShape(x, w, ceil);
  const values: number[] = [];
  const indices: number[] = [];
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let ih0 = oh * w.stride[0] - w.padding[0];
          let iw0 = ow * w.stride[1] - w.padding[1];
          const ih1 = Math.min(ih0 + (w.kernel[0] - 1) * w.dilation[0] + 1, H);
          const iw1 = Math.min(iw0 + (w.kernel[1] - 1) * w.dilation[1] + 1, W);
          while (ih0 < 0) ih0 += w.dilation[0];
          while (iw0 < 0) iw0 += w.dilation[1];
          let best = Number.NEGATIVE_INFINITY;
          let index = ih0 * W + iw0;
          for (let ih = ih0; ih < ih1; ih += w.dilation[0])
            for (let iw = iw0; iw < iw1; iw += w.dilation[1]) {
              const v = at(x, n, c, ih, iw);
              if (v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
                best = v;
                index = ih * W + iw;
              }
            }
          values.push(best);
          indices.push(index);
        }
  return { values, indices };
}

function refAvgPool(x: View, w: Window2d, ceil: boolean, includePad: boolean, divisor: number | null): number[] {
  const [N, C, H, W] = x.shape;
  const [OH, OW] = pooledShape(x, w, ceil);
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let ih0 = oh * w.stride[0] - w.padding[0];
          let iw0 = ow * w.stride[1] - w.padding[1];
          let ih1 = Math.min(ih0 + w.kernel[0], H + w.padding[0]);
          let iw1 = Math.min(iw0 + w.kernel[1], W + w.padding[1]);
          const poolSize = (ih1 - ih0) * (iw1 - iw0);
          [ih0, iw0, ih1, iw1] = [Math.max(ih0, 0), Math.max(iw0, 0), Math.min(ih1, H), Math.min(iw1, W)];
          if (ih0 >= ih1 || iw0 >= iw1) {
            out.push(0);
            continue;
          }
          let sum = 0;
          for (let ih = ih0; ih < ih1; ih++) for (let iw = iw0; iw < iw1; iw++) sum = Math.fround(sum + at(x, n, c, ih, iw));
          out.push(Math.fround(sum / (divisor ?? (includePad ? poolSize : (ih1 - ih0) * (iw1 - iw0)))));
        }
  return out;
}

const values = (h: StorageHandle | null | undefined) => Array.from(dataOf(h as StorageHandle));

/** A random view with NaN and -inf sprinkled in. */
function withSpecials(shape: [number, number, number, number], seed: number, layout: 'contiguous' | 'channelsLast' = 'contiguous'): View {
  const x = layout === 'channelsLast' ? channelsLast(shape, seed) : randomView(shape, seed);
  const data = dataOf(x.handle);
  for (let i = 3; i < data.length; i += 17) data[i] = Number.NaN;
  for (let i = 5; i < data.length; i += 13) data[i] = Number.NEGATIVE_INFINITY;
  return x;
}

const POOLS: [string, [number, number, number, number], Window2d, boolean][] = [
  ['2x2 (the SIMD path)', [2, 3, 24, 26], win([2, 2], [2, 2]), false],
  ['2x2 on an odd size with ceilMode', [2, 2, 9, 7], win([2, 2], [2, 2]), true],
  ['3x3 stride 2 padding 1', [2, 2, 11, 10], win([3, 3], [2, 2], [1, 1]), false],
  ['3x3 stride 2 padding 1 ceilMode', [1, 3, 10, 11], win([3, 3], [2, 2], [1, 1]), true],
  ['non-square with dilation', [2, 2, 12, 13], win([2, 3], [1, 2], [1, 1], [2, 2]), false],
  ['a large batch across threads', [64, 32, 24, 24], win([2, 2], [2, 2]), false],
];

describe('fused maxPool2d', () => {
  for (const [name, shape, window, ceil] of POOLS) {
    it(`${name}: values (NaN wins) and indices (the first NaN's) follow the contract`, () => {
      for (const layout of ['contiguous', 'channelsLast'] as const) {
        const x = withSpecials(shape, 1, layout);
        const out = fused.maxPool2d!(x, window, ceil);
        expect(out).not.toBeNull();
        const [v, i] = out as [StorageHandle, StorageHandle];
        const ref = refMaxPool(x, window, ceil);
        expect(values(v)).toEqual(ref.values);
        expect(dataOf(i)).toBeInstanceOf(Int32Array);
        expect(values(i)).toEqual(ref.indices);
      }
    });
  }

  it('gives a window of -inf only the index of its first element inside the image', () => {
    const x = randomView([1, 1, 4, 4], 2);
    dataOf(x.handle).fill(Number.NEGATIVE_INFINITY);
    const [v, i] = fused.maxPool2d!(x, win([3, 3], [2, 2], [1, 1]), false) as [StorageHandle, StorageHandle];
    expect(values(v)).toEqual([-Infinity, -Infinity, -Infinity, -Infinity]);
    expect(values(i)).toEqual([0, 1, 4, 5]);
  });
});

describe('fused avgPool2d', () => {
  for (const [name, shape, window, ceil] of POOLS.filter(([, , w]) => w.dilation[0] === 1)) {
    for (const [includePad, divisor] of [
      [true, null],
      [false, null],
      [true, 3],
    ] as const) {
      it(`${name}, countIncludePad ${includePad}, divisor ${divisor}`, () => {
        const x = randomView(shape, 3);
        const got = values(fused.avgPool2d!(x, window, ceil, includePad, divisor));
        expect(got).toEqual(refAvgPool(x, window, ceil, includePad, divisor));
      });
    }
  }

  it('declines dilation (avg_pool2d has none)', () => {
    expect(fused.avgPool2d!(randomView([1, 1, 5, 5], 4), win([2, 2], [1, 1], [0, 0], [2, 2]), false, true, null)).toBeNull();
  });
});

describe('fused batch-norm kernels', () => {
  const layouts: [string, View][] = [
    ['[N, C, H, W]', randomView([6, 5, 7, 9], 5)],
    ['[N, C] (batchNorm1d)', randomView([33, 7], 6)],
    ['[N, C, L] at an offset', randomView([4, 3, 10], 7, undefined, 5)],
    ['channels-last [N, C, H, W] (copied)', channelsLast([3, 4, 5, 6], 8)],
    ['large, across threads', randomView([64, 16, 20, 20], 9)],
  ];
  for (const [name, x] of layouts) {
    const [N, C] = x.shape;
    const S = x.shape.slice(2).reduce((a, b) => a * b, 1);
    const element = (n: number, c: number, s: number) => {
      const idx = [n, c];
      let rest = s;
      for (let d = x.shape.length - 1; d >= 2; d--) {
        idx.splice(2, 0, rest % x.shape[d]);
        rest = Math.floor(rest / x.shape[d]);
      }
      return at(x, ...idx);
    };
    it(`channelMoments ${name}: mean and biased variance`, () => {
      const [mean, variance] = fused.channelMoments!(x) as [StorageHandle, StorageHandle];
      for (let c = 0; c < C; c++) {
        let sum = 0;
        for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) sum += element(n, c, s);
        const m = sum / (N * S);
        let sq = 0;
        for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) sq += (element(n, c, s) - m) ** 2;
        expect(dataOf(mean)[c]).toBe(Math.fround(m));
        expect(dataOf(variance)[c]).toBeCloseTo(sq / (N * S), 6);
      }
    });
    it(`channelAffine ${name}: (x - mean) * invStd * weight + bias, rounded step by step`, () => {
      const mean = randomView([C], 10);
      const invStd = randomView([C], 11);
      const weight = randomView([C], 12);
      const bias = randomView([C], 13);
      for (const [w, b] of [
        [weight, bias],
        [null, null],
        [weight, null],
      ] as const) {
        const got = dataOf(fused.channelAffine!(x, mean, invStd, w, b) as StorageHandle);
        let i = 0;
        for (let n = 0; n < N; n++)
          for (let c = 0; c < C; c++)
            for (let s = 0; s < S; s++) {
              let t = Math.fround(Math.fround(element(n, c, s) - at(mean, c)) * at(invStd, c));
              if (w) t = Math.fround(t * at(w, c));
              if (b) t = Math.fround(t + at(b, c));
              if (got[i++] !== t) expect.fail(`[${n}, ${c}, ${s}]: got ${got[i - 1]}, expected ${t}`);
            }
      }
    });
  }
});
