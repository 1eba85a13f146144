import {
  type DType,
  DTypeError,
  type Tensor,
  add,
  arange,
  argmax,
  argmin,
  cast,
  cat,
  div,
  eq,
  floorDivide,
  gather,
  indexSelect,
  linear,
  logSoftmax,
  manualSeed,
  matmul,
  maximum,
  minimum,
  ne,
  pow,
  rand,
  randint,
  randn,
  remainder,
  scatterAdd,
  softmax,
  sort,
  tensor,
  topk,
  where,
  zeros,
  full,
  sum,
  amax,
  amin,
  prod,
  any,
  all,
  ones,
} from '@kindling/tensor';
import { philoxFill } from '@kindling/tensor/backend';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectClose, f32, seeded } from './helpers.js';
import { setupWebGPU } from './setup-gpu.js';

const gpu = { device: 'webgpu' } as const;
const data = async (t: Tensor): Promise<number[]> => Array.from(await t.read());

beforeAll(async () => {
  await setupWebGPU();
});

describe('storage', () => {
  test.each<DType>(['float32', 'int32', 'uint8', 'bool'])('upload and read round-trip %s', async (dtype) => {
    const values =
      dtype === 'float32'
        ? [1.5, -2.25, 3e9, 0]
        : dtype === 'int32'
          ? [1, -2, 2147483647, -2147483648]
          : dtype === 'uint8'
            ? [0, 1, 200, 255]
            : [1, 0, 1, 1];
    const t = tensor(values, { ...gpu, dtype });
    expect(t.device).toBe('webgpu');
    expect(await data(t)).toEqual(values);
  });

  test('float64 is rejected with a clear error', () => {
    expect(() => tensor([1, 2], { ...gpu, dtype: 'float64' })).toThrow(DTypeError);
    expect(() => tensor([1, 2], { ...gpu, dtype: 'float64' })).toThrow(/webgpu backend does not support dtype float64/);
  });

  test('reads of non-contiguous views and offsets', async () => {
    const x = arange(12, gpu).reshape([3, 4]);
    expect(await x.transpose(0, 1).tolist()).toEqual([
      [0, 4, 8],
      [1, 5, 9],
      [2, 6, 10],
      [3, 7, 11],
    ]);
    expect(await x.select(0, 1).tolist()).toEqual([4, 5, 6, 7]);
    expect(await x.slice(1, 1, 4, 2).tolist()).toEqual([
      [1, 3],
      [5, 7],
      [9, 11],
    ]);
  });

  test('zeros, ones, full and empty tensors', async () => {
    expect(await data(zeros([3], gpu))).toEqual([0, 0, 0]);
    expect(await data(ones([2], { ...gpu, dtype: 'int32' }))).toEqual([1, 1]);
    expect(await data(full([2], -1, { ...gpu, dtype: 'uint8' }))).toEqual([255, 255]);
    expect(await data(zeros([0, 3], gpu))).toEqual([]);
  });
});

