import { DTypeError, KindlingError, ShapeError, memory, type DType, type TypedArray, type Reduction, type Tensor } from '@kindling/tensor';
import { allocArray, getBackend } from '@kindling/tensor/backend';
import * as K from '@kindling/tensor';
import { compareValues } from './compare.js';
import { expectError } from './error-tests.js';
import { type SuiteContext, expectNoProblem } from './framework.js';
import { hostValues } from './layout-tests.js';

const REDUCTIONS: readonly Reduction[] = ['none', 'sum', 'mean'];

interface Case {
  what: string;
  rows: number;
  classes: number;
  /** Class of each row; `IGNORED` rows contribute nothing. */
  target: number[];
  /** Logits stored as the transpose of a `[C, N]` tensor, so kernels see a strided view. */
  transposed?: boolean;
  scale?: number;
}

const IGNORED = -1;

/** `torch.nn.functional.cross_entropy` on the host, in float64. */
function hostCrossEntropy(x: readonly number[], c: Case, weight: readonly number[] | null, reduction: Reduction): number[] {
  const losses: number[] = [];
  let total = 0;
  let totalWeight = 0;
  for (let i = 0; i < c.rows; i++) {
    const t = c.target[i];
    if (t === IGNORED) {
      losses.push(0);
      continue;
    }
    const row = x.slice(i * c.classes, (i + 1) * c.classes);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    const w = weight ? weight[t] : 1;
    losses.push(w * (lse - row[t]));
    total += w * (lse - row[t]);
    totalWeight += w;
  }
  if (reduction === 'none') return losses;
  return [reduction === 'sum' ? total : total / totalWeight];
}

/** Deterministic targets in `[0, classes)`, every fourth ignored. */
function targets(rows: number, classes: number, seed: number): number[] {
  return hostValues(rows, seed).map((v, i) => (i % 4 === 3 ? IGNORED : Math.floor(((v + 1) / 2) * classes) % classes));
}

async function values(t: Tensor): Promise<number[]> {
  return [...(await t.read())];
}

/**
 * `crossEntropyLoss` (which backends may run as one fused kernel) against the
 * host definition, the `logSoftmax` + `nllLoss` lowering it must equal, and
 * values worked out by hand: class weights, ignored targets, every
 * reduction, strided logits, unbatched input, empty batches and logits of
 * ±1000, where an unshifted log-sum-exp would overflow.
 */
