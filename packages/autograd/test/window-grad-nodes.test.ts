import { readFileSync } from 'node:fs';
import '@kindling/backend-cpu';
import type { Tensor } from '@kindling/tensor';
import { type FixtureCase, type FixtureTensor, fixtureTensor, runFixtureOp, windowOpFixtures } from '@kindling/conformance';
import { describe, expect, it } from 'vitest';
import '../src/index.js';

/*
 * The autograd node each sliding-window op records has PyTorch's name
 * (`out.gradFn.name` is `out.grad_fn`'s class name): for every case of the
 * conformance fixtures with a gradient, the node PyTorch recorded
 * (tools/fixtures/data/window-grad-nodes.json, written by gen_window.py with
 * the fixtures). The gradients' values are the conformance suite's.
 */

const { nodes }: { nodes: Record<string, string> } = JSON.parse(
  readFileSync(new URL('../../../tools/fixtures/data/window-grad-nodes.json', import.meta.url), 'utf8'),
);

// PyTorch 1.13 records F.interpolate under its `.vec` overloads' nodes; 2.x (what users have) under these.
const NODE_NAMES_2X: Record<string, string> = {
  UpsampleNearest2DBackward1: 'UpsampleNearest2DBackward0',
  UpsampleBilinear2DBackward1: 'UpsampleBilinear2DBackward0',
};

/** Runs the case forward with its differentiable inputs requiring grad, as the generator did. */
function resultOf(c: FixtureCase): Tensor {
  const inputs = c.inputs.map((input, i) => {
    // Window cases have tensor inputs only (no Python scalars).
    const t = fixtureTensor(input as FixtureTensor, 'cpu');
    return c.grad?.inputs[i] ? t.requiresGrad_() : t;
  });
  return runFixtureOp(c.op, inputs, c.args)[0];
}

const cases = windowOpFixtures.cases.filter((c) => c.grad);

describe("sliding-window ops record PyTorch's autograd nodes", () => {
  it('has a node name for every case with a gradient', () => {
    expect(cases.length).toBeGreaterThan(50);
    expect(cases.map((c) => c.id).sort()).toEqual(Object.keys(nodes).sort());
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (id, c) => {
    const torchName = nodes[id];
    expect(resultOf(c).gradFn?.name).toBe(NODE_NAMES_2X[torchName] ?? torchName);
  });
});
