import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CIFAR10, Compose, type Dataset, FashionMNIST, MNIST, Normalize, type ProgressCallback, ToTensor } from '@kindling/data';
import type { Tensor } from '@kindling/tensor';
import { defaultDataDir } from '@kindling/data/node';
import type { DatasetName } from './config.js';
import { UsageError } from './errors.js';

/** A per-channel `Normalize`: `(x - mean[c]) / std[c]` for pixels in [0, 1]. */
export interface Normalization {
  mean: number[];
  std: number[];
}

/**
 * The seeds' `Normalize((0.5,), (0.5,))`, pixels to [-1, 1]; for colour
 * images the blitz's `Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))`.
 */
export function halfNormalization(channels: number): Normalization {
  const half = new Array<number>(channels).fill(0.5);
  return { mean: half, std: [...half] };
}

/**
 * The training images' mean and standard deviation per channel, as the
 * usual constants round them: PyTorch's `examples/mnist` uses MNIST's
 * `(0.1307,), (0.3081,)`.
 */
const DATASET_STATS: Record<'mnist' | 'fashion-mnist' | 'cifar10', Normalization> = {
  mnist: { mean: [0.1307], std: [0.3081] },
  'fashion-mnist': { mean: [0.286], std: [0.353] },
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
};

/** Mean and standard deviation of uint8 grayscale pixels scaled to [0, 1], rounded to 4 digits like the constants above. */
function pixelStats(pixels: Uint8Array): Normalization {
  let sum = 0;
  let squares = 0;
  for (const p of pixels) {
    sum += p;
    squares += p * p;
  }
  const n = Math.max(pixels.length, 1);
  const mean = sum / n / 255;
  const std = Math.sqrt(Math.max(squares / n / 65025 - mean * mean, 0)) || 1;
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  return { mean: [round(mean)], std: [round(std)] };
}

/** `ToTensor()` then `Normalize(mean, std)`. */
function imageTransform(normalize: Normalization): Compose {
  return new Compose([new ToTensor(), new Normalize(normalize.mean, normalize.std)]);
}

/** A split as the trainer uses it: images `data` (`[N, H, W]` or `[N, H, W, C]` bytes) and class names. */
export interface ImageSplit extends Dataset<[Tensor, Tensor]> {
  readonly data: Tensor;
  /** `data.shape` without its first dim; reading it leaves a CPU split's images on the host only. */
  readonly sampleShape?: readonly number[];
  readonly classes: readonly string[];
}

/** One image of a split as `[channels, height, width]`. */
export function imageShape(split: ImageSplit): [number, number, number] {
  const [h, w, c] = split.sampleShape ?? split.data.shape.slice(1);
  return [c ?? 1, h, w];
}

export interface DataOptions {
  dataset: DatasetName;
  dataDir?: string;
  mirror?: string;
  device: string;
  /**
   * `half`: the seeds' and the blitz's 0.5; `dataset`: the training images'
   * own statistics; or the exact values (a checkpoint's, to evaluate it).
   */
  normalize: 'half' | 'dataset' | Normalization;
  onProgress?: ProgressCallback;
}

/** Both splits, and the `Normalize` their transform applies. */
export interface Splits {
  train: ImageSplit;
  test: ImageSplit;
  normalize: Normalization;
}

const IDX_FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

/** Names of the files `readIdxFile` read, for errors. */
const idxFileNames = new WeakMap<Uint8Array, string>();

async function readIdxFile(dir: string, base: string): Promise<Uint8Array> {
  for (const name of [`${base}.gz`, base]) {
    try {
      const bytes = new Uint8Array(await readFile(join(dir, name)));
      idxFileNames.set(bytes, join(dir, name));
      return bytes;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new UsageError(`--dataset idx: ${join(dir, base)}[.gz] not found; --data-dir must hold the four MNIST-named IDX files`);
}

const namesOf = ([images, labels]: Uint8Array[]) => ({ images: idxFileNames.get(images), labels: idxFileNames.get(labels) });

/** A custom dataset: 28×28 uint8 IDX images and labels named like MNIST's files, without official checksums. */
async function loadIdxSplits(options: DataOptions): Promise<Splits> {
  if (!options.dataDir) throw new UsageError('--dataset idx needs --data-dir, the folder holding the IDX files');
  const dir = options.dataDir;
  const read = async ([images, labels]: readonly [string, string]) => [await readIdxFile(dir, images), await readIdxFile(dir, labels)];
  const [trainBytes, testBytes] = [await read(IDX_FILES.train), await read(IDX_FILES.test)];
  let normalize = typeof options.normalize === 'object' ? options.normalize : halfNormalization(1);
  if (options.normalize === 'dataset') {
    const plain = MNIST.fromBytes(trainBytes[0], trainBytes[1], { names: namesOf(trainBytes) });
    normalize = pixelStats(plain.data.readSync() as Uint8Array);
    plain.data.dispose();
    plain.targets.dispose();
  }
  const load = ([images, labels]: Uint8Array[]) =>
    MNIST.fromBytes(images, labels, { transform: imageTransform(normalize), device: options.device, names: namesOf([images, labels]) });
  return { train: load(trainBytes), test: load(testBytes), normalize };
}

/** The train and test splits, downloaded (or copied from the mirror) into the cache on first use. */
export async function loadSplits(options: DataOptions): Promise<Splits> {
  if (options.dataset === 'idx') return loadIdxSplits(options);
  const normalize =
    typeof options.normalize === 'object'
      ? options.normalize
      : options.normalize === 'dataset'
        ? DATASET_STATS[options.dataset]
        : halfNormalization(options.dataset === 'cifar10' ? 3 : 1);
  const common = {
    root: options.dataDir ?? defaultDataDir(),
    download: true,
    mirrors: options.mirror ? [options.mirror] : undefined,
    transform: imageTransform(normalize),
    device: options.device,
    onProgress: options.onProgress,
  };
  const create = (train: boolean): Promise<ImageSplit> => {
    if (options.dataset === 'cifar10') return CIFAR10.create({ ...common, train });
    return (options.dataset === 'fashion-mnist' ? FashionMNIST : MNIST).create({ ...common, train });
  };
  // Both splits at once: one's file I/O and hashing overlap the other's decoding. allSettled, so a
  // failure does not return while the other split is still writing its files.
  const [train, test] = await Promise.allSettled([create(true), create(false)]);
  if (train.status === 'rejected') throw train.reason;
  if (test.status === 'rejected') throw test.reason;
  return { train: train.value, test: test.value, normalize };
}