describe('unary', () => {
  const xs = [-3.7, -1, -0.5, -1e-7, 0, 1e-7, 0.5, 1, 2.5, 3.5, 20];
  const cases: [string, (x: number) => number, (t: Tensor) => Tensor][] = [
    ['neg', (x) => -x, (t) => t.neg()],
    ['abs', Math.abs, (t) => t.abs()],
    ['sign', Math.sign, (t) => t.sign()],
    ['exp', Math.exp, (t) => t.exp()],
    ['expm1', Math.expm1, (t) => t.expm1()],
    ['sin', Math.sin, (t) => t.sin()],
    ['cos', Math.cos, (t) => t.cos()],
    ['tanh', Math.tanh, (t) => t.tanh()],
    ['sigmoid', (x) => 1 / (1 + Math.exp(-x)), (t) => t.sigmoid()],
    ['relu', (x) => Math.max(x, 0), (t) => t.relu()],
    ['floor', Math.floor, (t) => t.floor()],
    ['ceil', Math.ceil, (t) => t.ceil()],
    ['trunc', Math.trunc, (t) => t.trunc()],
    ['reciprocal', (x) => 1 / x, (t) => t.reciprocal()],
  ];
  test.each(cases)('%s on float32', async (_, ref, op) => {
    const out = await data(op(tensor(xs, { ...gpu, dtype: 'float32' })));
    expectClose(
      out,
      xs.map((x) => ref(f32(x))),
      2e-6,
      1e-6,
    );
  });

  test('log, log1p, sqrt, rsqrt incl. domain edges', async () => {
    const v = [-1, 0, 1e-8, 0.5, 1, 100];
    const t = tensor(v, gpu);
    expectClose(
      await data(t.log()),
      v.map((x) => Math.log(f32(x))),
    );
    expectClose(
      await data(t.log1p()),
      v.map((x) => Math.log1p(f32(x))),
    );
    expectClose(
      await data(t.sqrt()),
      v.map((x) => Math.sqrt(f32(x))),
    );
    expectClose(
      await data(t.rsqrt()),
      v.map((x) => 1 / Math.sqrt(f32(x))),
    );
  });

  test('round is half-to-even and isnan sees NaN', async () => {
    expect(await data(tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4], gpu).round())).toEqual([0, 2, 2, -0, -2, 2]);
    expect(await tensor([Number.NaN, 1, Number.POSITIVE_INFINITY], gpu).isnan().tolist()).toEqual([true, false, false]);
  });

  test('integer inputs of float ops compute in float32', async () => {
    const t = tensor([1, 4, 9], gpu);
    const s = t.sqrt();
    expect(s.dtype).toBe('float32');
    expect(await data(s)).toEqual([1, 2, 3]);
  });

  test('integer and uint8 negation wrap; logicalNot gives bool', async () => {
    expect(await data(tensor([1, -2147483648, 0], gpu).neg())).toEqual([-1, -2147483648, 0]);
    expect(await data(tensor([1, 0, 255], { ...gpu, dtype: 'uint8' }).neg())).toEqual([255, 0, 1]);
    expect(await tensor([0, 2, -1], gpu).logicalNot().tolist()).toEqual([true, false, false]);
    expect(await data(tensor([-3, 0, 5], gpu).abs())).toEqual([3, 0, 5]);
    expect(await data(tensor([-3, 0, 5], gpu).sign())).toEqual([-1, 0, 1]);
    expect(await data(tensor([-3, 0, 5], gpu).relu())).toEqual([0, 0, 5]);
  });

  test('NaN propagates through relu, tanh and exp; sign(NaN) is 0 as in torch', async () => {
    const t = tensor([Number.NaN], gpu);
    for (const f of [(x: Tensor) => x.relu(), (x: Tensor) => x.tanh(), (x: Tensor) => x.exp(), (x: Tensor) => x.sin()]) {
      expect((await data(f(t)))[0]).toBeNaN();
    }
    expect(await data(t.sign())).toEqual([0]);
  });
});

