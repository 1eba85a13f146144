import { resolveStore } from '../io/default-store.js';
import type { Transform } from '../transforms/transform.js';
import { type ByteImageDatasetOptions, type ByteImages, ByteImageDataset } from './byte-images.js';
import { decodeCifarArchive } from './cifar10-decode.js';
import { CIFAR10_META, type CifarMeta } from './cifar10-meta.js';

/** Options of `CIFAR10.create` (torchvision's arguments, plus where to fetch from). */
export interface CIFAR10Options extends ByteImageDatasetOptions {
  /**
   * Node: the cache folder (the archive lives in `<root>/CIFAR10/raw/`; default
   * `$KINDLING_DATA_DIR` or `~/.cache/kindling`). Browser: a base URL holding
   * `cifar-10-binary.tar.gz`.
   */
  root?: string;
  /** The 50,000-image training split (default) or the 10,000-image test split. */
  train?: boolean;
  /** Applied to images: uint8 HWC `[32, 32, 3]` per sample, `[N, 32, 32, 3]` per batch. */
  transform?: Transform;
  /**
   * Mirrors to use instead of the built-in one (and of `$KINDLING_DATA_MIRROR`):
   * base URLs, or in Node local folders, holding `cifar-10-binary.tar.gz`.
   */
  mirrors?: readonly string[];
}

type CifarClass<D> = { new (arrays: ByteImages, options: CIFAR10Options): D; readonly meta: CifarMeta };

/**
 * CIFAR-10 (`torchvision.datasets.CIFAR10`): 32×32 colour images in 10
 * classes, read from the binary archive `cifar-10-binary.tar.gz` (no pickle).
 * All images are one uint8 tensor `data` `[N, 32, 32, 3]` (HWC, like
 * torchvision's `data` and its PIL images) and all labels one int32 tensor
 * `targets` `[N]`; `ToTensor` turns images into float `[3, 32, 32]`.
 *
 * ```ts
 * const train = await CIFAR10.create({ root, train: true, download: true, transform: new Compose([
 *   new RandomCrop(32, { padding: 4 }), new RandomHorizontalFlip(), new ToTensor(),
 *   new Normalize([0.4914, 0.4822, 0.4465], [0.247, 0.2435, 0.2616]),
 * ]) });
 * ```
 */
export class CIFAR10 extends ByteImageDataset {
  /** Archive, checksums, mirrors, member names and class names. Subclasses override it. */
  static readonly meta: CifarMeta = CIFAR10_META;

  readonly train: boolean;

  /** @internal Use `create` (or `fromBytes`). */
  constructor(arrays: ByteImages, options: CIFAR10Options) {
    super(arrays, [32, 32, 3], (new.target as unknown as CifarClass<CIFAR10>).meta.classes, options);
    this.train = options.train ?? true;
  }

  /**
   * Loads a split, downloading the archive first if asked. In Node, `import
   * '@kindling/data/node'` (or `import 'kindling'`) so the archive is cached on disk; in the browser,
   * `root` (or the mirrors) are URLs. The archive is verified against its
   * checksums every time it is loaded, then inflated (bounded by
   * `meta.maxInflatedSize`) and read in memory; nothing is extracted.
   */
  static async create<D extends CIFAR10>(this: CifarClass<D>, options: CIFAR10Options = {}): Promise<D> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass being created.
    const meta = this.meta;
    const split = (options.train ?? true) ? meta.train : meta.test;
    const store = resolveStore(options.store);
    const arrays = await store.load({
      folder: meta.folder,
      file: meta.archive,
      root: options.root,
      download: options.download ?? false,
      mirrors: meta.mirrors,
      mirrorOverride: options.mirrors,
      decode: (bytes) => decodeCifarArchive(meta, split, bytes, meta.archive.name, true),
      onProgress: options.onProgress,
      signal: options.signal,
    });
    return new this(arrays, options);
  }

  /**
   * Builds a split from the bytes of a CIFAR binary archive (`.tar.gz` or
   * `.tar`) fetched by other means; its checksum and record counts are not
   * checked against the official file's, only its format.
   */
  static fromBytes<D extends CIFAR10>(this: CifarClass<D>, archive: Uint8Array, options: CIFAR10Options = {}): D {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass being created.
    const meta = this.meta;
    const split = (options.train ?? true) ? meta.train : meta.test;
    return new this(decodeCifarArchive(meta, split, archive, 'archive', false), options);
  }
}
