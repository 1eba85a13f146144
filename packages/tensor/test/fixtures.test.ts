import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fixtureOps, tensorOpFixtures } from '../src/testing/index.js';

const packageRoot = new URL('../', import.meta.url);
const GZ = new URL('fixtures/tensor-ops.json.gz', packageRoot);

describe('PyTorch fixtures', () => {
  it('live once, gzipped, in fixtures/, and are what the suite loads', () => {
    expect(readdirSync(new URL('fixtures/', packageRoot))).toEqual(['tensor-ops.json.gz']);
    // No JSON copy beside the sources any more (it used to be shipped twice, in src and dist).
    expect(readdirSync(new URL('src/testing/', packageRoot)).filter((f) => f.endsWith('.json'))).toEqual([]);
    // The loader inflates with DecompressionStream (Node and browsers); zlib must read the same.
    const parsed = JSON.parse(gunzipSync(readFileSync(GZ)).toString('utf8'));
    expect(parsed).toEqual(tensorOpFixtures);
  });

  it('are reproducible: the gzip header holds no file name and no time stamp', () => {
    const header = readFileSync(GZ).subarray(0, 10);
    expect([header[0], header[1], header[2]], 'gzip magic, deflate').toEqual([0x1f, 0x8b, 8]);
    expect(header[3] & 0x08, 'no FNAME (gzip -n)').toBe(0);
    expect([...header.subarray(4, 8)], 'MTIME 0 (gzip -n)').toEqual([0, 0, 0, 0]);
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
