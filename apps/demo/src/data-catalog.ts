/**
 * The datasets the demo can train on, shared by the page, the worker and the
 * Vite plugin that serves their files. Everything here is plain data so the
 * Node side (vite.config.ts) can import it too.
 */

export type DatasetId = 'mnist' | 'fashion-mnist';

export interface DatasetEntry {
  id: DatasetId;
  /** Shown in the UI. */
  label: string;
  /** Its class in @kindling/data, and in torchvision's datasets. */
  className: 'MNIST' | 'FashionMNIST';
  /** Folders tried under the data root, in order (ours, then torchvision's layout). */
  folders: readonly string[];
}

export const DATASETS: readonly DatasetEntry[] = [
  { id: 'mnist', label: 'MNIST (handwritten digits)', className: 'MNIST', folders: ['mnist', 'MNIST/raw'] },
  { id: 'fashion-mnist', label: 'Fashion-MNIST (clothing)', className: 'FashionMNIST', folders: ['fashion-mnist', 'FashionMNIST/raw'] },
];

/** The four IDX files of a split pair, by the names every MNIST mirror uses. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

/** Where the site serves dataset files and its manifest, relative to the site's base URL. */
export const DATA_PATH = 'data';
export const MANIFEST_FILE = 'manifest.json';

/** `data/manifest.json`: which datasets this build of the site carries, and their file sizes. */
export interface DataManifest {
  datasets: Partial<Record<DatasetId, { files: Record<string, number> }>>;
}

export function datasetEntry(id: DatasetId): DatasetEntry {
  const entry = DATASETS.find((d) => d.id === id);
  if (!entry) throw new Error(`unknown dataset ${id}`);
  return entry;
}

export function isDatasetId(value: string): value is DatasetId {
  return DATASETS.some((d) => d.id === value);
}
