import './setup.js';
import '../src/node/index.js';
import { describe, expect, it } from 'vitest';
import { MNIST } from '../src/index.js';
import { idxBomb as bomb, makeSplit, serve, sha256, tinyMnistMeta, useTempDir } from './helpers.js';

/* The same bound on node:zlib's decoder (`maxOutputLength`), through the dataset's metadata (issue 17). */

const small = makeSplit(4, 28, 28, 3);

describe("MNIST.create bounds inflating by the dataset's metadata", () => {
  const root = useTempDir('kindling-bomb-');

  it('a file larger than the split it is listed for is refused at the split size', async () => {
    // A checksum-valid file (its mirror's metadata lists it) that inflates to 64 MiB for a 4-image split.
    const big = bomb(4, 64 << 20);
    const meta = tinyMnistMeta(small);
    class Bombed extends MNIST {
      static override readonly meta = { ...meta, train: { ...meta.train, images: { name: meta.train.images.name, sha256: sha256(big) } } };
    }
    const server = await serve({
      '/m/train-images-idx3-ubyte.gz': { body: big },
      '/m/train-labels-idx1-ubyte.gz': { body: small.labelsGz },
    });
    try {
      await expect(Bombed.create({ root: root(), download: true, mirrors: [`${server.url}/m/`] })).rejects.toThrow(
        /train-images-idx3-ubyte\.gz inflates to more than 3152 bytes, the size of the \[4, 28, 28\] uint8 IDX file TinyMNIST's metadata describes: the file is larger than the dataset says/,
      );
    } finally {
      await server.close();
    }
  });
});
