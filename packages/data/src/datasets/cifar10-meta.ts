import type { ResourceFile } from '../io/store.js';

/** One split of a CIFAR-like dataset: its batch files inside the archive and the record count they hold together. */
export interface CifarSplit {
  /** Member names inside `CifarMeta.directory`, read in this order. */
  readonly members: readonly string[];
  readonly count: number;
}

/** Everything that tells one CIFAR-like binary dataset from another. */
export interface CifarMeta {
  /** Folder in the cache (`<root>/<folder>/raw`). */
  readonly folder: string;
  /** Base URLs tried in order. */
  readonly mirrors: readonly string[];
  /** The `.tar.gz` holding both splits. */
  readonly archive: ResourceFile;
  /**
   * Most bytes the archive may inflate to: decoding stops there, so a
   * compression bomb (or a file that is not the one expected) is refused
   * before it fills memory.
   */
  readonly maxInflatedSize: number;
  /** Folder of the batch files inside the archive. */
  readonly directory: string;
  readonly train: CifarSplit;
  readonly test: CifarSplit;
  readonly classes: readonly string[];
}

/** Bytes of one CIFAR-10 record: a label byte, then 1024 red, 1024 green and 1024 blue bytes (32×32, row-major). */
export const CIFAR_RECORD_BYTES = 1 + 3 * 32 * 32;

/**
 * CIFAR-10 (Krizhevsky, 2009), the binary version, from its authors' page
 * https://www.cs.toronto.edu/~kriz/cifar.html. The MD5 is the one published
 * there for `cifar-10-binary.tar.gz` (162 MB, 170,052,171 bytes); the SHA-256
 * is the one TensorFlow Datasets pins for the same URL (its url_checksums
 * registry) and that other projects record for that MD5-verified file.
 */
export const CIFAR10_META: CifarMeta = {
  folder: 'CIFAR10',
  mirrors: ['https://www.cs.toronto.edu/~kriz/'],
  archive: {
    name: 'cifar-10-binary.tar.gz',
    md5: 'c32a1d4ab5d03f1284b67883e8d87530',
    sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
    size: 170_052_171,
  },
  // Six batch files of 10,000 records (184,380,000 bytes) plus headers, the class list and a readme:
  // the tar is about 184.4 MB; 200 MB leaves room without letting a bomb through.
  maxInflatedSize: 200_000_000,
  directory: 'cifar-10-batches-bin',
  train: { members: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'], count: 50000 },
  test: { members: ['test_batch.bin'], count: 10000 },
  classes: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
};
