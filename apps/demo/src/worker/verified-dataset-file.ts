import { FASHION_MNIST_META, MNIST_META, type MnistMeta, type ResourceFile, verifyFetchedFile } from '@kindling/data';
import type { DatasetId } from '../data-catalog.js';
import { type FileProgress, fetchDatasetFile } from './fetch-dataset-file.js';

const META: Record<DatasetId, MnistMeta> = { mnist: MNIST_META, 'fashion-mnist': FASHION_MNIST_META };

/** What @kindling/data knows of one of a dataset's four files: its name and checksums. */
export function datasetResourceFile(dataset: DatasetId, name: string): ResourceFile {
  const meta = META[dataset];
  const file = [meta.train.images, meta.train.labels, meta.test.images, meta.test.labels].find((f) => f.name === name);
  if (!file) throw new Error(`${name} is not one of ${meta.folder}'s files`);
  return file;
}

/**
 * Fetches one dataset file and checks it against the SHA-256 @kindling/data
 * pins for it, as Node's file store does: a corrupt or substituted file is
 * refused with a message naming it, never trained on.
 */
export async function fetchVerifiedDatasetFile(
  dataset: DatasetId,
  url: string,
  name: string,
  onProgress: FileProgress,
): Promise<Uint8Array> {
  const bytes = await fetchDatasetFile(url, onProgress);
  verifyFetchedFile(datasetResourceFile(dataset, name), bytes, url);
  return bytes;
}
