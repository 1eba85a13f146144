import type { Checksums } from './checksum.js';
import type { PlatformAbortSignal } from './abort-signal.js';

/** One file of a dataset, as its publisher names it, with the checksums it is verified against. */
export interface ResourceFile extends Checksums {
  /** File name on the mirrors and in the cache, e.g. `train-images-idx3-ubyte.gz`. */
  readonly name: string;
  /**
   * The file's size in bytes, when known: a download stops as soon as it
   * passes this (an endless or wrong body), instead of the generic `maxBytes`.
   */
  readonly size?: number;
  /**
   * Checksums of a `.gz` file's inflated bytes: what a browser's `fetch`
   * hands over when the server sends the file with `Content-Encoding: gzip`
   * (see `verifyFetchedFile`).
   */
  readonly inflated?: Checksums;
}

/** Progress of one file's download; `total` is undefined when the server does not say. */
export interface DownloadProgress {
  readonly file: string;
  readonly loaded: number;
  readonly total: number | undefined;
  /** The mirror being read. */
  readonly source: string;
}

/** Called as bytes arrive (a CLI turns this into a progress bar). */
export type ProgressCallback = (progress: DownloadProgress) => void;

/** What a dataset asks of a store: one verified, decoded file. */
export interface LoadRequest<T> {
  /** The dataset's folder in the cache (`MNIST`, `FashionMNIST`...). */
  readonly folder: string;
  readonly file: ResourceFile;
  /**
   * Where the dataset lives: a cache folder in Node (files go to
   * `<root>/<folder>/raw/<name>`), a base URL in the browser. Undefined means
   * the store's default.
   */
  readonly root: string | undefined;
  /** Fetch missing files from the mirrors. */
  readonly download: boolean;
  /** The dataset's own mirrors (base URLs), tried in order. */
  readonly mirrors: readonly string[];
  /** Mirrors the user asked for; they replace `mirrors` (and the environment's override). */
  readonly mirrorOverride: readonly string[] | undefined;
  /** Turns the verified bytes into the value; throws a `DatasetError` if the content is bad. */
  readonly decode: (bytes: Uint8Array) => T;
  /**
   * For a `.gz` file whose inflated size the dataset bounds (MNIST's: its
   * split's IDX size), that bound. A store may inflate a verified file ahead
   * within it (Node's, on the thread pool, so files inflate in parallel);
   * `decode` still checks everything.
   */
  readonly inflatedBound?: number;
  readonly onProgress: ProgressCallback | undefined;
  readonly signal: PlatformAbortSignal | undefined;
}

/**
 * Finds, fetches, verifies and caches dataset files. Node's store
 * (`@kindling/data/node`) keeps a cache folder on disk; the browser's default
 * fetches from URLs. A store only hands over bytes that passed their
 * checksum and `decode`, and never leaves a corrupt file in its cache.
 */
export interface DatasetStore {
  load<T>(request: LoadRequest<T>): Promise<T>;
}

let defaultStore: DatasetStore | null = null;

/**
 * Makes `store` the one datasets use when their options name none.
 * `import '@kindling/data/node'` installs the file-system store this way.
 */
export function setDefaultStore(store: DatasetStore): void {
  defaultStore = store;
}

/** The store datasets use when their options name none (null until one is set; datasets then fetch from URLs). */
export function getDefaultStore(): DatasetStore | null {
  return defaultStore;
}

/** `base` joined with `name` by exactly one slash. */
export function joinUrl(base: string, name: string): string {
  return base.endsWith('/') ? base + name : `${base}/${name}`;
}
