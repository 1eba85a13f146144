import { type Tensor, tensor } from '@kindling/tensor';
import { getBackend } from '@kindling/tensor/backend';
import { Dataset } from '../dataset.js';
import { checkIndex, checkIndices } from '../indices.js';
import type { PlatformAbortSignal } from '../io/abort-signal.js';
import type { DatasetStore, ProgressCallback } from '../io/store.js';
import type { Transform } from '../transforms/transform.js';

/** What `ByteImageDataset` is built from: decoded images and labels of one split. */
export interface ByteImages {
  /** `count` images of `sampleShape` bytes each, back to back. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

/** The transforms and device every byte-image dataset takes. */
export interface ByteImageOptions {
  transform?: Transform;
  /** Applied to labels: int32 `[]` per sample, `[N]` per batch. */
  targetTransform?: Transform;
  /** Device the tensors live on (default: the default device). */
  device?: string;
}

/**
 * The options the downloadable byte-image datasets share (torchvision's
 * arguments, plus where to fetch from). Each dataset's own options redeclare
 * the fields whose meaning depends on its files (`root`, `train`, `transform`,
 * `mirrors`) to document their sizes and file names.
 */
export interface ByteImageDatasetOptions extends ByteImageOptions {
  /** The cache folder (Node) or base URL (browser) holding the dataset's files. */
  root?: string;
  /** The training split (default) or the test split. */
  train?: boolean;
  /** Fetch missing or corrupt files from the mirrors (default false). */
  download?: boolean;
  /** Base URLs (or, in Node, local folders) to fetch from instead of the built-in mirrors. */
  mirrors?: readonly string[];
  /** Called as bytes arrive while downloading. */
  onProgress?: ProgressCallback;
  /** Cancels a download. */
  signal?: PlatformAbortSignal;
  /** Where the files come from (default: the store `@kindling/data/node` installs, else URLs). */
  store?: DatasetStore;
}

/**
 * A labelled image dataset held as one uint8 tensor `data` `[N, ...sampleShape]`
 * and one int32 tensor `targets` `[N]` (MNIST and its relatives, CIFAR10). A batch is one gather from
 * each, then the transform on the whole batch; on devices whose memory the
 * host can read (CPU) the transform may build the batch straight from the
 * bytes (`Transform.applyBatchToHostRows`).
 */
export abstract class ByteImageDataset extends Dataset<[Tensor, Tensor]> {
  /** All images, uint8 `[N, ...sampleShape]`. */
  readonly data: Tensor;
  /** All labels, int32 `[N]`. */
  readonly targets: Tensor;
  /** Class names, indexed by label. */
  readonly classes: readonly string[];
  readonly transform: Transform | undefined;
  readonly targetTransform: Transform | undefined;
  /**
   * The decoded bytes, kept when the device is host memory (CPU): a batch is
   * then gathered with one row copy per sample, which beats a generic
   * element-wise gather kernel by far. Other devices use `indexSelect`.
   */
  private readonly host: { images: Uint8Array; labels: Int32Array; rowSize: number } | null;

  protected constructor(arrays: ByteImages, sampleShape: readonly number[], classes: readonly string[], options: ByteImageOptions) {
    super();
    this.classes = classes;
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
    const device = options.device;
    const labels = Int32Array.from(arrays.labels);
    this.data = tensor(arrays.images, { shape: [arrays.count, ...sampleShape], dtype: 'uint8', device });
    this.targets = tensor(labels, { device });
    const rowSize = sampleShape.reduce((a, b) => a * b, 1);
    this.host = getBackend(this.data.device).readSync ? { images: arrays.images, labels, rowSize } : null;
  }

  get length(): number {
    return this.targets.shape[0];
  }

  /** Label name → label (`class_to_idx`). */
  get classToIdx(): Record<string, number> {
    return Object.fromEntries(this.classes.map((c, i) => [c, i]));
  }

  getItem(index: number): [Tensor, Tensor] {
    checkIndex(`${this.constructor.name}.getItem`, index, this.length);
    const image = this.data.select(0, index);
    const target = this.targets.select(0, index);
    return [this.transform ? this.transform.apply(image) : image, this.targetTransform ? this.targetTransform.apply(target) : target];
  }

  getBatch(indices: Int32Array): [Tensor, Tensor] {
    checkIndices(`${this.constructor.name}.getBatch`, indices, this.length);
    const device = this.data.device;
    const fast =
      this.host &&
      this.transform?.applyBatchToHostRows?.({ data: this.host.images, sampleShape: this.data.shape.slice(1) }, indices, device);
    if (fast) {
      const labels = tensor(pickLabels(this.host.labels, indices), { device });
      return [fast, this.targetTransform ? this.targetTransform.applyBatch(labels) : labels];
    }
    const [images, targets] = this.host ? this.gatherOnHost(indices, this.host) : this.gatherOnDevice(indices);
    return [
      this.transform ? this.transform.applyBatch(images) : images,
      this.targetTransform ? this.targetTransform.applyBatch(targets) : targets,
    ];
  }

  private gatherOnDevice(indices: Int32Array): [Tensor, Tensor] {
    const index = tensor(indices, { device: this.data.device });
    const images = this.data.indexSelect(0, index);
    const targets = this.targets.indexSelect(0, index);
    index.dispose();
    return [images, targets];
  }

  private gatherOnHost(indices: Int32Array, host: { images: Uint8Array; labels: Int32Array; rowSize: number }): [Tensor, Tensor] {
    const { rowSize } = host;
    const images = new Uint8Array(indices.length * rowSize);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      images.set(host.images.subarray(i * rowSize, (i + 1) * rowSize), k * rowSize);
    }
    const device = this.data.device;
    return [
      tensor(images, { shape: [indices.length, ...this.data.shape.slice(1)], device }),
      tensor(pickLabels(host.labels, indices), { device }),
    ];
  }
}

/** `labels[indices[k]]` for every k. */
function pickLabels(labels: Int32Array, indices: Int32Array): Int32Array {
  const picked = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) picked[k] = labels[indices[k]];
  return picked;
}
