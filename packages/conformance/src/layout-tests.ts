import type { DType, TypedArray, Tensor } from '@kindling/tensor';
import { allocArray } from '@kindling/tensor/backend';
import * as K from '@kindling/tensor';
import { compareValues } from './compare.js';
import { type SuiteContext, expectNoProblem } from './framework.js';

/** Elements of a strided view of `base`, row-major (the contract every kernel input follows). */
export function hostStrided(base: ArrayLike<number>, shape: readonly number[], strides: readonly number[], offset: number): number[] {
  const out: number[] = [];
  const walk = (dim: number, at: number): void => {
    if (dim === shape.length) {
      out.push(base[at]);
      return;
    }
    for (let i = 0; i < shape[dim]; i++) walk(dim + 1, at + i * strides[dim]);
  };
  walk(0, offset);
  return out;
}

/** `[..., M, K] @ [..., K, N]` on the host in float64, batch dims broadcast. */
export function hostMatmul(a: ArrayLike<number>, aShape: readonly number[], b: ArrayLike<number>, bShape: readonly number[]): number[] {
  const [m, k] = aShape.slice(-2);
  const n = bShape[bShape.length - 1];
  const batch = K.broadcastShapes('hostMatmul', aShape.slice(0, -2), bShape.slice(0, -2));
  const count = batch.reduce((x, y) => x * y, 1);
  const batchIndex = (flat: number, shape: readonly number[]): number => {
    // Index into a (possibly smaller, broadcast) batch shape of the batch element `flat`.
    let idx = 0;
    let stride = 1;
    let rest = flat;
    for (let d = batch.length - 1; d >= 0; d--) {
      const coord = rest % batch[d];
      rest = Math.floor(rest / batch[d]);
      const sd = d - (batch.length - shape.length);
      if (sd >= 0) {
        idx += (shape[sd] === 1 ? 0 : coord) * stride;
        stride *= shape[sd];
      }
    }
    return idx;
  };
  const out: number[] = [];
  for (let p = 0; p < count; p++) {
    const ao = batchIndex(p, aShape.slice(0, -2)) * m * k;
    const bo = batchIndex(p, bShape.slice(0, -2)) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a[ao + i * k + q] * b[bo + q * n + j];
        out.push(s);
      }
    }
  }
  return out;
}

/** Deterministic pseudo-random host data (a small LCG: the suite must not depend on the RNG under test). */
export function hostValues(n: number, seed: number, scale = 1): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(((s / 4294967296) * 2 - 1) * scale);
  }
  return out;
}

const EXTREMES: Record<DType, number[]> = {
  // Largest finite, smallest subnormal and normal, and 0.1 as float16 rounds it.
  float16: [0, -0, 1, -1.5, 65504, -65504, 2 ** -24, 2 ** -14, Number.NaN, Number.POSITIVE_INFINITY, 0.0999755859375],
  float32: [
    0,
    -0,
    1,
    -1.5,
    3.4028234663852886e38,
    -3.4028234663852886e38,
    1.401298464324817e-45,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    0.1,
  ],
  float64: [
    0,
    -0,
    1,
    -1.5,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    5e-324,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    0.1,
  ],
  int32: [0, 1, -1, 2147483647, -2147483648, 65536, -65537, 7, 123456789, -42, 3],
  uint8: [0, 1, 127, 128, 254, 255, 7, 42, 200, 99, 3],
  bool: [0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0],
};

function typed(dtype: DType, values: readonly number[]): TypedArray {
  const out = allocArray(dtype, values.length);
  out.set(values);
  return out;
}

async function check(ctx: SuiteContext, what: string, t: Tensor, expected: ArrayLike<number>, scale = 1): Promise<void> {
  const data = await t.read();
  expectNoProblem(ctx, compareValues(data, expected, t.dtype, ctx.tolerances, scale), what);
}

