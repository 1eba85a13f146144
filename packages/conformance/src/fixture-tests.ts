import { KindlingError, keep, tidy, type Tensor, type TensorLike } from '@kindling/tensor';
import { getBackend } from '@kindling/tensor/backend';
import { type Tolerances, compareValues, compareWithFixture } from './compare.js';
import type { FixtureCase, FixturePrint, FixtureTensor } from './fixture-types.js';
import { caseDTypes, fixtureArray, fixtureTensor, fixtureTensorAndBase, isScalarInput, tensorOpFixtures } from './fixtures.js';

const EXACT: Tolerances = { float16: { rtol: 0, atol: 0 }, float32: { rtol: 0, atol: 0 }, float64: { rtol: 0, atol: 0 } };
import { type SuiteContext, expectNoProblem } from './framework.js';
import { runFixtureOp } from './run-op.js';

/**
 * Float error of sums grows with the number and size of the terms, so for
 * reductions and products the absolute tolerance scales with the largest
 * input magnitude times the reduced length (a loose bound, still far below
 * any real bug).
 */
function atolScale(c: FixtureCase): number {
  if (!['reduce', 'matmul', 'linear', 'softmax', 'viewop'].includes(c.group)) return 1;
  let scale = 1;
  for (const input of c.inputs) {
    if (isScalarInput(input)) continue;
    let max = 0;
    for (const v of input.values) if (typeof v === 'number' && Number.isFinite(v)) max = Math.max(max, Math.abs(v));
    scale = Math.max(scale, max * Math.sqrt(Math.max(1, input.values.length)));
  }
  return scale;
}

/** Runs one case; null when Kindling agrees with PyTorch, else what went wrong. */
async function runCase(ctx: SuiteContext, c: FixtureCase): Promise<string | null> {
  let outputs: Tensor[];
  const bases: [Tensor, FixtureTensor][] = [];
  try {
    outputs = tidy(() => {
      const inputs: TensorLike[] = c.inputs.map((input) => {
        if (isScalarInput(input)) return input.scalar;
        const { tensor, base } = fixtureTensorAndBase(input, ctx.device);
        bases.push([keep(base), input]);
        return tensor;
      });
      return runFixtureOp(c.op, inputs, c.args);
    });
  } catch (e) {
    for (const [base] of bases) base.dispose();
    if (!Array.isArray(c.expected)) {
      return e instanceof KindlingError
        ? null
        : `PyTorch raised "${c.torchError}"; Kindling threw ${String(e)}, which is not a KindlingError`;
    }
    return `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
  try {
    if (!Array.isArray(c.expected)) return await expectDeferredError(ctx, c, outputs);
    if (outputs.length !== c.expected.length) return `expected ${c.expected.length} results, got ${outputs.length}`;
    for (let i = 0; i < outputs.length; i++) {
      const problem = await compareWithFixture(outputs[i], c.expected[i], ctx.tolerances, atolScale(c));
      if (problem) return outputs.length > 1 ? `result ${i}: ${problem}` : problem;
    }
    // Kernels read their inputs and write only fresh storages.
    for (const [k, [base, spec]] of bases.entries()) {
      const changed = compareValues(await base.read(), fixtureArray(spec), base.dtype, EXACT);
      if (changed) return `input ${k} was modified by the op: ${changed}`;
    }
    return null;
  } finally {
    for (const t of outputs) t.dispose();
    for (const [base] of bases) base.dispose();
  }
}

/**
 * PyTorch raised, but the op returned. That is only right on an asynchronous
 * device for errors that depend on tensor values (an out-of-range index): the
 * kernel finds them, and the next read raises them, as CUDA's device-side
 * asserts do. Null when reading the results raises a KindlingError.
 */
async function expectDeferredError(ctx: SuiteContext, c: FixtureCase, outputs: readonly Tensor[]): Promise<string | null> {
  const shapes = outputs.map((t) => `[${t.shape.join(',')}] ${t.dtype}`).join(', ');
  const returned = `PyTorch raised "${c.torchError}", but Kindling returned ${shapes}`;
  if (getBackend(ctx.device).readSync) return returned;
  try {
    for (const t of outputs) await t.read();
  } catch (e) {
    return e instanceof KindlingError ? null : `PyTorch raised "${c.torchError}"; reading the result threw ${String(e)}`;
  }
  return `${returned}, and reading it raised nothing`;
}

/** Kindling prints `device='...'` after the data for devices other than cpu, as PyTorch does. */
function withDevice(expected: string, device: string): string {
  if (device === 'cpu') return expected;
  const at = [', size=', ', dtype='].map((s) => expected.indexOf(s)).filter((i) => i >= 0);
  const cut = at.length ? Math.min(...at) : expected.length - 1;
  return `${expected.slice(0, cut)}, device='${device}'${expected.slice(cut)}`;
}

function registerPrinting(ctx: SuiteContext, samples: readonly FixturePrint[]): void {
  ctx.describe('printing (str(tensor) from PyTorch)', () => {
    for (const p of samples) {
      if (!ctx.dtypes.includes(p.tensor.dtype)) continue;
      ctx.it(p.name, () => {
        if (!getBackend(ctx.device).readSync) return; // asynchronous devices print a placeholder instead
        const t = fixtureTensor(p.tensor, ctx.device);
        try {
          ctx.expect(t.toString(), p.name).toBe(withDevice(p.expected, ctx.device));
        } finally {
          t.dispose();
        }
      });
    }
  });
}

/** One test per PyTorch fixture case whose dtypes the backend has, grouped by op family. */
export function registerFixtureTests(ctx: SuiteContext): void {
  const groups = new Map<string, FixtureCase[]>();
  for (const c of tensorOpFixtures.cases) {
    if (ctx.excluded(c.id)) continue;
    if ([...caseDTypes(c)].some((d) => !ctx.dtypes.includes(d))) continue;
    let list = groups.get(c.group);
    if (!list) groups.set(c.group, (list = []));
    list.push(c);
  }
  ctx.describe(`PyTorch ${tensorOpFixtures.torch} fixtures`, () => {
    for (const [group, cases] of groups) {
      ctx.describe(group, () => {
        for (const c of cases) {
          ctx.it(c.id, async () => expectNoProblem(ctx, await runCase(ctx, c), c.id));
        }
      });
    }
    registerPrinting(ctx, tensorOpFixtures.printing);
  });
}
