import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { hasBackend } from '@kindling/tensor';
import { getBackend, registerBackend } from '@kindling/tensor/backend';
import { type FixtureCase, type FixtureTensor, fixtureArray, fixtureTensor, runFixtureOp, windowOpFixtures } from '@kindling/conformance';

/*
 * float16 sliding-window ops are computed in float32 and rounded to half once,
 * so on the fixtures' grid inputs (exact sums) they equal PyTorch's float32
 * result rounded to half bit for bit. The conformance suite compares float16
 * within a tolerance; this holds the CPU kernels, and the lowering to
 * primitives (the CPU backend with its fused kernels taken away), to the
 * exact contract. Fixtures: tools/fixtures/gen_window.py.
 */

if (!hasBackend('cpu-primitives'))
  registerBackend(Object.create(getBackend('cpu'), { name: { value: 'cpu-primitives' }, fused: { value: undefined } }));

const isHalfCase = (c: FixtureCase): boolean => Array.isArray(c.expected) && c.inputs.some((x) => 'dtype' in x && x.dtype === 'float16');
const cases = windowOpFixtures.cases.filter(isHalfCase);

describe.each(['cpu', 'cpu-primitives'])('float16 sliding-window ops equal PyTorch rounded once, bit for bit, on %s', (device) => {
  it('covers every op family', () => {
    expect(new Set(cases.map((c) => c.group))).toEqual(new Set(['conv', 'unfold', 'pool', 'norm', 'pad', 'interpolate']));
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    // Window cases have tensor inputs only (no Python scalars).
    const outputs = runFixtureOp(
      c.op,
      c.inputs.map((x) => fixtureTensor(x as FixtureTensor, device)),
      c.args,
    );
    const expected = c.expected as FixtureTensor[];
    expect(outputs.length).toBe(expected.length);
    for (const [i, out] of outputs.entries()) {
      expect(out.dtype).toBe(expected[i].dtype);
      expect(out.shape).toEqual(expected[i].shape);
      expect(Array.from((await out.read()) as ArrayLike<number>)).toEqual(Array.from(fixtureArray(expected[i]) as ArrayLike<number>));
    }
  });
});
