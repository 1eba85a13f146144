import { KindlingError, keep, tidy, type Tensor, type TensorLike } from '@kindling/tensor';
import { hasGradHooks } from '@kindling/tensor/internal';
import { type Tolerances, compareValues, compareWithFixture } from './compare.js';
import type { FixtureCase, FixtureGrad, FixtureTensor } from './fixture-types.js';
import { caseDTypes, fixtureArray, fixtureTensor, fixtureTensorAndBase, isScalarInput, windowOpFixtures } from './fixtures.js';
import { type SuiteContext, expectNoProblem } from './framework.js';
import { runFixtureOp } from './run-op.js';
import { registerWindowReferenceTests } from './window-reference-tests.js';

/*
 * Convolution, unfold/fold, pooling, batch norm, pad and interpolate against
 * PyTorch (tools/fixtures/gen_window.py): results, inputs updated in place
 * (batch norm's running statistics) and, with autograd, every input's
 * gradient for PyTorch's upstream gradient. A backend without sliding-window
 * kernels runs the ops' lowerings to primitives and must pass the same.
 */

const EXACT: Tolerances = { float16: { rtol: 0, atol: 0 }, float32: { rtol: 0, atol: 0 }, float64: { rtol: 0, atol: 0 } };

const describeError = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** Inputs of a case on the device; with `bases`, their uploaded bases are kept there (to check what the op wrote). */
function uploadInputs(c: FixtureCase, device: string, bases?: Tensor[]): TensorLike[] {
  return c.inputs.map((input) => {
    if (isScalarInput(input)) return input.scalar;
    const { tensor, base } = fixtureTensorAndBase(input, device);
    bases?.push(keep(base));
    return tensor;
  });
}

/** Whether an input (read back through its base) holds `want`: its values after the op. */
async function checkInput(base: Tensor, spec: FixtureTensor, want: FixtureTensor | null, ctx: SuiteContext): Promise<string | null> {
  if (want === null) {
    const changed = compareValues(await base.read(), fixtureArray(spec), base.dtype, EXACT);
    return changed && `was modified by the op: ${changed}`;
  }
  // Updated inputs are whole tensors (running statistics), never views: the base is the input.
  const problem = await compareWithFixture(base, want, ctx.tolerances);
  return problem && `after the op: ${problem}`;
}

/** Runs one case forward; null when Kindling agrees with PyTorch, else what went wrong. */
async function runWindowCase(ctx: SuiteContext, c: FixtureCase): Promise<string | null> {
  const bases: Tensor[] = [];
  let outputs: Tensor[];
  try {
    outputs = tidy(() => runFixtureOp(c.op, uploadInputs(c, ctx.device, bases), c.args));
  } catch (e) {
    for (const base of bases) base.dispose();
    if (Array.isArray(c.expected)) return `threw ${describeError(e)}`;
    // Window ops refuse shapes and arguments before running anything: the error is synchronous.
    return e instanceof KindlingError
      ? null
      : `PyTorch raised "${c.torchError}"; Kindling threw ${String(e)}, which is not a KindlingError`;
  }
  try {
    if (!Array.isArray(c.expected)) {
      const shapes = outputs.map((t) => `[${t.shape.join(',')}] ${t.dtype}`).join(', ');
      return `PyTorch raised "${c.torchError}", but Kindling returned ${shapes}`;
    }
    if (outputs.length !== c.expected.length) return `expected ${c.expected.length} results, got ${outputs.length}`;
    for (const [i, out] of outputs.entries()) {
      const problem = await compareWithFixture(out, c.expected[i], ctx.tolerances, c.scale?.[i] ?? 1);
      if (problem) return outputs.length > 1 ? `result ${i}: ${problem}` : problem;
    }
    let b = 0;
    for (const [i, input] of c.inputs.entries()) {
      if (isScalarInput(input)) continue;
      const problem = await checkInput(bases[b++], input, c.updated?.[i] ?? null, ctx);
      if (problem) return `input ${i} ${problem}`;
    }
    return null;
  } finally {
    for (const t of outputs) t.dispose();
    for (const base of bases) base.dispose();
  }
}

/** Runs one case's backward pass; null when every input gradient agrees with PyTorch's. */
async function runWindowGradCase(ctx: SuiteContext, c: FixtureCase, expected: FixtureGrad): Promise<string | null> {
  let grads: (Tensor | null)[];
  try {
    grads = tidy(() => {
      const inputs = uploadInputs(c, ctx.device);
      // The op's inputs themselves (views too) are the leaves, as in the generator.
      const leaves = inputs.map((x, i) => (expected.inputs[i] === null ? null : (x as Tensor).requiresGrad_()));
      const outputs = runFixtureOp(c.op, inputs, c.args);
      if (outputs.length !== 1) throw new Error(`expected one result to differentiate, got ${outputs.length}`);
      outputs[0].backward(fixtureTensor(expected.output, ctx.device));
      return leaves.map((leaf) => leaf?.grad ?? null);
    });
  } catch (e) {
    return `forward or backward threw ${describeError(e)}`;
  }
  try {
    for (const [i, want] of expected.inputs.entries()) {
      if (want === null) continue;
      const got = grads[i];
      if (!got) return `input ${i} has no gradient after backward()`;
      const problem = await compareWithFixture(got, want, ctx.tolerances, expected.scale?.[i] ?? 1);
      if (problem) return `gradient of input ${i}: ${problem}`;
    }
    return null;
  } finally {
    for (const g of grads) g?.dispose();
  }
}

/**
 * Sliding-window ops against PyTorch, one test per fixture case (and one per
 * case's backward pass when `gradients` is on and autograd is installed),
 * then larger random cases against host arithmetic.
 */
export function registerWindowTests(ctx: SuiteContext, gradients: boolean): void {
  const cases = windowOpFixtures.cases.filter((c) => !ctx.excluded(c.id) && [...caseDTypes(c)].every((d) => ctx.dtypes.includes(d)));
  const groups = new Map<string, FixtureCase[]>();
  for (const c of cases) {
    let list = groups.get(c.group);
    if (!list) groups.set(c.group, (list = []));
    list.push(c);
  }
  // Without autograd the gradient tests' "needs @kindling/autograd" test already fails; here the backward cases are left out.
  const withGrad = gradients && hasGradHooks();
  ctx.describe(`sliding-window ops against PyTorch ${windowOpFixtures.torch}`, () => {
    for (const [group, list] of groups) {
      ctx.describe(group, () => {
        for (const c of list) {
          ctx.it(c.id, async () => expectNoProblem(ctx, await runWindowCase(ctx, c), c.id));
          const grad = c.grad;
          if (grad && withGrad) {
            ctx.it(`${c.id} backward`, async () => expectNoProblem(ctx, await runWindowGradCase(ctx, c, grad), `${c.id} backward`));
          }
        }
      });
    }
  });
  registerWindowReferenceTests(ctx, withGrad);
}
