import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertBuilt, jsonLines, repoRoot, runCli } from './helpers.js';

// The real files live beside the repository (never copied into it): <repo>/../shared/data.
const mirror = resolve(repoRoot, '../shared/data/mnist');

describe.skipIf(!existsSync(mirror))(`kindling-train on the real MNIST from ${mirror}`, () => {
  it('one epoch of the seeds’ MLP (SGD with momentum) reaches ≥ 85% test accuracy', async () => {
    assertBuilt();
    const dir = await mkdtemp(join(tmpdir(), 'kindling-real-mnist-'));
    try {
      const r = await runCli([
        'train',
        '--mirror',
        mirror,
        '--data-dir',
        join(dir, 'data'),
        '--out',
        join(dir, 'run'),
        '--epochs',
        '1',
        '--momentum',
        '0.9',
        '--lr',
        '0.01',
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const [epoch] = jsonLines(r.stdout);
      expect(epoch.epoch).toBe(1);
      expect(epoch.testAccuracy).toBeGreaterThanOrEqual(0.85);
      expect(existsSync(join(dir, 'run', 'best.safetensors'))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
