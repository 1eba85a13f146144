import { Generator, type DType } from '@kindling/tensor';
import { philoxFill, getBackend, type RandomKind } from '@kindling/tensor/backend';
import { tensorFromHandle as fromHandle } from '@kindling/tensor/internal';
import * as K from '@kindling/tensor';
import { type Tolerances, compareValues } from './compare.js';
import { type SuiteContext, expectNoProblem } from './framework.js';

/**
 * The first values of Kindling's Philox stream, computed once with
 * `philoxFill`. Pinning them here means a change to the recipe (or a backend
 * porting it wrongly) fails loudly instead of silently changing every seed.
 */
export const KNOWN_STREAM = {
  uniformSeed0: [0.3990464210510254, 0.9722411632537842, 0.01944941282272339, 0.7873677611351013],
  uniformSeed42: [0.6129598617553711, 0.9877186417579651, 0.8258668184280396, 0.7295992374420166],
  normalSeed42: [-1.3510921453963993, -1.3808544267112643, -1.0185008467908323, -0.7734425515238093],
  bitsSeed42: [1316321321, 2121109651, 1773535506, 1566802490],
  /** seed 42, counters 2^32-2 .. 2^32+1: the counter's high word must reach the block. */
  uniformSeed42HighCounter: [0.5067363977432251, 0.43023788928985596, 0.26124143600463867, 0.13286608457565308],
} as const;

/** A few float64 ulps: how far engines' Math.log/Math.cos may round apart. */
const FEW_ULPS: Tolerances = {
  float16: { rtol: 0, atol: 0 },
  float32: { rtol: 0, atol: 0 },
  float64: { rtol: 8 * Number.EPSILON, atol: 0 },
};

function philox(kind: RandomKind, seed: number, offset: number, n: number): Float64Array {
  const out = new Float64Array(n);
  philoxFill(kind, { seed: [seed >>> 0, 0], offset }, out);
  return out;
}

