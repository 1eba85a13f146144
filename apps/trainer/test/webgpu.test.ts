import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jsonLines, repoRoot, runCli } from './helpers.js';

const mnist = resolve(repoRoot, '../shared/data/mnist');
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
let dir: string;

/** The first `count` images and labels of a real MNIST split, as an IDX dataset for `--dataset idx`. */
async function writeSubset(out: string, prefix: 'train' | 't10k', count: number): Promise<void> {
  const images = gunzipSync(await readFile(join(mnist, `${prefix}-images-idx3-ubyte.gz`)));
  const labels = gunzipSync(await readFile(join(mnist, `${prefix}-labels-idx1-ubyte.gz`)));
  const imageHeader = Buffer.from(images.subarray(0, 16));
  imageHeader.writeUInt32BE(count, 4);
  const labelHeader = Buffer.from(labels.subarray(0, 8));
  labelHeader.writeUInt32BE(count, 4);
  await writeFile(join(out, `${prefix}-images-idx3-ubyte`), Buffer.concat([imageHeader, images.subarray(16, 16 + count * 784)]));
  await writeFile(join(out, `${prefix}-labels-idx1-ubyte`), Buffer.concat([labelHeader, labels.subarray(8, 8 + count)]));
}

describe.skipIf(!existsSync(mnist) || !existsSync(swiftshader))('kindling-train --backend webgpu (Dawn on SwiftShader)', () => {
  beforeAll(async () => {
    assertBuilt();
    dir = await mkdtemp(join(tmpdir(), 'kindling-webgpu-'));
    await mkdir(join(dir, 'data'));
    await writeSubset(join(dir, 'data'), 'train', 1024);
    await writeSubset(join(dir, 'data'), 't10k', 256);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("the seeds' MLP trains on a MNIST subset with the same loss curve on webgpu as on cpu", async () => {
    const args = ['train', '--dataset', 'idx', '--data-dir', join(dir, 'data'), '--epochs', '3', '--json'];
    const cpu = await runCli([...args, '--backend', 'cpu', '--out', join(dir, 'cpu')]);
    expect(cpu.code, cpu.stderr).toBe(0);
    const gpu = await runCli([...args, '--backend', 'webgpu', '--out', join(dir, 'gpu')], { env: { VK_ICD_FILENAMES: swiftshader } });
    expect(gpu.code, gpu.stderr).toBe(0);
    const [c, g] = [jsonLines(cpu.stdout), jsonLines(gpu.stdout)];
    expect(g).toHaveLength(3);
    for (let e = 0; e < 3; e++) {
      expect(Math.abs(g[e].trainLoss - c[e].trainLoss), `epoch ${e + 1} train loss`).toBeLessThan(1e-4 * c[e].trainLoss);
      expect(Math.abs(g[e].testLoss - c[e].testLoss), `epoch ${e + 1} test loss`).toBeLessThan(1e-4 * c[e].testLoss);
      expect(Math.abs(g[e].testAccuracy - c[e].testAccuracy), `epoch ${e + 1} accuracy`).toBeLessThanOrEqual(2 / 256);
    }
    expect(g[2].trainLoss).toBeLessThan(g[0].trainLoss);
  }, 600_000);

  it('the blitz CNN (convolutions, max-pool) trains to the same losses on webgpu as on cpu', async () => {
    // The backends sum convolutions in different orders (Winograd on the CPU, implicit GEMM on the GPU), hence 1e-3.
    const args = [
      'train',
      '--dataset',
      'idx',
      '--data-dir',
      join(dir, 'data'),
      '--model',
      'lenet',
      '--hidden',
      '32',
      '--epochs',
      '2',
      '--json',
    ];
    const cpu = await runCli([...args, '--backend', 'cpu', '--out', join(dir, 'cnn-cpu')]);
    expect(cpu.code, cpu.stderr).toBe(0);
    const gpu = await runCli([...args, '--backend', 'webgpu', '--out', join(dir, 'cnn-gpu')], { env: { VK_ICD_FILENAMES: swiftshader } });
    expect(gpu.code, gpu.stderr).toBe(0);
    const [c, g] = [jsonLines(cpu.stdout), jsonLines(gpu.stdout)];
    expect(g).toHaveLength(2);
    for (let e = 0; e < 2; e++) {
      expect(Math.abs(g[e].trainLoss - c[e].trainLoss), `epoch ${e + 1} train loss`).toBeLessThan(1e-3 * c[e].trainLoss);
      expect(Math.abs(g[e].testLoss - c[e].testLoss), `epoch ${e + 1} test loss`).toBeLessThan(1e-3 * c[e].testLoss);
    }
    expect(g[1].trainLoss).toBeLessThan(g[0].trainLoss);
  }, 600_000);
});
