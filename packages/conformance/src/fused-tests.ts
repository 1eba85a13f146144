import { DTypeError, type Tensor } from '@kindling/tensor';
import { logSoftmaxBackward, reluBackward } from '@kindling/tensor/internal';
import * as K from '@kindling/tensor';
import { compareValues } from './compare.js';
import { expectError } from './error-tests.js';
import { type SuiteContext, expectNoProblem } from './framework.js';
import { hostValues } from './layout-tests.js';
import { registerNonFiniteTests } from './non-finite-tests.js';

async function check(ctx: SuiteContext, what: string, t: Tensor, expected: readonly number[]): Promise<void> {
  expectNoProblem(ctx, compareValues(await t.read(), expected, t.dtype, ctx.tolerances), what);
}

/**
 * Ops a backend may run as fused kernels (`reluBackward`, the in-place
 * `add_`/`sub_` with `alpha` through `axpy`, `affine`) must equal their definitions on
 * every layout, whether the backend fuses them or not.
 */
export function registerFusedTests(ctx: SuiteContext): void {
  const { device, it, describe } = ctx;
  const floats = (['float32', 'float64', 'float16'] as const).filter((d) => ctx.dtypes.includes(d));

  registerNonFiniteTests(ctx);
  describe('fusable ops', () => {
    for (const dtype of floats) {
      it(`reluBackward(${dtype}) is grad where output > 0, 0 where output <= 0, grad where output is NaN`, async () => {
        const y = [Number.NaN, -0, -1, 2, 0.5, 0, 3, -2, Number.NaN, 7];
        const g = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        const expected = y.map((v, i) => (v <= 0 ? 0 : g[i]));
        const out = reluBackward(K.tensor(g, { dtype, device }), K.tensor(y, { dtype, device }));
        await check(ctx, 'dense', out, expected);
        // Transposed operands: the same rule per element.
        const gt = K.tensor(g, { dtype, device }).reshape(2, 5).t();
        const yt = K.tensor(y, { dtype, device }).reshape(2, 5).t();
        const tExpected = [0, 1, 2, 3, 4].flatMap((c) => [expected[c], expected[5 + c]]);
        await check(ctx, 'transposed', reluBackward(gt, yt), tExpected);
      });
    }

    // Half precision lowers to four ops, each rounding to half, as PyTorch's half kernels do; its
    // result is that of those four ops, not of this exact formula.
    for (const dtype of floats.filter((d) => d !== 'float16')) {
      it(`logSoftmaxBackward(${dtype}) is grad - exp(output) * sum(grad) along the dim, dense and strided`, async () => {
        const y = [-0.5, -1.5, -2.5, -0.25, -3, -1, -0.75, -2, -1.25, -0.1];
        const g = [0.5, -1, 2, 0.25, -0.5, 1.5, -2, 0.75, 1, -0.25];
        // Rows of 5 (the last dim) and, transposed, columns of 2 (dim 0 of the [5, 2] view).
        const rowSums = [0, 1].map((r) => g.slice(5 * r, 5 * r + 5).reduce((a, b) => a + b, 0));
        const expected = y.map((v, i) => g[i] - Math.exp(v) * rowSums[Math.floor(i / 5)]);
        const out = logSoftmaxBackward(K.tensor(g, { dtype, device }).reshape(2, 5), K.tensor(y, { dtype, device }).reshape(2, 5), 1);
        await check(ctx, 'last dim', out, expected);
        const gt = K.tensor(g, { dtype, device }).reshape(2, 5).t();
        const yt = K.tensor(y, { dtype, device }).reshape(2, 5).t();
        const tExpected = [0, 1, 2, 3, 4].flatMap((c) => [expected[c], expected[5 + c]]);
        await check(ctx, 'transposed, dim 0 of [5, 2]', logSoftmaxBackward(gt, yt, 0), tExpected);
      });
    }

    it('add_/sub_ with alpha equal t + alpha * other on dense, broadcast, aliased and strided targets', async () => {
      const base = hostValues(12, 21);
      const other = hostValues(12, 22);
      const row = hostValues(4, 23);
      const cases: [string, () => Tensor, (t: number[]) => number[]][] = [
        [
          'dense add_',
          () => K.tensor(base, { device }).reshape(3, 4).add_(K.tensor(other, { device }).reshape(3, 4), { alpha: -0.25 }),
          () => base.map((v, i) => v - 0.25 * other[i]),
        ],
        [
          'dense sub_',
          () => K.tensor(base, { device }).reshape(3, 4).sub_(K.tensor(other, { device }).reshape(3, 4), { alpha: 2 }),
          () => base.map((v, i) => v - 2 * other[i]),
        ],
        [
          'broadcast row',
          () => K.tensor(base, { device }).reshape(3, 4).add_(K.tensor(row, { device }), { alpha: 0.5 }),
          () => base.map((v, i) => v + 0.5 * row[i % 4]),
        ],
        [
          'aliased (t += alpha * t)',
          () => {
            const t = K.tensor(base, { device }).reshape(3, 4);
            return t.add_(t, { alpha: 3 });
          },
          () => base.map((v) => v + 3 * v),
        ],
        [
          'strided target',
          () => {
            const t = K.tensor(base, { device }).reshape(4, 3);
            t.t().add_(K.tensor(other, { device }).reshape(3, 4), { alpha: -1 });
            return t;
          },
          () => base.map((v, i) => v - other[(i % 3) * 4 + Math.floor(i / 3)]),
        ],
      ];
      for (const [what, run, expected] of cases) {
        const t = run();
        await check(ctx, what, t, expected(base));
        t.dispose();
      }
    });

    it('affine(x, scale, shift) equals cast, mul and add bit for bit, on bytes and floats, dense and strided', async () => {
      // 37 bytes: whole SIMD blocks and a tail; every byte value's neighbourhood of rounding.
      const bytes = Array.from({ length: 74 }, (_, i) => (i * 97 + 13) % 256);
      const [scale, shift] = [1 / (255 * 0.3081), -0.1307 / 0.3081];
      const inputs: [string, () => Tensor][] = [
        ['dense uint8', () => K.tensor(bytes.slice(0, 37), { dtype: 'uint8', device })],
        ['offset uint8', () => K.tensor(bytes, { dtype: 'uint8', device }).narrow(0, 3, 37)],
        ['strided uint8', () => K.tensor(bytes, { dtype: 'uint8', device }).reshape(37, 2).select(1, 1)],
        ['int32', () => K.tensor(bytes.slice(0, 37), { dtype: 'int32', device })],
      ];
      if (ctx.dtypes.includes('float32')) inputs.push(['float32', () => K.tensor(bytes.slice(0, 37), { dtype: 'float32', device })]);
      for (const dtype of floats) {
        for (const [what, make] of inputs) {
          const x = make();
          const out = K.affine(x, scale, shift, { dtype });
          const expected = K.cast(x, dtype).mul(scale).add(shift);
          ctx.expect(out.dtype).toBe(dtype);
          ctx.expect(out.shape).toEqual([37]);
          ctx.expect(Array.from(await out.read()), `${what} -> ${dtype}`).toEqual(Array.from(await expected.read()));
          for (const t of [x, out, expected]) t.dispose();
        }
      }
    });

    it('affine rejects a non-floating result dtype, naming it', () => {
      const x = K.tensor([1, 2], { dtype: 'uint8', device });
      expectError(ctx, () => K.affine(x, 2, 1, { dtype: 'int32' }), DTypeError, 'affine: dtype must be a floating dtype, got int32');
      x.dispose();
    });
  });
}
