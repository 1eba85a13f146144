import { type Tensor, keep, tensor } from '@kindling/tensor';
import { getBackend } from '@kindling/tensor/backend';
import { Dataset } from '../dataset.js';
import { gatherRows } from '../gather-rows.js';
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
 * bytes (`Transform.applyBatchToHostRows`), and `data` is only uploaded when
 * something reads it, so the images are not held twice (MNIST's are 52 MiB).
 */
export abstract class ByteImageDataset extends Dataset<[Tensor, Tensor]> {
  /** All images, uint8 `[N, ...sampleShape]` (on the CPU, uploaded from the host bytes on first use). */
  get data(): Tensor {
    if (this.images === null) {
      const host = this.host as HostSplit; // `images` starts null only when the host bytes are kept
      // keep: read first inside a `tidy`, the dataset's tensor must outlive that scope.
      this.images = keep(tensor(host.images, { shape: [this.length, ...this.sampleShape], dtype: 'uint8', device: this.device }));
    }
    return this.images;
  }
  /** All labels, int32 `[N]`. */
  readonly targets: Tensor;
  /** One image's shape, `data.shape` without its first dim (read without uploading `data`). */
  readonly sampleShape: readonly number[];
  /** Class names, indexed by label. */
  readonly classes: readonly string[];
  readonly transform: Transform | undefined;
  readonly targetTransform: Transform | undefined;
  /**
   * The decoded bytes, kept when the device is host memory (CPU): a batch is
   * then gathered with one row copy per sample, which beats a generic
   * element-wise gather kernel by far. Other devices use `indexSelect`.
   */
  private readonly host: HostSplit | null;
  private images: Tensor | null;
  private readonly device: string;

  protected constructor(arrays: ByteImages, sampleShape: readonly number[], classes: readonly string[], options: ByteImageOptions) {
    super();
    this.classes = classes;
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
    const labels = Int32Array.from(arrays.labels);
    this.targets = tensor(labels, { device: options.device });
    this.device = this.targets.device;
    this.sampleShape = [...sampleShape];
    const rowSize = sampleShape.reduce((a, b) => a * b, 1);
    this.host = getBackend(this.device).readSync ? { images: arrays.images, labels, rowSize } : null;
    this.images = this.host ? null : tensor(arrays.images, { shape: [arrays.count, ...sampleShape], dtype: 'uint8', device: this.device });
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
    // From the host bytes when kept (a copy of one row), so reading a sample never uploads the whole split.
    const host = this.host;
    const image = host
      ? tensor(host.images.subarray(index * host.rowSize, (index + 1) * host.rowSize), {
          shape: this.sampleShape,
          dtype: 'uint8',
          device: this.device,
        })
      : this.data.select(0, index);
    const target = this.targets.select(0, index);
    return [this.transform ? this.transform.apply(image) : image, this.targetTransform ? this.targetTransform.apply(target) : target];
  }

  getBatch(indices: Int32Array): [Tensor, Tensor] {
    checkIndices(`${this.constructor.name}.getBatch`, indices, this.length);
    const device = this.device;
    const fast =
      this.host && this.transform?.applyBatchToHostRows?.({ data: this.host.images, sampleShape: this.sampleShape }, indices, device);
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

  private gatherOnHost(indices: Int32Array, host: HostSplit): [Tensor, Tensor] {
    const { rowSize } = host;
    const images = new Uint8Array(indices.length * rowSize);
    gatherRows(host.images, rowSize, indices, images);
    const device = this.device;
    return [tensor(images, { shape: [indices.length, ...this.sampleShape], device }), tensor(pickLabels(host.labels, indices), { device })];
  }
}

/** A split's decoded bytes kept in host memory, and one image's size in bytes. */
interface HostSplit {
  readonly images: Uint8Array;
  readonly labels: Int32Array;
  readonly rowSize: number;
}

/** `labels[indices[k]]` for every k. */
function pickLabels(labels: Int32Array, indices: Int32Array): Int32Array {
  const picked = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) picked[k] = labels[indices[k]];
  return picked;
}
