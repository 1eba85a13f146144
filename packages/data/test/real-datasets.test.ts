import './setup.js';
import '../src/node/index.js';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataLoader, FashionMNIST, MNIST, type MnistMeta, ToTensor } from '../src/index.js';

// The real files live beside the repository (never copied into it): <repo>/../shared/data.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = resolve(repoRoot, '../shared/data');

const cases = [
  {
    cls: MNIST,
    dir: join(shared, 'mnist'),
    mean: 0.1307,
    std: 0.3081,
    trainHistogram: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    testHistogram: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
  },
  {
    cls: FashionMNIST,
    dir: join(shared, 'fashion-mnist'),
    mean: 0.286,
    std: 0.353,
    trainHistogram: Array(10).fill(6000),
    testHistogram: Array(10).fill(1000),
  },
];

function histogram(labels: ArrayLike<number>): number[] {
  const h = Array(10).fill(0);
  for (let i = 0; i < labels.length; i++) h[labels[i]]++;
  return h;
}

describe.skipIf(!existsSync(shared))(`real MNIST and Fashion-MNIST from ${shared}`, () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'kindling-real-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  for (const c of cases) {
    const meta: MnistMeta = c.cls.meta;

    it(`${meta.folder}: pinned checksums match SHA256SUMS and torchvision's MD5s`, async () => {
      const sums = new Map(
        (await readFile(join(c.dir, 'SHA256SUMS'), 'utf8'))
          .trim()
          .split('\n')
          .map((line) => line.trim().split(/\s+\*?/))
          .map(([hash, name]) => [name, hash]),
      );
      for (const split of [meta.train, meta.test]) {
        for (const file of [split.images, split.labels]) expect(file.sha256).toBe(sums.get(file.name));
      }
    });

    it(`${meta.folder}: loads all 70,000 images with the right counts, labels and pixel statistics`, async () => {
      // The shared folder is the mirror: the files are verified and copied into a fresh cache.
      const options = { root, download: true, mirrors: [c.dir], transform: new ToTensor() };
      const trainset = await c.cls.create({ ...options, train: true });
      const testset = await c.cls.create({ ...options, train: false });
      expect(trainset.length).toBe(60000);
      expect(testset.length).toBe(10000);
      expect(trainset.data.shape).toEqual([60000, 28, 28]);
      expect(histogram(trainset.targets.readSync())).toEqual(c.trainHistogram);
      expect(histogram(testset.targets.readSync())).toEqual(c.testHistogram);

      let sum = 0;
      let sumSq = 0;
      let count = 0;
      for await (const [images] of new DataLoader(trainset, { batchSize: 10000 })) {
        expect(images.shape.slice(1)).toEqual([1, 28, 28]);
        const px = images.readSync();
        for (let i = 0; i < px.length; i++) {
          sum += px[i];
          sumSq += px[i] * px[i];
        }
        count += px.length;
        images.dispose();
      }
      expect(count).toBe(60000 * 784);
      const mean = sum / count;
      const std = Math.sqrt(sumSq / count - mean * mean);
      expect(mean).toBeCloseTo(c.mean, 4);
      expect(std).toBeCloseTo(c.std, 3);
    });
  }
});