describe('binary', () => {
  test('float arithmetic with broadcasting', async () => {
    const a = tensor(seeded(6, 1), gpu).reshape([2, 3]);
    const b = tensor(seeded(3, 2), gpu);
    const [av, bv] = [seeded(6, 1).map(f32), seeded(3, 2).map(f32)];
    const ref = (f: (x: number, y: number) => number) => av.map((x, i) => f32(f(x, bv[i % 3])));
    expectClose(
      await data(add(a, b)),
      ref((x, y) => x + y),
    );
    expectClose(
      await data(a.sub(b)),
      ref((x, y) => x - y),
    );
    expectClose(
      await data(a.mul(b)),
      ref((x, y) => x * y),
    );
    expectClose(
      await data(div(a, b)),
      ref((x, y) => x / y),
    );
    expectClose(await data(maximum(a, b)), ref(Math.max));
    expectClose(await data(minimum(a, b)), ref(Math.min));
  });

  test('scalars, column broadcast and transposed operands', async () => {
    const a = arange(6, { ...gpu, dtype: 'float32' })
      .reshape([3, 2])
      .transpose(0, 1); // [[0,2,4],[1,3,5]]
    const col = tensor([[10], [20]], { ...gpu, dtype: 'float32' });
    expect(await add(a, col).tolist()).toEqual([
      [10, 12, 14],
      [21, 23, 25],
    ]);
    expect(await a.mul(2).tolist()).toEqual([
      [0, 4, 8],
      [2, 6, 10],
    ]);
  });

  test('remainder and floorDivide round toward -infinity (float and int)', async () => {
    const a = [7, -7, 7, -7, 5.5, -5.5];
    const b = [3, 3, -3, -3, 2, 2];
    const pyMod = (x: number, y: number) => x - Math.floor(x / y) * y;
    expectClose(
      await data(remainder(tensor(a, gpu), tensor(b, { ...gpu, dtype: 'float32' }))),
      a.map((x, i) => pyMod(x, b[i])),
    );
    expect(await data(floorDivide(tensor(a, gpu), tensor(b, { ...gpu, dtype: 'float32' })))).toEqual(a.map((x, i) => Math.floor(x / b[i])));
    const ai = [7, -7, 7, -7, 0];
    const bi = [3, 3, -3, -3, 5];
    expect(await data(remainder(tensor(ai, gpu), tensor(bi, gpu)))).toEqual(ai.map((x, i) => pyMod(x, bi[i]) + 0));
    expect(await data(floorDivide(tensor(ai, gpu), tensor(bi, gpu)))).toEqual(ai.map((x, i) => Math.floor(x / bi[i])));
  });

  test('pow handles negative bases, zero and integer exponents', async () => {
    const a = tensor([-2, -2, 2, 0, 0, 4, -8, 1.5], gpu);
    const b = tensor([3, 0.5, -1, 0, -1, 0.5, 2, 2], { ...gpu, dtype: 'float32' });
    const out = await data(pow(a, b));
    expectClose(out, [-8, Number.NaN, 0.5, 1, Number.POSITIVE_INFINITY, 2, 64, 2.25]);
    expect(await data(pow(tensor([2, -3, 5], gpu), tensor([10, 3, 0], gpu)))).toEqual([1024, -27, 1]);
  });

  test('int32 arithmetic wraps and uint8 wraps at 256', async () => {
    expect(await data(add(tensor([2147483647], gpu), 1))).toEqual([-2147483648]);
    expect(await data(tensor([65536], gpu).mul(65536))).toEqual([0]);
    const u = (v: number[]) => tensor(v, { ...gpu, dtype: 'uint8' });
    expect(await data(add(u([250, 3]), u([10, 4])))).toEqual([4, 7]);
    expect(await data(u([3]).sub(u([5])))).toEqual([254]);
    expect(await data(u([16]).mul(u([17])))).toEqual([16]);
  });

  test('comparisons produce bool and NaN compares unequal', async () => {
    const a = tensor([1, 2, Number.NaN], gpu);
    const b = tensor([1, 3, Number.NaN], gpu);
    expect(await eq(a, b).tolist()).toEqual([true, false, false]);
    expect(await ne(a, b).tolist()).toEqual([false, true, true]);
    expect(await a.lt(b).tolist()).toEqual([false, true, false]);
    expect(await a.ge(2).tolist()).toEqual([false, true, false]);
    const t = tensor([true, false, true], gpu);
    const f = tensor([true, true, false], gpu);
    expect(await t.logicalAnd(f).tolist()).toEqual([true, false, false]);
    expect(await t.logicalOr(f).tolist()).toEqual([true, true, true]);
  });

  test('maximum/minimum propagate NaN; bool add is or', async () => {
    const out = await data(maximum(tensor([Number.NaN, 1], gpu), tensor([0, Number.NaN], gpu)));
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeNaN();
    expect(await add(tensor([true, false], gpu), tensor([true, false], gpu)).tolist()).toEqual([true, false]);
  });

  test('where broadcasts condition and operands', async () => {
    const c = tensor([[true], [false]], gpu);
    expect(await where(c, tensor([1, 2, 3], gpu), -1).tolist()).toEqual([
      [1, 2, 3],
      [-1, -1, -1],
    ]);
  });
});

