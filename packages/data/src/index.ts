/**
 * @packageDocumentation
 * `@kindling/data`: datasets, samplers, the `DataLoader`, image transforms
 * and MNIST-family datasets (`torch.utils.data` and `torchvision` in one
 * package). This entry has no Node imports and runs in browsers; Node's disk
 * cache and downloader are in `@kindling/data/node`.
 */
export { DatasetError } from './errors.js';
export { Dataset, IterableDataset, isIterableDataset, type MapDataset, type Collated } from './dataset.js';
export { TensorDataset } from './tensor-dataset.js';
export { Subset, randomSplit } from './subset.js';
export { ConcatDataset } from './concat-dataset.js';
export { defaultCollate } from './collate.js';
export {
  type Sampler,
  type BatchSamplerLike,
  SequentialSampler,
  RandomSampler,
  type RandomSamplerOptions,
  SubsetRandomSampler,
  BatchSampler,
} from './sampler.js';
export { DataLoader, type DataLoaderOptions } from './data-loader.js';
/** Python's `iter`, `next` and `len`: `const [images, labels] = await next(iter(trainloader))`. */
export { iter, next, len, StopIteration } from './iteration.js';

export type { Transform, HostRows } from './transforms/transform.js';
export { BaseTransform } from './transforms/transform.js';
export { Compose } from './transforms/compose.js';
export { ToTensor } from './transforms/to-tensor.js';
export { Normalize } from './transforms/normalize.js';
export { Lambda } from './transforms/lambda.js';
export { Flatten } from './transforms/flatten.js';
export { RandomHorizontalFlip } from './transforms/random-horizontal-flip.js';
export { RandomCrop, type RandomCropOptions } from './transforms/random-crop.js';
export { RandomAffine, RandomRotation, type RandomAffineOptions } from './transforms/random-affine.js';

export { MNIST, FashionMNIST, KMNIST, type MNISTOptions } from './datasets/mnist.js';
export { MNIST_META, FASHION_MNIST_META, KMNIST_META, type MnistMeta, type MnistSplit } from './datasets/mnist-meta.js';
export { CIFAR10, type CIFAR10Options } from './datasets/cifar10.js';
export { CIFAR10_META, CIFAR_RECORD_BYTES, type CifarMeta, type CifarSplit } from './datasets/cifar10-meta.js';

export { parseIdx, encodeIdx, type IdxArray, type IdxType, type IdxExpectation } from './io/idx.js';
export {
  gunzip,
  isGzip,
  setGunzipImplementation,
  InflateLimitError,
  type GunzipImplementation,
  type GunzipOptions,
} from './io/gzip.js';
export { readTar, tarMember, type TarEntry } from './io/tar.js';
export { sha256Hex, md5Hex, verifyChecksums, type Checksums } from './io/checksum.js';
export { verifyFetchedFile } from './io/verify-fetched.js';
export {
  type DatasetStore,
  type LoadRequest,
  type ResourceFile,
  type DownloadProgress,
  type ProgressCallback,
  setDefaultStore,
  getDefaultStore,
} from './io/store.js';
export { UrlStore, fetchBytes } from './io/url-store.js';
export {
  type NetworkOptions,
  NetworkError,
  resolveNetworkOptions,
  CONNECT_TIMEOUT_ENV,
  IDLE_TIMEOUT_ENV,
  RETRIES_ENV,
} from './io/network.js';
