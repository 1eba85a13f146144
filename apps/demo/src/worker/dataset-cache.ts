import { Compose, FashionMNIST, MNIST, type MapDataset, Normalize, Subset, ToTensor } from '@kindling/data';
import type { Tensor } from '@kindling/tensor';
import { type DatasetId, IDX_FILES } from '../data-catalog.js';
import type { TrainSettings } from './protocol.js';
import { fetchVerifiedDatasetFile } from './verified-dataset-file.js';

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
 * against the checksums @kindling/data knows, then builds the
 * splits on whichever device training uses. The compressed bytes stay cached
 * so switching backends does not download again.
 */
export class DatasetCache {
  private readonly bytes = new Map<string, Promise<Uint8Array>>();
  private splits: { key: string; value: LoadedSplits } | null = null;

  async load(settings: TrainSettings, device: string, onProgress: ByteProgress): Promise<LoadedSplits> {
    const key = `${settings.dataUrl}|${device}`;
    if (this.splits?.key === key) return this.splits.value;
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
    const Dataset = settings.dataset === 'fashion-mnist' ? FashionMNIST : MNIST;
    const value: LoadedSplits = {
      train: Dataset.fromBytes(trainImages, trainLabels, { train: true, transform: transform(), device }),
      test: Dataset.fromBytes(testImages, testLabels, { train: false, transform: transform(), device }),
    };
    this.splits = { key, value };
    return value;
  }

  /** Frees the tensors of the cached splits (they can be big on the GPU). */
  release(): void {
    if (!this.splits) return;
    for (const split of [this.splits.value.train, this.splits.value.test]) {
      split.data.dispose();
      split.targets.dispose();
    }
    this.splits = null;
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