describe('cast, assign and fill', () => {
  test('casts between every dtype', async () => {
    const f = tensor([-1.7, 0, 2.9, 300], gpu);
    expect(await data(cast(f, 'int32'))).toEqual([-1, 0, 2, 300]);
    expect(await cast(f, 'bool').tolist()).toEqual([true, false, true, true]);
    expect(await data(cast(tensor([-1, 256, 7], gpu), 'uint8'))).toEqual([255, 0, 7]);
    expect(await data(cast(tensor([true, false], gpu), 'float32'))).toEqual([1, 0]);
    expect(await data(cast(tensor([200], { ...gpu, dtype: 'uint8' }), 'int32'))).toEqual([200]);
  });

  test('in-place writes into strided views', async () => {
    const x = zeros([3, 4], gpu);
    x.slice(1, 0, 4, 2).fill_(7);
    x.select(0, 2).copy_(tensor([1, 2, 3, 4], gpu));
    expect(await x.tolist()).toEqual([
      [7, 0, 7, 0],
      [7, 0, 7, 0],
      [1, 2, 3, 4],
    ]);
    const y = arange(4, { ...gpu, dtype: 'float32' });
    y.add_(1);
    expect(await data(y)).toEqual([1, 2, 3, 4]);
    // Overlapping source and destination in one storage.
    const z = arange(6, { ...gpu, dtype: 'float32' });
    z.slice(0, 1, 6).copy_(z.slice(0, 0, 5));
    expect(await data(z)).toEqual([0, 0, 1, 2, 3, 4]);
  });

  test('cat along a dimension mixes dtypes', async () => {
    const out = cat([tensor([[1, 2]], gpu), tensor([[3.5, 4]], gpu)], 0);
    expect(out.dtype).toBe('float32');
    expect(await out.tolist()).toEqual([
      [1, 2],
      [3.5, 4],
    ]);
  });
});