/** Seeds, streams and distributions of rand/randn/randint: identical on every backend. */
export function registerRandomTests(ctx: SuiteContext): void {
  const { device, it, describe, expect } = ctx;
  const floats = (['float32', 'float64'] as const).filter((d) => ctx.dtypes.includes(d));

  describe('random', () => {
    it('philoxFill still produces the pinned stream', () => {
      expect([...philox('uniform', 0, 0, 4)]).toEqual([...KNOWN_STREAM.uniformSeed0]);
      expect([...philox('uniform', 42, 0, 4)]).toEqual([...KNOWN_STREAM.uniformSeed42]);
      // Box-Muller goes through Math.log/Math.cos, which ECMAScript lets engines round
      // differently in the last bit (Chromium's V8 and Node's do), so normals agree to a few ulps.
      expectNoProblem(ctx, compareValues(philox('normal', 42, 0, 4), KNOWN_STREAM.normalSeed42, 'float64', FEW_ULPS), 'normal');
      expect([...philox('bits', 42, 0, 4)]).toEqual([...KNOWN_STREAM.bitsSeed42]);
      expect([...philox('uniform', 42, 2 ** 32 - 2, 4)]).toEqual([...KNOWN_STREAM.uniformSeed42HighCounter]);
    });

    for (const dtype of floats) {
      it(`rand(${dtype}) equals the Philox stream exactly (24-bit uniforms are exact in float32)`, async () => {
        const g = new Generator(42);
        const x = K.rand([2, 2], { dtype, device, generator: g });
        expect([...(await x.read())]).toEqual([...KNOWN_STREAM.uniformSeed42]);
        const y = K.rand([1000], { dtype, device, generator: g });
        expect([...(await y.read())]).toEqual([...philox('uniform', 42, 4, 1000)]);
        x.dispose();
        y.dispose();
      });
      it(`randn(${dtype}) equals the Philox stream within ${dtype} tolerance`, async () => {
        const g = new Generator(42);
        const x = K.randn([1003], { dtype, device, generator: g });
        expectNoProblem(ctx, compareValues(await x.read(), philox('normal', 42, 0, 1003), dtype, ctx.tolerances), 'randn');
        x.dispose();
      });
    }

    it('a random op reads counters offset..offset+size-1, including past 2^32', async () => {
      const backend = getBackend(device);
      const dtype: DType = floats[0] ?? 'float32';
      const handle = backend.random('uniform', dtype, 4, { seed: [42, 0], offset: 2 ** 32 - 2 });
      const t = fromHandle(backend, handle, dtype, [4]);
      expect([...(await t.read())]).toEqual([...KNOWN_STREAM.uniformSeed42HighCounter]);
      t.dispose();
      const seeded = backend.random('uniform', dtype, 3, { seed: [0x89abcdef, 0x01234567], offset: 5 });
      const s = fromHandle(backend, seeded, dtype, [3]);
      const expected = new Float64Array(3);
      philoxFill('uniform', { seed: [0x89abcdef, 0x01234567], offset: 5 }, expected);
      expect([...(await s.read())], 'both seed words are used').toEqual([...expected]);
      s.dispose();
    });

    it('the same seed gives the same numbers, and consecutive draws continue the stream', async () => {
      K.manualSeed(1234);
      const a = K.rand([3], { device });
      const b = K.rand([5], { device });
      K.manualSeed(1234);
      const c = K.rand([8], { device });
      expect([...(await a.read()), ...(await b.read())]).toEqual([...(await c.read())]);
      K.manualSeed(1235);
      const d = K.rand([8], { device });
      expect([...(await d.read())]).not.toEqual([...(await c.read())]);
      for (const t of [a, b, c, d]) t.dispose();
    });

    if (ctx.dtypes.includes('int32')) {
      it('randint is (31 random bits mod range) + low, as int32', async () => {
        const g = new Generator(42);
        const x = K.randint(-5, 5, [4], { device, generator: g });
        expect(x.dtype).toBe('int32');
        expect([...(await x.read())]).toEqual(KNOWN_STREAM.bitsSeed42.map((v) => (v % 10) - 5));
        x.dispose();
      });
    }

    it('uniform samples lie in [0, 1) with mean 1/2 and variance 1/12', async () => {
      const x = K.rand([20000], { device, generator: new Generator(7) });
      const v = await x.read();
      let min = 1;
      let max = 0;
      let sum = 0;
      let sq = 0;
      for (const z of v) {
        min = Math.min(min, z);
        max = Math.max(max, z);
        sum += z;
        sq += z * z;
      }
      const mean = sum / v.length;
      expect(min).toBeGreaterThanOrEqual(0);
      expect(max).toBeLessThan(1);
      expect(Math.abs(mean - 0.5), `mean ${mean}`).toBeLessThan(0.01);
      expect(Math.abs(sq / v.length - mean * mean - 1 / 12), 'variance').toBeLessThan(0.005);
      x.dispose();
    });

    it('normal samples have mean 0, std 1 and ~68% within one std', async () => {
      const x = K.randn([20000], { device, generator: new Generator(8) });
      const v = await x.read();
      let sum = 0;
      let sq = 0;
      let inside = 0;
      for (const z of v) {
        sum += z;
        sq += z * z;
        if (Math.abs(z) < 1) inside++;
      }
      const mean = sum / v.length;
      const std = Math.sqrt(sq / v.length - mean * mean);
      expect(Math.abs(mean), `mean ${mean}`).toBeLessThan(0.03);
      expect(Math.abs(std - 1), `std ${std}`).toBeLessThan(0.03);
      expect(Math.abs(inside / v.length - 0.6827), 'share within one std').toBeLessThan(0.02);
      expect(v.every(Number.isFinite), 'all finite').toBe(true);
      x.dispose();
    });

    it('uniform_ and normal_ fill non-contiguous views in row-major stream order', async () => {
      const base = K.zeros([3, 4], { device });
      const view = base.t().slice(0, 1, 3); // [2,3], strided
      view.uniform_(2, 4, { generator: new Generator(42) });
      const got = await view.read();
      const expected = philox('uniform', 42, 0, 6).map((u) => Math.fround(Math.fround(u) * 2 + 2));
      expectNoProblem(ctx, compareValues(got, expected, 'float32', ctx.tolerances), 'uniform_ on a view');
      const untouched = await base.select(1, 0).read();
      expect([...untouched], 'column 0 is not written').toEqual([0, 0, 0]);
      base.dispose();
      view.dispose();
    });
  });
}
