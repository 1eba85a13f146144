import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Compose, FashionMNIST, MNIST, Normalize, type ProgressCallback, ToTensor } from '@kindling/data';
import { defaultDataDir } from '@kindling/data/node';
import type { DatasetName } from './config.js';
import { UsageError } from './errors.js';

/** The seeds' transform: `ToTensor()` then `Normalize((0.5,), (0.5,))`, pixels to [-1, 1]. */
export function seedsTransform(): Compose {
  return new Compose([new ToTensor(), new Normalize([0.5], [0.5])]);
}

export interface DataOptions {
  dataset: DatasetName;
  dataDir?: string;
  mirror?: string;
  device: string;
  onProgress?: ProgressCallback;
}

const IDX_FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

async function readIdxFile(dir: string, base: string): Promise<Uint8Array> {
  for (const name of [`${base}.gz`, base]) {
    try {
      return new Uint8Array(await readFile(join(dir, name)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new UsageError(`--dataset idx: ${join(dir, base)}[.gz] not found; --data-dir must hold the four MNIST-named IDX files`);
}

/** A custom dataset: 28×28 uint8 IDX images and labels named like MNIST's files, without official checksums. */
async function loadIdxSplits(options: DataOptions): Promise<{ train: MNIST; test: MNIST }> {
  if (!options.dataDir) throw new UsageError('--dataset idx needs --data-dir, the folder holding the IDX files');
  const dir = options.dataDir;
  const load = async ([images, labels]: readonly [string, string]) =>
    MNIST.fromBytes(await readIdxFile(dir, images), await readIdxFile(dir, labels), {
      transform: seedsTransform(),
      device: options.device,
    });
  return { train: await load(IDX_FILES.train), test: await load(IDX_FILES.test) };
}

/** The train and test splits, downloaded (or copied from the mirror) into the cache on first use. */
export async function loadSplits(options: DataOptions): Promise<{ train: MNIST; test: MNIST }> {
  if (options.dataset === 'idx') return loadIdxSplits(options);
  const Dataset = options.dataset === 'fashion-mnist' ? FashionMNIST : MNIST;
  const common = {
    root: options.dataDir ?? defaultDataDir(),
    download: true,
    mirrors: options.mirror ? [options.mirror] : undefined,
    transform: seedsTransform(),
    device: options.device,
    onProgress: options.onProgress,
  };
  // Both splits at once: one's file I/O and hashing overlap the other's decoding. allSettled, so a
  // failure does not return while the other split is still writing its files.
  const [train, test] = await Promise.allSettled([Dataset.create({ ...common, train: true }), Dataset.create({ ...common, train: false })]);
  if (train.status === 'rejected') throw train.reason;
  if (test.status === 'rejected') throw test.reason;
  return { train: train.value, test: test.value };
}
