import { DatasetError } from '../errors.js';
import { gunzip, isGzip } from '../io/gzip.js';
import { gunzipHead } from '../io/gzip-head.js';
import { parseIdx } from '../io/idx.js';
import { resolveStore } from '../io/default-store.js';
import type { ResourceFile } from '../io/store.js';
import type { Transform } from '../transforms/transform.js';
import { type ByteImageDatasetOptions, type ByteImages, ByteImageDataset } from './byte-images.js';
import { FASHION_MNIST_META, KMNIST_META, MNIST_META, type MnistMeta } from './mnist-meta.js';

/** Options of `MNIST.create` and its relatives (torchvision's arguments, plus where to fetch from). */
export interface MNISTOptions extends ByteImageDatasetOptions {
  /**
   * Node: the cache folder (files live in `<root>/<Dataset>/raw/`; default
   * `$KINDLING_DATA_DIR` or `~/.cache/kindling`). Browser: a base URL holding the `.gz` files.
   */
  root?: string;
  /** The 60,000-image training split (default) or the 10,000-image test split. */
  train?: boolean;
  /** Applied to images: uint8 `[28, 28]` per sample, `[N, 28, 28]` per batch. */
  transform?: Transform;
  /**
   * Mirrors to use instead of the built-in ones (and of `$KINDLING_DATA_MIRROR`):
   * base URLs, or in Node local folders, holding the four `.gz` files.
   */
  mirrors?: readonly string[];
}

type MnistClass<D> = { new (arrays: ByteImages, options: MNISTOptions): D; readonly meta: MnistMeta };

/**
 * Gunzips (if needed) and parses an IDX file, checking its shape; errors name
 * the file. When the whole shape is known, inflating stops at the exact size
 * of that uint8 IDX file (a 4-byte magic, 4 bytes per dim, then the data), so
 * a compression bomb is refused after `size` bytes rather than inflated.
 */
function decodeIdx(name: string, bytes: Uint8Array, shape: readonly (number | null)[], dataset?: string): Uint8Array {
  if (!(isGzip(bytes) || name.endsWith('.gz'))) return parseIdx(bytes, name, { type: 'uint8', shape }).data as Uint8Array;
  let dims = shape;
  let says = `${dataset}'s metadata describes: the file is larger than the dataset says`;
  if (!shape.every((d) => d !== null)) {
    // No dataset metadata to go by: the file's own IDX header gives its size.
    dims = headerShape(name, gunzipHead(bytes, 4 + 4 * shape.length), shape);
    says = 'its IDX header describes: the file is larger than its header says';
  }
  const size = idxFileSize(dims as number[]);
  const raw = gunzip(bytes, name, { maxSize: size, maxSizeReason: `the size of the [${dims.join(', ')}] uint8 IDX file ${says}` });
  return parseIdx(raw, name, { type: 'uint8', shape }).data as Uint8Array;
}

/** Bytes of a uint8 IDX file of `shape`: a 4-byte magic, 4 bytes per dim, then the data. */
function idxFileSize(shape: readonly number[]): number {
  return 4 + 4 * shape.length + shape.reduce((n, d) => n * d, 1);
}

