import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixtureOps, tensorOpFixtures } from '../src/testing/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('PyTorch fixtures', () => {
  it('the shipped copy equals the generator output in tools/fixtures/data', () => {
    const shipped = readFileSync(`${root}packages/tensor/src/testing/fixtures.json`, 'utf8');
    const generated = readFileSync(`${root}tools/fixtures/data/tensor-ops.json`, 'utf8');
    expect(shipped === generated, 'regenerate with /usr/bin/python3 tools/fixtures/generate_tensor_ops.py').toBe(true);
  });

  it('every fixture op has a runner and ids are unique', () => {
    const ops = new Set(tensorOpFixtures.cases.map((c) => c.op));
    expect([...ops].filter((op) => !fixtureOps.includes(op))).toEqual([]);
    const ids = tensorOpFixtures.cases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('covers every dtype, views, empty tensors and scalars', () => {
    const inputs = tensorOpFixtures.cases.flatMap((c) => c.inputs).filter((i) => 'dtype' in i);
    const dtypes = new Set(inputs.map((i) => ('dtype' in i ? i.dtype : '')));
    expect([...dtypes].sort()).toEqual(['bool', 'float16', 'float32', 'float64', 'int32', 'uint8']);
    expect(inputs.some((i) => 'view' in i && i.view !== undefined)).toBe(true);
    expect(inputs.some((i) => 'shape' in i && i.shape.includes(0))).toBe(true);
    expect(inputs.some((i) => 'shape' in i && i.shape.length === 0)).toBe(true);
  });
});