describe('reductions', () => {
  const shape = [4, 5, 6];
  const values = seeded(120, 3);
  const ref = (axes: number[], f: (acc: number, v: number) => number, init: number) => {
    const out = new Map<string, number>();
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 5; j++)
        for (let k = 0; k < 6; k++) {
          const key = [i, j, k].filter((_, d) => !axes.includes(d)).join(',');
          out.set(key, f(out.get(key) ?? init, f32(values[i * 30 + j * 6 + k])));
        }
    return [...out.values()];
  };

  test.each([[[0]], [[1]], [[2]], [[0, 2]], [[0, 1, 2]]])('sum/max/min over %j', async (axes) => {
    const x = tensor(values, gpu).reshape(shape);
    expectClose(
      await data(sum(x, axes)),
      ref(axes, (a, v) => a + v, 0),
      1e-5,
      1e-5,
    );
    expectClose(await data(amax(x, axes)), ref(axes, Math.max, -Infinity));
    expectClose(await data(amin(x, axes)), ref(axes, Math.min, Infinity));
  });

  test('long reductions use the workgroup tree and stay accurate', async () => {
    const n = 100_003;
    const v = seeded(n, 9, 0, 1);
    const total = v.reduce((a, b) => a + f32(b), 0);
    const out = (await data(sum(tensor(v, gpu))))[0];
    expect(Math.abs(out - total) / total).toBeLessThan(1e-5);
    const x = tensor(v, gpu).reshape([7, (n / 7) | 0 || 1].length ? [1, n] : [n]);
    expect((await data(amax(x, 1)))[0]).toBe(Math.max(...v.map(f32)));
  });

  test('very long reductions split into chunks and a second pass', async () => {
    const n = 300_000;
    const v = seeded(n, 12, -1, 1);
    const x = tensor(v, gpu).reshape([2, n / 2]);
    const rows = [0, 1].map((r) => v.slice((r * n) / 2, ((r + 1) * n) / 2).map(f32));
    expectClose(
      await data(sum(x, 1)),
      rows.map((row) => row.reduce((a, b) => a + b, 0)),
      1e-4,
      1e-3,
    );
    expect(await data(amax(x, 1))).toEqual(rows.map((row) => row.reduce((a, b) => Math.max(a, b), -Infinity)));
    expect(await data(amin(x.t(), 0))).toEqual(rows.map((row) => row.reduce((a, b) => Math.min(a, b), Infinity)));
    expect(
      await any(
        tensor(
          new Int32Array(n).fill(0).map((_, i) => (i === n - 5 ? 1 : 0)),
          gpu,
        ),
      ).tolist(),
    ).toBe(true);
    expect(await all(ones([n], gpu)).tolist()).toBe(true);
  });

  test('sum of a transposed view reduces the right axis', async () => {
    const x = arange(6, { ...gpu, dtype: 'float32' })
      .reshape([2, 3])
      .transpose(0, 1);
    expect(await data(sum(x, 1))).toEqual([3, 5, 7]);
    expect(await data(sum(x, 0))).toEqual([3, 12]);
  });

  test('prod, any, all, integer sums and empty reductions', async () => {
    expect(await data(prod(tensor([1, 2, 3, 4], gpu)))).toEqual([24]);
    expect(
      await any(
        tensor(
          [
            [0, 0],
            [0, 1],
          ],
          gpu,
        ),
        1,
      ).tolist(),
    ).toEqual([false, true]);
    expect(
      await all(
        tensor(
          [
            [1, 2],
            [0, 1],
          ],
          gpu,
        ),
        1,
      ).tolist(),
    ).toEqual([true, false]);
    const u = sum(tensor([200, 100], { ...gpu, dtype: 'uint8' }));
    expect(u.dtype).toBe('int32');
    expect(await data(u)).toEqual([300]);
    expect(await data(sum(zeros([0, 3], gpu), 0))).toEqual([0, 0, 0]);
    expect(await data(prod(zeros([2, 0], gpu), 1))).toEqual([1, 1]);
  });

  test('max/min propagate NaN', async () => {
    const x = tensor(
      [
        [1, Number.NaN, 3],
        [1, 2, 3],
      ],
      gpu,
    );
    const m = await data(amax(x, 1));
    expect(m[0]).toBeNaN();
    expect(m[1]).toBe(3);
  });

  test('argmax/argmin pick the first extremum, NaN counts as one', async () => {
    expect(
      await data(
        argmax(
          tensor(
            [
              [1, 3, 3],
              [5, 1, 5],
            ],
            gpu,
          ),
          1,
        ),
      ),
    ).toEqual([1, 0]);
    expect(
      await data(
        argmin(
          tensor(
            [
              [1, 0, 0],
              [5, 1, 1],
            ],
            gpu,
          ),
          1,
        ),
      ),
    ).toEqual([1, 1]);
    expect(await data(argmax(tensor([1, Number.NaN, 7, Number.NaN], gpu)))).toEqual([1]);
    expect(await data(argmax(tensor([-Infinity, -Infinity], gpu)))).toEqual([0]);
    const n = 5000;
    const v = seeded(n, 4);
    const big = tensor(v, gpu);
    const fv = v.map(f32);
    expect(await data(argmax(big))).toEqual([fv.indexOf(Math.max(...fv))]);
    expect(await data(argmin(big.reshape([50, 100]), 0))).toEqual(
      Array.from({ length: 100 }, (_, c) => {
        let best = 0;
        for (let r = 1; r < 50; r++) if (fv[r * 100 + c] < fv[best * 100 + c]) best = r;
        return best;
      }),
    );
  });
});

