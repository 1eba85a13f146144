import { Compose, FashionMNIST, MNIST, type MapDataset, Normalize, Subset, ToTensor } from '@kindling/data';
import type { Tensor } from '@kindling/tensor';
import { type DatasetId, IDX_FILES, datasetEntry } from '../data-catalog.js';
import type { TrainSettings } from './protocol.js';
import { fetchVerifiedDatasetFile } from './verified-dataset-file.js';

const DATASET_CLASSES = { MNIST, FashionMNIST } as const;

export interface LoadedSplits {
  train: MNIST;
  test: MNIST;
}

/** `total` is null while some file's size is unknown (see fetchDatasetFile). */
export type ByteProgress = (loaded: number, total: number | null) => void;

/** The trainer's preprocessing: [0, 255] → [0, 1] → [-1, 1]. */
function transform(): Compose {
  return new Compose([new ToTensor(), new Normalize([0.5], [0.5])]);
}

/**
 * Fetches a dataset's four `.gz` files from the site once, checks each
 * against the checksums @kindling/data knows, and decodes them into host
 * (CPU) memory. A run on the CPU uses those splits; a run on another device
 * gets only the images it uses (the first `trainSubset` and `testSubset`)
 * copied there: all of MNIST would take 212 MiB of GPU memory. The
 * compressed bytes and the host splits stay cached, so switching backends or
 * subsets does not download or decode again.
 */
export class DatasetCache {
  private readonly bytes = new Map<string, Promise<Uint8Array>>();
  private host: { key: string; value: LoadedSplits } | null = null;
  private onDevice: { key: string; value: LoadedSplits } | null = null;

  async load(settings: TrainSettings, device: string, onProgress: ByteProgress): Promise<LoadedSplits> {
    const host = await this.loadHost(settings, onProgress);
    if (device === 'cpu') {
      // A CPU run after a GPU one: the GPU copy would only hold memory.
      this.releaseDevice();
      return host;
    }
    const trainRows = rowsUsed(host.train, settings.trainSubset);
    const testRows = rowsUsed(host.test, settings.testSubset);
    const key = `${settings.dataUrl}|${device}|${trainRows}|${testRows}`;
    if (this.onDevice?.key === key) return this.onDevice.value;
    this.releaseDevice();
    const Dataset = DATASET_CLASSES[datasetEntry(settings.dataset).className];
    const copy = async (split: MNIST, rows: number, train: boolean) => {
      const [images, labels] = await firstRowsAsIdx(split, rows);
      return Dataset.fromBytes(images, labels, { train, transform: transform(), device });
    };
    const value: LoadedSplits = { train: await copy(host.train, trainRows, true), test: await copy(host.test, testRows, false) };
    this.onDevice = { key, value };
    return value;
  }

  /** Frees the tensors of the cached splits (they can be big on the GPU). */
  release(): void {
    this.releaseDevice();
    if (this.host) disposeSplits(this.host.value);
    this.host = null;
  }

  private releaseDevice(): void {
    if (this.onDevice) disposeSplits(this.onDevice.value);
    this.onDevice = null;
  }

  /** The whole dataset in host memory, downloaded and decoded once per dataset. */
  private async loadHost(settings: TrainSettings, onProgress: ByteProgress): Promise<LoadedSplits> {
    const key = settings.dataUrl;
    if (this.host?.key === key) return this.host.value;
    this.release();
    const names = Object.values(IDX_FILES);
    const progress = new Map<string, { loaded: number; total: number | null }>();
    // Downloads still running after one failed must not report over the error.
    let settled = false;
    const report = () => {
      if (settled) return;
      let loaded = 0;
      let total: number | null = 0;
      for (const p of progress.values()) {
        loaded += p.loaded;
        total = total === null || p.total === null ? null : total + p.total;
      }
      onProgress(loaded, progress.size === names.length ? total : null);
    };
    const downloads = Promise.all(
      names.map((name) => this.fetchOnce(settings.dataset, new URL(name, settings.dataUrl).href, name, progress, report)),
    );
    const [trainImages, trainLabels, testImages, testLabels] = await downloads.finally(() => {
      settled = true;
    });
    const Dataset = DATASET_CLASSES[datasetEntry(settings.dataset).className];
    const value: LoadedSplits = {
      train: Dataset.fromBytes(trainImages, trainLabels, { train: true, transform: transform(), device: 'cpu' }),
      test: Dataset.fromBytes(testImages, testLabels, { train: false, transform: transform(), device: 'cpu' }),
    };
    this.host = { key, value };
    return value;
  }

  private fetchOnce(
    dataset: DatasetId,
    url: string,
    name: string,
    progress: Map<string, { loaded: number; total: number | null }>,
    report: () => void,
  ): Promise<Uint8Array> {
    let pending = this.bytes.get(url);
    if (!pending) {
      pending = fetchVerifiedDatasetFile(dataset, url, name, (loaded, total) => {
        progress.set(name, { loaded, total });
        report();
      });
      // A failed (or refused) download must not stay cached: the next attempt fetches again.
      pending.catch(() => this.bytes.delete(url));
      this.bytes.set(url, pending);
    }
    return pending;
  }
}

/** The first `count` samples (all of them when `count` is 0 or too big). */
export function firstSamples(dataset: MNIST, count: number): MapDataset<[Tensor, Tensor]> {
  if (count <= 0 || count >= dataset.length) return dataset;
  return new Subset(
    dataset,
    Array.from({ length: count }, (_, i) => i),
  );
}

/** How many of a split's first images a run uses: `count`, or all of them when it is 0 or too big (as firstSamples). */
function rowsUsed(dataset: MNIST, count: number): number {
  return count <= 0 || count >= dataset.length ? dataset.length : count;
}

function disposeSplits(splits: LoadedSplits): void {
  for (const split of [splits.train, splits.test]) {
    split.data.dispose();
    split.targets.dispose();
  }
}

/**
 * The first `rows` images and labels of a host split as uncompressed IDX
 * files, which `MNIST.fromBytes` reads like the downloaded ones (its checks
 * included) onto another device.
 */
async function firstRowsAsIdx(split: MNIST, rows: number): Promise<[Uint8Array, Uint8Array]> {
  const [, height, width] = split.data.shape;
  const pixels = (await readFirstRows(split.data, rows)) as Uint8Array;
  const labels = (await readFirstRows(split.targets, rows)) as Int32Array;
  return [idxFile([rows, height, width], pixels), idxFile([rows], Uint8Array.from(labels))];
}

/** The first `rows` rows of `tensor` as a typed array; the narrowed copy made for reading is freed again. */
export async function readFirstRows(tensor: Tensor, rows: number): Promise<Awaited<ReturnType<Tensor['read']>>> {
  const view = tensor.narrow(0, 0, rows);
  const packed = view.contiguous();
  try {
    return await packed.read();
  } finally {
    packed.dispose();
    view.dispose();
  }
}

/** A uint8 IDX file: magic 0x0000 0x08 ndim, the dims as big-endian uint32, then the bytes. */
function idxFile(dims: readonly number[], data: Uint8Array): Uint8Array {
  const header = 4 + 4 * dims.length;
  const file = new Uint8Array(header + data.length);
  const view = new DataView(file.buffer);
  file[2] = 0x08;
  file[3] = dims.length;
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d, false);
  file.set(data, header);
  return file;
}
