import { tidy, type Tensor, type TensorLike } from '@kindling/tensor';
import { hasGradHooks } from '@kindling/tensor/internal';
import { compareWithFixture } from './compare.js';
import type { FixtureCase, FixtureGrad } from './fixture-types.js';
import { caseDTypes, fixtureTensor, fixtureTensorAndBase, isScalarInput, tensorOpFixtures } from './fixtures.js';
import { type SuiteContext, expectNoProblem } from './framework.js';
import { runFixtureOp } from './run-op.js';

/*
 * Gradients against PyTorch: for each fixture case with `grad`, the inputs
 * PyTorch differentiated require grad, the op runs, `backward(g)` runs with
 * PyTorch's upstream gradient, and every input's `.grad` is compared with
 * `torch.autograd.grad`'s. Kernels decide these numbers as much as autograd
 * does: backward runs the backend's own elementwise kernels.
 */

const MISSING_AUTOGRAD =
  "gradient tests need '@kindling/autograd': add `import '@kindling/autograd';` to the file that calls runConformanceSuite, " +
  'or pass `gradients: false` to skip them';

/** Runs one case's backward pass; null when every input gradient agrees with PyTorch's, else what went wrong. */
async function runGradCase(ctx: SuiteContext, c: FixtureCase, expected: FixtureGrad): Promise<string | null> {
  let grads: (Tensor | null)[];
  try {
    // Everything but the input gradients (which autograd keeps) is released when tidy ends.
    grads = tidy(() => {
      const leaves: (Tensor | null)[] = [];
      const inputs: TensorLike[] = c.inputs.map((input, i) => {
        if (isScalarInput(input)) {
          leaves.push(null);
          return input.scalar;
        }
        const { tensor } = fixtureTensorAndBase(input, ctx.device);
        // The op's input itself is the leaf (a view of a base that does not require grad), as in the generator.
        const leaf = expected.inputs[i] === null ? null : tensor.requiresGrad_();
        leaves.push(leaf);
        return tensor;
      });
      const outputs = runFixtureOp(c.op, inputs, c.args);
      if (outputs.length !== 1) throw new Error(`expected one result to differentiate, got ${outputs.length}`);
      outputs[0].backward(fixtureTensor(expected.output, ctx.device));
      return leaves.map((leaf) => leaf?.grad ?? null);
    });
  } catch (e) {
    return `forward or backward threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
  try {
    for (const [i, want] of expected.inputs.entries()) {
      if (want === null) continue;
      const got = grads[i];
      if (!got) return `input ${i} has no gradient after backward()`;
      const problem = await compareWithFixture(got, want, ctx.tolerances);
      if (problem) return `gradient of input ${i}: ${problem}`;
    }
    return null;
  } finally {
    for (const g of grads) g?.dispose();
  }
}

/**
 * One test per fixture case with PyTorch gradients whose dtypes the backend
 * has. With `enabled` false nothing is registered; without autograd
 * installed, one failing test says how to install it or opt out.
 */
export function registerGradientTests(ctx: SuiteContext, enabled: boolean): void {
  if (!enabled) return;
  ctx.describe(`gradients against PyTorch ${tensorOpFixtures.torch} (torch.autograd.grad)`, () => {
    if (!hasGradHooks()) {
      ctx.it('needs @kindling/autograd', () => {
        throw new Error(MISSING_AUTOGRAD);
      });
      return;
    }
    for (const c of tensorOpFixtures.cases) {
      const expected = c.grad;
      if (!expected || ctx.excluded(c.id)) continue;
      if ([...caseDTypes(c)].some((d) => !ctx.dtypes.includes(d))) continue;
      ctx.it(c.id, async () => expectNoProblem(ctx, await runGradCase(ctx, c, expected), c.id));
    }
  });
}
