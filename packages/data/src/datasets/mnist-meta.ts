import type { ResourceFile } from '../io/store.js';

/** One split of an MNIST-like dataset: its image and label files and the sample count. */
export interface MnistSplit {
  readonly images: ResourceFile;
  readonly labels: ResourceFile;
  readonly count: number;
}

/** Everything that tells one MNIST-like dataset from another. */
export interface MnistMeta {
  /** Folder in the cache (`<root>/<folder>/raw`), as torchvision names it. */
  readonly folder: string;
  /** Base URLs tried in order. */
  readonly mirrors: readonly string[];
  readonly train: MnistSplit;
  readonly test: MnistSplit;
  readonly classes: readonly string[];
  readonly rows: number;
  readonly cols: number;
}

const file = (name: string, md5: string, sha256?: string, inflatedSha256?: string, size?: number): ResourceFile => ({
  name,
  md5,
  // Bytes of the `.gz` file: a download stops as soon as it passes this.
  ...(size ? { size } : {}),
  ...(sha256 ? { sha256 } : {}),
  // Computed by gunzipping the files the other checksums verify (what a browser sees behind Content-Encoding: gzip).
  ...(inflatedSha256 ? { inflated: { sha256: inflatedSha256 } } : {}),
});

/** MNIST (LeCun, Cortes, Burges). MD5s are torchvision's; SHA-256s were computed from the same files. */
export const MNIST_META: MnistMeta = {
  folder: 'MNIST',
  mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'],
  train: {
    images: file(
      'train-images-idx3-ubyte.gz',
      'f68b3c2dcbeaaa9fbdd348bbdeb94873',
      '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
      'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
      9912422,
    ),
    labels: file(
      'train-labels-idx1-ubyte.gz',
      'd53e105ee54ea40749a09fcbcd1e9432',
      '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
      '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
      28881,
    ),
    count: 60000,
  },
  test: {
    images: file(
      't10k-images-idx3-ubyte.gz',
      '9fb629c4189551a2d022fa330f9573f3',
      '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
      '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
      1648877,
    ),
    labels: file(
      't10k-labels-idx1-ubyte.gz',
      'ec29112dd5afa0611ce80d1b7f02629c',
      'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
      'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
      4542,
    ),
    count: 10000,
  },
  classes: ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'],
  rows: 28,
  cols: 28,
};

/** Fashion-MNIST (Zalando Research). */
export const FASHION_MNIST_META: MnistMeta = {
  folder: 'FashionMNIST',
  mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
  train: {
    images: file(
      'train-images-idx3-ubyte.gz',
      '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
      '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
      'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
      26421880,
    ),
    labels: file(
      'train-labels-idx1-ubyte.gz',
      '25c81989df183df01b3e8a0aad5dffbe',
      'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
      'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
      29515,
    ),
    count: 60000,
  },
  test: {
    images: file(
      't10k-images-idx3-ubyte.gz',
      'bef4ecab320f06d8554ea6380940ec79',
      '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
      '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
      4422102,
    ),
    labels: file(
      't10k-labels-idx1-ubyte.gz',
      'bb300cfdad3c16e7a12a480ee83cd310',
      '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
      '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
      5148,
    ),
    count: 10000,
  },
  classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  rows: 28,
  cols: 28,
};

/** Kuzushiji-MNIST (ROIS-CODH). Only torchvision's MD5s are pinned. */
export const KMNIST_META: MnistMeta = {
  folder: 'KMNIST',
  mirrors: ['http://codh.rois.ac.jp/kmnist/dataset/kmnist/'],
  train: {
    images: file('train-images-idx3-ubyte.gz', 'bdb82020997e1d708af4cf47b453dcf7'),
    labels: file('train-labels-idx1-ubyte.gz', 'e144d726b3acfaa3e44228e80efcd344'),
    count: 60000,
  },
  test: {
    images: file('t10k-images-idx3-ubyte.gz', '5c965bf0a639b31b8f53240b1b52f4d7'),
    labels: file('t10k-labels-idx1-ubyte.gz', '7320c461ea6c1c855c0b718fb2a4b134'),
    count: 10000,
  },
  classes: ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'],
  rows: 28,
  cols: 28,
};