/** Storage, views, odd and large shapes, in-place writes and empty tensors, checked against host arithmetic. */
export function registerLayoutTests(ctx: SuiteContext): void {
  const { device, it, describe } = ctx;
  const opts = (dtype: DType) => ({ dtype, device });

  describe('storage and dtypes', () => {
    for (const dtype of ctx.dtypes) {
      it(`${dtype}: upload, read, alloc, fill keep every value exactly`, async () => {
        const values = typed(dtype, EXTREMES[dtype]);
        const x = K.tensor(values, { ...opts(dtype), shape: [values.length] });
        const got = await x.read();
        ctx.expect(got.constructor, `${dtype} reads as ${values.constructor.name}`).toBe(values.constructor);
        // Exact, bit for bit (NaN compared as NaN, -0 as -0).
        ctx
          .expect([...got].map((v) => (Object.is(v, -0) ? '-0' : String(v))))
          .toEqual([...values].map((v) => (Object.is(v, -0) ? '-0' : String(v))));
        const z = K.zeros([2, 3], opts(dtype));
        ctx.expect([...(await z.read())]).toEqual([0, 0, 0, 0, 0, 0]);
        const f = K.full([5], dtype === 'bool' ? true : 7, opts(dtype));
        ctx.expect([...(await f.read())]).toEqual(new Array(5).fill(dtype === 'bool' ? 1 : 7));
        const e = K.zeros([0, 4], opts(dtype));
        ctx.expect((await e.read()).length).toBe(0);
        // upload copies its input and read returns a fresh array: neither aliases the storage.
        const src = typed(dtype, [1, 0, 1]);
        const u = K.tensor(src, opts(dtype));
        src[0] = 0;
        const first = await u.read();
        first[1] = 1;
        ctx.expect([...(await u.read())], `${dtype}: storage independent of host arrays`).toEqual([1, 0, 1]);
        for (const t of [x, z, f, e, u]) t.dispose();
      });
    }
    it('reads 0-dim tensors and views with offsets, steps and stride 0', async () => {
      const base = K.arange(60, { dtype: ctx.dtypes.includes('int32') ? 'int32' : 'float32', device }).reshape(3, 4, 5);
      const host = await base.read();
      const views: [string, Tensor][] = [
        ['permute', base.permute(2, 0, 1)],
        ['slice step', base.slice(2, 1, null, 2)],
        ['select', base.select(1, 2)],
        ['select twice', base.select(0, 2).select(1, 3)],
        ['narrow of transpose', base.transpose(0, 2).narrow(1, 1, 2)],
        ['expand', base.select(2, 4).unsqueeze(1).expand(3, 6, 4)],
        ['0-dim', base.select(0, 1).select(0, 2).select(0, 3)],
        ['empty slice', base.slice(1, 2, 2)],
      ];
      for (const [name, v] of views) await check(ctx, name, v, hostStrided(host, v.shape, v.strides, v.offset));
      base.dispose();
      for (const [, v] of views) v.dispose();
    });
  });

  describe('odd and large shapes', () => {
    it('elementwise [257,129] with a broadcast row and a transposed operand', async () => {
      const av = hostValues(257 * 129, 1);
      const bv = hostValues(129, 2);
      const cv = hostValues(129 * 257, 3);
      const a = K.tensor(Float32Array.from(av), { shape: [257, 129], device });
      const b = K.tensor(Float32Array.from(bv), { shape: [129], device });
      const c = K.tensor(Float32Array.from(cv), { shape: [129, 257], device }).t();
      const y = a.mul(b).add(c);
      const f = Float32Array.from(av);
      const expected = f.map((v, i) =>
        Math.fround(Math.fround(v * Math.fround(bv[i % 129])) + Math.fround(cv[(i % 129) * 257 + Math.floor(i / 129)])),
      );
      await check(ctx, 'a * b + c.t()', y, expected);
      for (const t of [a, b, c, y]) t.dispose();
    });
    if (ctx.dtypes.includes('int32')) {
      it('int32 arithmetic wraps like Math.imul on large inputs', async () => {
        const av = hostValues(1000, 4, 2 ** 31).map(Math.trunc);
        const bv = hostValues(1000, 5, 2 ** 31).map(Math.trunc);
        const a = K.tensor(Int32Array.from(av), { device });
        const b = K.tensor(Int32Array.from(bv), { device });
        const [s, p, d] = [a.add(b), a.mul(b), a.sub(b)];
        await check(
          ctx,
          'add',
          s,
          av.map((v, i) => (v + bv[i]) | 0),
        );
        await check(
          ctx,
          'mul',
          p,
          av.map((v, i) => Math.imul(v, bv[i])),
        );
        await check(
          ctx,
          'sub',
          d,
          av.map((v, i) => (v - bv[i]) | 0),
        );
        for (const t of [a, b, s, p, d]) t.dispose();
      });
    }
    it('reductions over [1000,37] along each dim and all dims', async () => {
      const v = hostValues(1000 * 37, 6, 3);
      const x = K.tensor(Float32Array.from(v), { shape: [1000, 37], device });
      const f = Float32Array.from(v);
      const col = new Array(37).fill(0);
      const row = new Array(1000).fill(0);
      const rowMax = new Array(1000).fill(Number.NEGATIVE_INFINITY);
      const colArg = new Array(37).fill(0);
      f.forEach((val, i) => {
        const r = Math.floor(i / 37);
        const c = i % 37;
        col[c] += val;
        row[r] += val;
        rowMax[r] = Math.max(rowMax[r], val);
        if (val > f[colArg[c] * 37 + c]) colArg[c] = r;
      });
      const results: [string, Tensor, number[], number][] = [
        ['sum(0)', x.sum(0), col, Math.sqrt(1000) * 3],
        ['sum(1)', x.sum(1), row, Math.sqrt(37) * 3],
        ['sum()', x.sum(), [row.reduce((a, b) => a + b, 0)], Math.sqrt(37000) * 3],
        ['amax(1)', x.amax(1), rowMax, 1],
        ['argmax(0)', x.argmax(0), colArg, 1],
        ['mean(0)', x.mean(0), col.map((s) => s / 1000), 3],
      ];
      for (const [name, t, expected, scale] of results) await check(ctx, name, t, expected, scale);
      x.dispose();
      for (const [, t] of results) t.dispose();
    });
    it('sum of a million float32 values stays accurate (pairwise or wider accumulation)', async () => {
      const x = K.full([1_000_000], 0.1, { device });
      const s = x.sum();
      const [got] = await s.read();
      ctx.expect(Math.abs(got - 100000) / 100000, `sum(full([1e6], 0.1)) = ${got}; PyTorch gives 100000`).toBeLessThan(1e-4);
      x.dispose();
      s.dispose();
    });
    it('matmul with odd sizes, transposed operands and broadcast batches', async () => {
      const cases: [number[], number[], boolean][] = [
        [[33, 65], [65, 17], false],
        [[1, 130], [130, 1], false],
        [[3, 1, 9, 13], [2, 13, 7], false],
        [[65, 33], [17, 65], true],
        [[64, 64], [64, 64], false],
      ];
      for (const [sa, sb, transposed] of cases) {
        const av = hostValues(
          sa.reduce((p, q) => p * q, 1),
          7,
          1,
        );
        const bv = hostValues(
          sb.reduce((p, q) => p * q, 1),
          8,
          1,
        );
        const a0 = K.tensor(Float32Array.from(av), { shape: sa, device });
        const b0 = K.tensor(Float32Array.from(bv), { shape: sb, device });
        // With `transposed`, multiply a0^T @ b0^T (both strided views).
        const a = transposed ? a0.t() : a0;
        const b = transposed ? b0.t() : b0;
        const aHost = transposed ? hostStrided(Float32Array.from(av), a.shape, a.strides, 0) : Float32Array.from(av);
        const bHost = transposed ? hostStrided(Float32Array.from(bv), b.shape, b.strides, 0) : Float32Array.from(bv);
        const y = a.matmul(b);
        await check(ctx, `matmul ${a.shape} @ ${b.shape}`, y, hostMatmul(aHost, a.shape, bHost, b.shape), Math.sqrt(a.shape[a.ndim - 1]));
        for (const t of new Set([a0, b0, a, b, y])) t.dispose();
      }
    });
    it('softmax rows of [4,1000] sum to 1 and match the host', async () => {
      const v = hostValues(4000, 9, 20);
      const x = K.tensor(Float32Array.from(v), { shape: [4, 1000], device });
      const y = x.softmax(-1);
      const f = Float32Array.from(v);
      const expected: number[] = [];
      for (let r = 0; r < 4; r++) {
        const row = Array.from(f.subarray(r * 1000, (r + 1) * 1000));
        const m = Math.max(...row);
        const e = row.map((z) => Math.exp(z - m));
        const s = e.reduce((a, b) => a + b, 0);
        expected.push(...e.map((z) => z / s));
      }
      await check(ctx, 'softmax', y, expected);
      y.dispose();
      x.dispose();
    });
  });

  describe('in-place writes through views', () => {
    it('add_, fill_ and copy_ on strided views write into the base', async () => {
      const base = K.zeros([4, 5], { device });
      const col = base.t().slice(0, 1, null, 2); // columns 1 and 3, as rows
      col.add_(K.tensor([[1, 2, 3, 4]], { dtype: 'float32', device }));
      base.select(0, 2).fill_(9);
      const src = K.tensor(Float32Array.from([10, 20, 30, 40]), { shape: [2, 2], device });
      base.narrow(0, 0, 2).narrow(1, 3, 2).copy_(src.t());
      const expected = [0, 1, 0, 10, 30, 0, 2, 0, 20, 40, 9, 9, 9, 9, 9, 0, 4, 0, 4, 0];
      await check(ctx, 'base after writes', base, expected);
      for (const t of [base, col, src]) t.dispose();
    });
    it('copy_ converts dtypes and broadcasts the source', async () => {
      const pairs: [DType, DType, number[], number[]][] = [
        ['int32', 'float32', [1, -2, 3], [1, -2, 3]],
        ['float32', 'int32', [1.7, -2.7, 3.2], [1, -2, 3]],
        ['int32', 'uint8', [300, -1, 7], [44, 255, 7]],
        ['float32', 'bool', [0, 0.5, -2], [0, 1, 1]],
        ['float64', 'float32', [0.1, 1e40, -3], [Math.fround(0.1), Number.POSITIVE_INFINITY, -3]],
        ['float32', 'float16', [0.1, 70000, 1e-8], [0.0999755859375, Number.POSITIVE_INFINITY, 0]],
        ['float16', 'float32', [0.5, -65504, 6.103515625e-5], [0.5, -65504, 6.103515625e-5]],
      ];
      for (const [from, to, values, expected] of pairs) {
        if (!ctx.dtypes.includes(from) || !ctx.dtypes.includes(to)) continue;
        const dst = K.zeros([2, 3], opts(to));
        const src = K.tensor(typed(from, values), opts(from));
        dst.copy_(src);
        await check(ctx, `copy_ ${from} -> ${to}`, dst, [...expected, ...expected]);
        dst.dispose();
        src.dispose();
      }
    });
    it('in-place ops on a tensor overlapping itself read before they write', async () => {
      const y = K.arange(4, { dtype: 'float32', device }).reshape(2, 2);
      y.copy_(y.t());
      await check(ctx, 'y.copy_(y.t())', y, [0, 2, 1, 3]);
      y.dispose();
    });
  });

  describe('empty tensors and scalars', () => {
    it('ops on tensors with a zero-size dimension give empty or identity results', async () => {
      const e = K.zeros([3, 0], { device });
      const results: [string, Tensor, number[]][] = [
        ['add', e.add(1), []],
        ['sum(1)', e.sum(1), [0, 0, 0]],
        ['prod(1)', e.prod(1), [1, 1, 1]],
        ['matmul [3,0]@[0,2]', e.matmul(K.zeros([0, 2], { device })), [0, 0, 0, 0, 0, 0]],
        ['exp', e.exp(), []],
        ['cat', K.cat([e, e], 1), []],
      ];
      for (const [name, t, expected] of results) await check(ctx, name, t, expected);
      e.dispose();
    });
    it('random ops of size 0 return empty tensors', async () => {
      const r = K.rand([0, 5], { device });
      ctx.expect((await r.read()).length).toBe(0);
      r.dispose();
    });
  });
}