export function registerCrossEntropyTests(ctx: SuiteContext): void {
  const { device, it, describe, expect } = ctx;
  const floats = ctx.dtypes.filter((d): d is DType => d === 'float32' || d === 'float64');
  const int = (v: number[] | number) => K.tensor(v, { device, dtype: 'int32' });

  describe('crossEntropyLoss', () => {
    const cases: Case[] = [
      { what: '[7, 5]', rows: 7, classes: 5, target: targets(7, 5, 1) },
      { what: 'strided [6, 4] (a transpose)', rows: 6, classes: 4, target: targets(6, 4, 2), transposed: true },
      { what: '[70, 3] (more rows than a workgroup)', rows: 70, classes: 3, target: targets(70, 3, 3) },
      { what: '[3, 300] (long rows)', rows: 3, classes: 300, target: [299, 0, 137], scale: 4 },
      { what: 'strided [5, 129]', rows: 5, classes: 129, target: targets(5, 129, 4), transposed: true },
      { what: 'empty batch [0, 4]', rows: 0, classes: 4, target: [] },
    ];
    for (const dtype of floats) {
      it(`${dtype}: matches its definition and the logSoftmax + nllLoss lowering (weights, ignored targets, every reduction)`, async () => {
        for (const c of cases) {
          const host = hostValues(c.rows * c.classes, c.rows * 31 + c.classes, c.scale ?? 3);
          // The host reference sees the values the device holds.
          const x = host.map((v) => (dtype === 'float32' ? Math.fround(v) : v));
          const logits = c.transposed
            ? K.tensor(typed(dtype, transpose(x, c.rows, c.classes)), { device, dtype, shape: [c.classes, c.rows] }).t()
            : K.tensor(typed(dtype, x), { device, dtype, shape: [c.rows, c.classes] });
          const hostWeight = hostValues(c.classes, 7, 1).map((v) => Math.fround(v + 1.5));
          const weight = K.tensor(hostWeight, { device, dtype });
          const target = int(c.target);
          for (const reduction of REDUCTIONS) {
            for (const withWeight of [false, true]) {
              const what = `${c.what} reduction=${reduction} weight=${withWeight}`;
              const options = { reduction, ignoreIndex: IGNORED, weight: withWeight ? weight : null };
              const got = K.crossEntropyLoss(logits, target, options);
              expect(got.dtype, what).toBe(dtype);
              expect(got.shape, what).toEqual(reduction === 'none' ? [c.rows] : []);
              const data = await values(got);
              const expected = hostCrossEntropy(x, c, withWeight ? hostWeight : null, reduction);
              expectNoProblem(ctx, compareValues(data, expected, dtype, ctx.tolerances, 10), `${what} against the definition`);
              const logp = K.logSoftmax(logits, 1);
              const lowered = K.nllLoss(logp, target, options);
              expectNoProblem(ctx, compareValues(data, await values(lowered), dtype, ctx.tolerances), `${what} against the lowering`);
              for (const t of [got, logp, lowered]) t.dispose();
            }
          }
          for (const t of [logits, weight, target]) t.dispose();
        }
      });

      it(`${dtype}: hand-computed values, an unbatched row and logits of ±1000`, async () => {
        const opts = { device, dtype };
        const x = K.tensor(
          [
            [1, 2, 3],
            [1, 1, 1],
          ],
          opts,
        );
        // logsumexp([1, 2, 3]) - 3 = log(1 + e^-1 + e^-2); logsumexp([1, 1, 1]) - 1 = log 3.
        const a = 0.4076059644443804;
        const b = 1.0986122886681098;
        const weight = K.tensor([1, 2, 0.5], opts);
        const row = x.select(0, 0);
        const huge = K.tensor(
          [
            [1000, -1000, 0],
            [-1000, -1000, -1000],
            [1000, 1000, -1000],
            [1000, -1000, 0],
          ],
          opts,
        );
        const checks: [string, Tensor, number[], number[]][] = [
          ['none', K.crossEntropyLoss(x, int([2, 0]), { reduction: 'none' }), [a, b], [2]],
          ['sum', K.crossEntropyLoss(x, int([2, 0]), { reduction: 'sum' }), [a + b], []],
          ['mean', K.crossEntropyLoss(x, int([2, 0])), [(a + b) / 2], []],
          ['weighted none', K.crossEntropyLoss(x, int([2, 0]), { weight, reduction: 'none' }), [0.5 * a, b], [2]],
          ['weighted mean divides by the total weight', K.crossEntropyLoss(x, int([2, 0]), { weight }), [(0.5 * a + b) / 1.5], []],
          ['ignoreIndex', K.crossEntropyLoss(x, int([2, 1]), { ignoreIndex: 1, reduction: 'none' }), [a, 0], [2]],
          ['weighted mean skips the ignored sample', K.crossEntropyLoss(x, int([-100, 0]), { weight }), [b], []],
          ['every target ignored: mean is 0/0', K.crossEntropyLoss(x, int([-100, -100])), [Number.NaN], []],
          ['unbatched [C] with a 0-dim target', K.crossEntropyLoss(row, int(2)), [a], []],
          ['unbatched, weighted none', K.crossEntropyLoss(row, int(2), { weight, reduction: 'none' }), [0.5 * a], []],
          ['unbatched, weighted mean', K.crossEntropyLoss(row, int(2), { weight }), [a], []],
          // Shifted by the row maximum: no exp(1000) overflow, no log(0).
          ['logits of ±1000', K.crossEntropyLoss(huge, int([1, 0, 1, 0]), { reduction: 'none' }), [2000, b, Math.LN2, 0], [4]],
        ];
        for (const [what, t, expected, shape] of checks) {
          expect(t.shape, what).toEqual(shape);
          expectNoProblem(ctx, compareValues(await values(t), expected, dtype, ctx.tolerances), what);
          t.dispose();
        }
        for (const t of [row, huge]) t.dispose();
        for (const t of [x, weight]) t.dispose();
      });
    }

    it('argument errors name the op; an out-of-range target raises (on asynchronous devices at the next read)', async () => {
      const x = K.zeros([2, 5], { device });
      const checks: [() => unknown, typeof KindlingError, string | RegExp][] = [
        [
          () => K.crossEntropyLoss(x, K.zeros([2], { device })),
          DTypeError,
          'crossEntropyLoss: target must be an int32 tensor of class indices, got float32',
        ],
        [
          () => K.crossEntropyLoss(x, int([0, 1, 2])),
          ShapeError,
          'crossEntropyLoss: expected target of shape [2] for input [2,5], got [3]',
        ],
        [() => K.crossEntropyLoss(x.unsqueeze(0), int([0])), ShapeError, /^crossEntropyLoss: input must be \[N, C\] or \[C\] logits/],
        [
          () => K.crossEntropyLoss(x, int([0, 1]), { weight: K.ones([4], { device }) }),
          ShapeError,
          'crossEntropyLoss: weight must have shape [5], got [4]',
        ],
      ];
      for (const [fn, cls, message] of checks) expectError(ctx, fn, cls, message);
      const bad = int([1, 5]);
      if (getBackend(device).readSync) {
        expectError(ctx, () => K.crossEntropyLoss(x, bad), ShapeError, 'crossEntropyLoss: target 5 is out of bounds for 5 classes');
      } else {
        const out = K.crossEntropyLoss(x, bad, { reduction: 'none' });
        let raised = 'nothing';
        try {
          await out.read();
        } catch (e) {
          raised = e instanceof KindlingError && /out of bounds/.test(e.message) ? 'ok' : String(e);
        }
        expect(raised).toBe('ok');
        out.dispose();
      }
      for (const t of [x, bad]) t.dispose();
    });

    it('leaves nothing behind but its result', () => {
      const x = K.randn([4, 6], { device });
      const weight = K.ones([6], { device });
      const target = int([0, 5, -100, 2]);
      const row = x.select(0, 1);
      const rowTarget = target.select(0, 1);
      for (const reduction of REDUCTIONS) {
        for (const unbatched of [false, true]) {
          const before = memory()[device];
          const out = unbatched
            ? K.crossEntropyLoss(row, rowTarget, { weight, reduction })
            : K.crossEntropyLoss(x, target, { weight, reduction });
          out.dispose();
          expect(memory()[device], `reduction=${reduction} unbatched=${unbatched}`).toEqual(before);
        }
      }
      for (const t of [x, weight, target, row, rowTarget]) t.dispose();
    });
  });
}

function typed(dtype: DType, values: readonly number[]): TypedArray {
  const out = allocArray(dtype, values.length);
  out.set(values);
  return out;
}

/** The `[C, N]` row-major layout of a `[N, C]` row-major array. */
function transpose(x: readonly number[], rows: number, classes: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < classes; j++) for (let i = 0; i < rows; i++) out.push(x[i * classes + j]);
  return out;
}