/** The shape a uint8 IDX header of `expected.length` dims gives, checked against `expected` (nulls are free). */
function headerShape(name: string, head: Uint8Array, expected: readonly (number | null)[]): number[] {
  const ndim = expected.length;
  if (head.length < 4 + 4 * ndim || head[0] !== 0 || head[1] !== 0 || head[2] !== 0x08 || head[3] !== ndim) {
    const magic = [...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('');
    throw new DatasetError(
      `parseIdx: ${name} has bad IDX magic 0x${magic || '(empty)'} (expected 0x000008${ndim.toString(16).padStart(2, '0')}: uint8, ${ndim} dims)`,
    );
  }
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const shape = expected.map((_, i) => dv.getUint32(4 + 4 * i, false));
  if (shape.some((d, i) => expected[i] !== null && d !== expected[i])) {
    throw new DatasetError(`parseIdx: ${name} has shape [${shape.join(',')}], expected [${expected.map((d) => d ?? '*').join(',')}]`);
  }
  return shape;
}

/**
 * MNIST handwritten digits (`torchvision.datasets.MNIST`): 28×28 grayscale
 * images and their digit labels. All images are one uint8 tensor `data`
 * `[N, 28, 28]` and all labels one int32 tensor `targets` `[N]`; a batch is
 * one gather from each, then the transform on the whole batch.
 *
 * ```ts
 * const train = await MNIST.create({ root, train: true, download: true, transform: new ToTensor() });
 * ```
 */
export class MNIST extends ByteImageDataset {
  /** Files, checksums, mirrors and class names. Subclasses override it. */
  static readonly meta: MnistMeta = MNIST_META;

  readonly train: boolean;

  /** @internal Use `create` (or `fromBytes`). */
  constructor(arrays: ByteImages, options: MNISTOptions) {
    const meta = (new.target as unknown as MnistClass<MNIST>).meta;
    super(arrays, [meta.rows, meta.cols], meta.classes, options);
    this.train = options.train ?? true;
  }

  /**
   * Loads a split, downloading it first if asked. In Node, `import
   * '@kindling/data/node'` (or `import 'kindling'`) so files are read from
   * folders and cached on disk; in the browser, `root` (or the mirrors) are URLs.
   */
  static async create<D extends MNIST>(this: MnistClass<D>, options: MNISTOptions = {}): Promise<D> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass being created (FashionMNIST...).
    const meta = this.meta;
    const split = (options.train ?? true) ? meta.train : meta.test;
    const store = resolveStore(options.store);
    const load = (file: ResourceFile, shape: readonly number[], check?: (data: Uint8Array) => void) =>
      store.load({
        folder: meta.folder,
        file,
        root: options.root,
        download: options.download ?? false,
        mirrors: meta.mirrors,
        mirrorOverride: options.mirrors,
        decode: (bytes) => {
          const data = decodeIdx(file.name, bytes, shape, meta.folder);
          check?.(data);
          return data;
        },
        inflatedBound: idxFileSize(shape),
        onProgress: options.onProgress,
        signal: options.signal,
      });
    // allSettled: a failure must not return while the other file is still being written.
    const [images, labels] = await Promise.allSettled([
      load(split.images, [split.count, meta.rows, meta.cols]),
      load(split.labels, [split.count], (labels) => checkLabels(meta, split.labels.name, labels)),
    ]);
    if (images.status === 'rejected') throw images.reason;
    if (labels.status === 'rejected') throw labels.reason;
    return new this({ images: images.value, labels: labels.value, count: split.count }, options);
  }

  /**
   * Builds the dataset from the bytes of an image file and a label file
   * (gzipped or not) fetched by other means; counts are checked against
   * each other, not against the official split sizes. `options.names`
   * names the files in errors (default `images` and `labels`).
   */
  static fromBytes<D extends MNIST>(
    this: MnistClass<D>,
    images: Uint8Array,
    labels: Uint8Array,
    options: MNISTOptions & { names?: { images?: string; labels?: string } } = {},
  ): D {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass being created (FashionMNIST...).
    const meta = this.meta;
    const labelsName = options.names?.labels ?? 'labels';
    const labelData = decodeIdx(labelsName, labels, [null]);
    const count = labelData.length;
    const imageData = decodeIdx(options.names?.images ?? 'images', images, [null, meta.rows, meta.cols]);
    if (imageData.length !== count * meta.rows * meta.cols) {
      throw new DatasetError(`${meta.folder}.fromBytes: ${imageData.length / (meta.rows * meta.cols)} images but ${count} labels`);
    }
    checkLabels(meta, labelsName, labelData);
    return new this({ images: imageData, labels: labelData, count }, options);
  }
}

function checkLabels(meta: MnistMeta, name: string, labels: Uint8Array): void {
  const classes = meta.classes.length;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classes) {
      throw new DatasetError(`${meta.folder}: ${name} has label ${labels[i]} at position ${i}, expected 0..${classes - 1}`);
    }
  }
}

/** Fashion-MNIST (`torchvision.datasets.FashionMNIST`): Zalando's 28×28 clothing images in 10 classes. */
export class FashionMNIST extends MNIST {
  static override readonly meta: MnistMeta = FASHION_MNIST_META;
}

/** Kuzushiji-MNIST (`torchvision.datasets.KMNIST`): 28×28 cursive Japanese characters in 10 classes. */
export class KMNIST extends MNIST {
  static override readonly meta: MnistMeta = KMNIST_META;
}
