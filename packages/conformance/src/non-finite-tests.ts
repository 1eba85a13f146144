import type { DType, Tensor } from '@kindling/tensor';
import { reluBackward } from '@kindling/tensor/internal';
import * as K from '@kindling/tensor';
import { compareValues } from './compare.js';
import { type SuiteContext, expectNoProblem } from './framework.js';
import { hostMatmul, hostValues } from './layout-tests.js';

const NAN = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

/**
 * Logits whose rows hold NaN, +inf, all -inf, two +inf, and one -inf among
 * finite values; PyTorch 1.13 gives NaN rows for the first four (inf - inf
 * and 0/0 inside the stable formula) and finite values for the last. Exported
 * for backends' own tests of their kernel variants.
 */
export const NON_FINITE_LOGITS: readonly (readonly number[])[] = [
  [1, NAN, 2],
  [INF, 1, 0],
  [-INF, -INF, -INF],
  [INF, INF, 1],
  [-INF, 0, 1],
];
const NAN_ROW = [NAN, NAN, NAN];
const SOFTMAX = [...NAN_ROW, ...NAN_ROW, ...NAN_ROW, ...NAN_ROW, 0, 0.2689414213699951, 0.7310585786300049];
const LOG_SOFTMAX = [...NAN_ROW, ...NAN_ROW, ...NAN_ROW, ...NAN_ROW, -INF, -1.3132616875182228, -0.3132616875182228];

/**
 * NaN and infinities through every path a backend may fuse or shortcut, with
 * PyTorch's results: a kernel that skips zero products (`0 * inf` is NaN), or
 * clamps, or shifts by a maximum differently from the lowering, fails here.
 */
export function registerNonFiniteTests(ctx: SuiteContext): void {
  const { device, it, describe } = ctx;
  const floats = (['float32', 'float64', 'float16'] as const).filter((d) => ctx.dtypes.includes(d));
  const check = async (what: string, t: Tensor, expected: readonly number[]): Promise<void> => {
    expectNoProblem(ctx, compareValues(await t.read(), expected, t.dtype, ctx.tolerances), what);
  };
  const make = (values: readonly number[], dtype: DType, shape: number[]) => K.tensor(Float64Array.from(values), { dtype, device, shape });

  describe('NaN and infinity through fused and primitive paths', () => {
    for (const dtype of floats) {
      it(`matmul: 0 * inf inside a product is NaN, in small and kernel-sized products (${dtype})`, async () => {
        const small = make([0, 1], dtype, [1, 2]).matmul(make([INF, 1], dtype, [2, 1]));
        await check('[[0, 1]] @ [[inf], [1]]', small, [NAN]);
        // Big enough for every backend's fast path: column 5 of A is zero and B[5, 3] is inf, so column 3 is NaN.
        const [m, k, n] = [16, 64, 24];
        const a = hostValues(m * k, 31).map((v, i) => (i % k === 5 ? 0 : v));
        const b = hostValues(k * n, 32).map((v, i) => (i === 5 * n + 3 ? INF : v));
        const [ta, tb] = [make(a, dtype, [m, k]), make(b, dtype, [k, n])];
        // The reference multiplies the values the tensors hold (float16 rounds them), summing in float64.
        const expected = hostMatmul(await ta.read(), [m, k], await tb.read(), [k, n]);
        ctx.expect(Number.isNaN(expected[3]), 'the host reference has NaN in column 3').toBe(true);
        const got = await ta.matmul(tb).read();
        expectNoProblem(ctx, compareValues(got, expected, dtype, ctx.tolerances, Math.sqrt(k)), `[${m},${k}] @ [${k},${n}] with 0 * inf`);
      });

      it(`linear: NaN and inf in input, weight and bias reach the output (${dtype})`, async () => {
        const x = make([0, 1, NAN, 0], dtype, [2, 2]);
        const w = make([INF, 1, 1, 1], dtype, [2, 2]);
        await check('linear with bias', K.linear(x, w, make([0, NAN], dtype, [2])), [NAN, NAN, NAN, NAN]);
        await check('linear without bias', K.linear(x, w), [NAN, 1, NAN, NAN]);
      });

      it(`softmax and logSoftmax rows with NaN or infinities are PyTorch's (${dtype})`, async () => {
        const x = make(NON_FINITE_LOGITS.flat(), dtype, [5, 3]);
        await check('softmax(dim 1)', x.softmax(1), SOFTMAX);
        await check('logSoftmax(dim 1)', x.logSoftmax(1), LOG_SOFTMAX);
        // The same rows as columns: the reduction runs along dim 0 of a transposed view.
        const columns = make(NON_FINITE_LOGITS.flat(), dtype, [5, 3]).t();
        await check('softmax(dim 0) of a transposed view', columns.softmax(0).t().contiguous(), SOFTMAX);
      });

      it(`crossEntropyLoss of rows with NaN or infinities is NaN where PyTorch's is (${dtype})`, async () => {
        const x = make(NON_FINITE_LOGITS.flat(), dtype, [5, 3]);
        const target = K.tensor([0, 1, 0, 2, 1], { dtype: 'int32', device });
        await check('reduction none', K.crossEntropyLoss(x, target, { reduction: 'none' }), [NAN, NAN, NAN, NAN, 1.3132616875182228]);
        await check('reduction mean', K.crossEntropyLoss(x, target), [NAN]);
        const winner = K.crossEntropyLoss(make([INF, 1], dtype, [1, 2]), K.tensor([0], { dtype: 'int32', device }), { reduction: 'none' });
        await check('an inf logit on the target', winner, [NAN]);
      });

      it(`add_ and sub_ with alpha: alpha * inf and NaN reach the target (${dtype})`, async () => {
        const other = make([INF, NAN, 1], dtype, [3]);
        await check('add_(alpha 0)', make([1, 2, 3], dtype, [3]).add_(other, { alpha: 0 }), [NAN, NAN, 3]);
        await check('add_(alpha 2)', make([1, 2, 3], dtype, [3]).add_(other, { alpha: 2 }), [INF, NAN, 5]);
        await check('sub_(alpha -1)', make([1, 2, 3], dtype, [3]).sub_(other, { alpha: -1 }), [INF, NAN, 4]);
      });

      it(`reluBackward passes NaN and inf gradients where the output is positive or NaN (${dtype})`, async () => {
        const out = reluBackward(make([NAN, 1, INF, 2], dtype, [4]), make([1, -1, 0, NAN], dtype, [4]));
        await check('threshold_backward', out, [NAN, 0, 0, 2]);
      });

      it(`affine keeps NaN and inf, and 0 * inf is NaN (${dtype})`, async () => {
        const x = make([NAN, INF, -INF, 1], dtype, [4]);
        await check('affine(x, 2, 1)', K.affine(x, 2, 1, { dtype }), [NAN, INF, -INF, 3]);
        await check('affine(x, 0, 1)', K.affine(x, 0, 1, { dtype }), [NAN, NAN, NAN, 1]);
      });
    }
  });
}