describe('matmul', () => {
  function refMatmul(a: number[], b: number[], m: number, k: number, n: number): number[] {
    const out = new Array<number>(m * n).fill(0);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) out[i * n + j] += f32(a[i * k + p]) * f32(b[p * n + j]);
    return out;
  }

  test.each([
    [1, 1, 1],
    [3, 5, 7],
    [64, 64, 64],
    [65, 17, 130],
    [128, 784, 10],
  ])('[%i,%i] @ [.,%i] matches the host', async (m, k, n) => {
    const a = seeded(m * k, m);
    const b = seeded(k * n, n);
    const out = matmul(tensor(a, gpu).reshape([m, k]), tensor(b, gpu).reshape([k, n]));
    expect(out.shape).toEqual([m, n]);
    expectClose(await data(out), refMatmul(a, b, m, k, n), 1e-4, 1e-4);
  });

  test('transposed operands, broadcast batches and vectors', async () => {
    const a = seeded(2 * 3 * 4, 5);
    const b = seeded(4 * 5, 6);
    const ta = tensor(a, gpu).reshape([2, 3, 4]);
    const tb = tensor(b, gpu).reshape([5, 4]).transpose(0, 1); // [4,5], strided
    const out = await data(matmul(ta, tb));
    const bT: number[] = [];
    for (let p = 0; p < 4; p++) for (let j = 0; j < 5; j++) bT.push(b[j * 4 + p]);
    const expected = [...refMatmul(a.slice(0, 12), bT, 3, 4, 5), ...refMatmul(a.slice(12), bT, 3, 4, 5)];
    expectClose(out, expected, 1e-5, 1e-5);
    const v = matmul(
      tensor([1, 2], gpu).float(),
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        gpu,
      ).float(),
    );
    expect(await v.tolist()).toEqual([7, 10]);
  });

  test('int32 matmul and K = 0', async () => {
    expect(
      await matmul(
        tensor(
          [
            [1, 2],
            [3, 4],
          ],
          gpu,
        ),
        tensor([[5], [6]], gpu),
      ).tolist(),
    ).toEqual([[17], [39]]);
    expect(await data(matmul(zeros([2, 0], gpu), zeros([0, 3], gpu)))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test('fused linear equals matmul + bias', async () => {
    const x = tensor(seeded(6 * 5, 7), gpu).reshape([6, 5]);
    const w = tensor(seeded(3 * 5, 8), gpu).reshape([3, 5]);
    const bias = tensor([0.5, -1, 2], gpu);
    const fused = await data(linear(x, w, bias));
    const lowered = await data(add(matmul(x, w.transpose(0, 1)), bias));
    expectClose(fused, lowered, 1e-6, 1e-6);
    const backend = x.storage.backend;
    const direct = backend.fused!.linear!(x.view_(), w.view_(), bias.view_());
    const values = Array.from(await backend.read({ handle: direct, dtype: 'float32', shape: [6, 3], strides: [3, 1], offset: 0 }));
    expectClose(values, lowered, 1e-6, 1e-6);
    backend.free(direct);
  });
});

describe('softmax', () => {
  test.each([0, 1])('softmax and logSoftmax along dim %i match the definition', async (dim) => {
    const v = seeded(12, 11, -5, 5);
    const x = tensor(v, gpu).reshape([3, 4]);
    const s = await data(softmax(x, dim));
    const l = await data(logSoftmax(x, dim));
    const at = (i: number, j: number) => f32(v[i * 4 + j]);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 4; j++) {
        const row = dim === 1 ? [0, 1, 2, 3].map((q) => at(i, q)) : [0, 1, 2].map((q) => at(q, j));
        const m = Math.max(...row);
        const z = row.reduce((a, r) => a + Math.exp(r - m), 0);
        expect(s[i * 4 + j]).toBeCloseTo(Math.exp(at(i, j) - m) / z, 6);
        expect(l[i * 4 + j]).toBeCloseTo(at(i, j) - m - Math.log(z), 5);
      }
  });

  test('large logits do not overflow', async () => {
    expectClose(await data(softmax(tensor([1000, 1000], gpu), 0)), [0.5, 0.5]);
  });
});

