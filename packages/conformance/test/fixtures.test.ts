import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fixtureOps, tensorOpFixtures, windowOpFixtures } from '../src/index.js';

const packageRoot = new URL('../', import.meta.url);
const GZ = new URL('fixtures/tensor-ops.json.gz', packageRoot);
const WINDOW_GZ = new URL('fixtures/window-ops.json.gz', packageRoot);

describe('PyTorch fixtures', () => {
  it('live once, gzipped, in fixtures/, and are what the suite loads', () => {
    expect(readdirSync(new URL('fixtures/', packageRoot)).sort()).toEqual(['tensor-ops.json.gz', 'window-ops.json.gz']);
    // No JSON copy beside the sources any more (it used to be shipped twice, in src and dist).
    expect(readdirSync(new URL('src/', packageRoot)).filter((f) => f.endsWith('.json'))).toEqual([]);
    // The loader inflates with DecompressionStream (Node and browsers); zlib must read the same.
    const parsed = JSON.parse(gunzipSync(readFileSync(GZ)).toString('utf8'));
    expect(parsed).toEqual(tensorOpFixtures);
    expect(JSON.parse(gunzipSync(readFileSync(WINDOW_GZ)).toString('utf8'))).toEqual(windowOpFixtures);
  });

  it('are reproducible: the gzip header holds no file name and no time stamp', () => {
    for (const file of [GZ, WINDOW_GZ]) {
      const header = readFileSync(file).subarray(0, 10);
      expect([header[0], header[1], header[2]], 'gzip magic, deflate').toEqual([0x1f, 0x8b, 8]);
      expect(header[3] & 0x08, 'no FNAME (gzip -n)').toBe(0);
      expect([...header.subarray(4, 8)], 'MTIME 0 (gzip -n)').toEqual([0, 0, 0, 0]);
    }
  });

  it('every fixture op has a runner and ids are unique', () => {
    for (const fixtures of [tensorOpFixtures, windowOpFixtures]) {
      const ops = new Set(fixtures.cases.map((c) => c.op));
      expect([...ops].filter((op) => !fixtureOps.includes(op))).toEqual([]);
      const ids = fixtures.cases.map((c) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('cover every sliding-window op forward and backward, with views, float16, float64 and expected errors', () => {
    const cases = windowOpFixtures.cases;
    const ops = ['conv1d', 'conv2d', 'convTranspose2d', 'unfold', 'fold', 'maxPool2d', 'maxPool2dWithIndices', 'avgPool2d'];
    ops.push('adaptiveAvgPool2d', 'batchNorm', 'pad', 'interpolate');
    expect([...new Set(cases.map((c) => c.op))].sort()).toEqual(ops.sort());
    for (const op of ops.filter((o) => o !== 'maxPool2dWithIndices')) {
      expect(
        cases.some((c) => c.op === op && c.grad),
        `${op} backward`,
      ).toBe(true);
      expect(
        cases.some((c) => c.op === op && c.inputs.some((i) => 'view' in i)),
        `${op} on a view`,
      ).toBe(true);
      expect(
        cases.some((c) => c.op === op && c.inputs.some((i) => 'dtype' in i && i.dtype === 'float16')),
        `${op} float16`,
      ).toBe(true);
    }
    expect(cases.filter((c) => !Array.isArray(c.expected)).length).toBeGreaterThan(5);
    expect(cases.some((c) => c.updated?.some((u) => u !== null))).toBe(true);
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