describe('indexing', () => {
  test('gather, indexSelect and scatterAdd', async () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { ...gpu, dtype: 'float32' },
    );
    expect(
      await gather(
        x,
        1,
        tensor(
          [
            [2, 0],
            [1, 1],
          ],
          gpu,
        ),
      ).tolist(),
    ).toEqual([
      [3, 1],
      [5, 5],
    ]);
    expect(await indexSelect(x, 0, tensor([1, 0, 1], gpu)).tolist()).toEqual([
      [4, 5, 6],
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const idx = tensor(
      [
        [0, 1, 0],
        [2, 2, 2],
      ],
      gpu,
    );
    const src = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { ...gpu, dtype: 'float32' },
    );
    expect(await scatterAdd(zeros([2, 3], gpu), 1, idx, src).tolist()).toEqual([
      [4, 2, 0],
      [0, 0, 15],
    ]);
    expect(
      await scatterAdd(zeros([3], { ...gpu, dtype: 'int32' }), 0, tensor([0, 0, 2, 0], gpu), tensor([1, 2, 3, 4], gpu)).tolist(),
    ).toEqual([7, 0, 3]);
  });

  test('out-of-range indices are reported by the next read', async () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { ...gpu, dtype: 'float32' },
    );
    const picked = indexSelect(x, 0, tensor([1, 5], gpu)); // returns at once: the index is only checked on the GPU
    await expect(picked.read()).rejects.toThrow(/gather\/indexSelect: index 5 is out of bounds for a dimension of size 2/);
    // The record is cleared by the read that reported it.
    expect(await x.sum().item()).toBe(21);
    const s = scatterAdd(zeros([3], gpu), 0, tensor([0, -4], gpu), ones([2], gpu));
    await expect(s.read()).rejects.toThrow(/scatterAdd: index -4 is out of bounds for a dimension of size 3/);
  });

  test('scatterAdd with many colliding float updates (atomic CAS)', async () => {
    const n = 10_000;
    const out = scatterAdd(
      zeros([4], gpu),
      0,
      tensor(
        Array.from({ length: n }, (_, i) => i % 4),
        gpu,
      ),
      ones([n], gpu),
    );
    expect(await data(out)).toEqual([2500, 2500, 2500, 2500]);
  });

  test('topk and sort are stable and sorted', async () => {
    const x = tensor(
      [
        [3, 1, 3, 2],
        [0, 5, 5, 1],
      ],
      { ...gpu, dtype: 'float32' },
    );
    const { values, indices } = topk(x, 2, 1);
    expect(await values.tolist()).toEqual([
      [3, 3],
      [5, 5],
    ]);
    expect(await indices.tolist()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const s = sort(x, 0, false);
    expect(await s.values.tolist()).toEqual([
      [0, 1, 3, 1],
      [3, 5, 5, 2],
    ]);
    expect(await s.indices.tolist()).toEqual([
      [1, 0, 0, 1],
      [0, 1, 1, 0],
    ]);
    const small = topk(tensor([4, Number.NaN, 1], gpu), 2, 0, false);
    expect(await small.values.tolist()).toEqual([1, 4]);
  });
});

describe('random', () => {
  test('rand and randint follow the Philox recipe bit-exactly', async () => {
    manualSeed(1234);
    const u = await data(rand([1000], gpu));
    manualSeed(1234);
    const key = { seed: [0, 0] as [number, number], offset: 0 };
    void key;
    const expected = new Float32Array(1000);
    manualSeed(1234);
    const { defaultGenerator } = await import('@kindling/tensor');
    philoxFill('uniform', defaultGenerator.next(1000), expected);
    expect(u).toEqual(Array.from(expected));
    manualSeed(7);
    const r = await data(randint(0, 10, [500], gpu));
    expect(r.every((v) => v >= 0 && v < 10 && Number.isInteger(v))).toBe(true);
  });

  test('random counters carry past 2^32', async () => {
    const b = tensor([0], gpu).storage.backend;
    const key = { seed: [5, 6] as const, offset: 2 ** 32 - 2 };
    const h = b.random('bits', 'int32', 4, key);
    const got = Array.from(await b.read({ handle: h, dtype: 'int32', shape: [4], strides: [1], offset: 0 }));
    const expected = new Int32Array(4);
    philoxFill('bits', key, expected);
    expect(got).toEqual(Array.from(expected));
    b.free(h);
  });

  test('randn is standard normal and matches the host recipe closely', async () => {
    manualSeed(99);
    const z = await data(randn([4000], gpu));
    const { defaultGenerator } = await import('@kindling/tensor');
    manualSeed(99);
    const expected = new Float64Array(4000);
    philoxFill('normal', defaultGenerator.next(4000), expected);
    expectClose(z, Array.from(expected), 1e-4, 1e-4);
    const mean = z.reduce((a, v) => a + v, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.06);
  });
});
