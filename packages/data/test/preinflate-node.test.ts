import './setup.js';
import '../src/node/index.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MNIST, gunzip } from '../src/index.js';
import { preinflate, takePreinflated } from '../src/node/preinflate.js';
import { idxBomb, makeSplit, tinyMnistMeta, useTempDir } from './helpers.js';

/* Inflating verified files ahead on the thread pool (issue 21): the same bytes and errors as inflating in `decode`. */

const split = makeSplit(6, 28, 28, 5);
const size = split.imagesIdx.length;

describe('preinflate', () => {
  it('inflates a gzip file within its bound ahead, handed out once, equal to gunzipSync', async () => {
    const gz = split.imagesGz.slice();
    await preinflate(gz, size);
    expect(takePreinflated(gz)).toEqual(new Uint8Array(gunzipSync(gz)));
    expect(takePreinflated(gz)).toBeUndefined();
    // gunzip (node:zlib installed by the node entry) gives the same bytes either way.
    await preinflate(gz, size);
    expect(gunzip(gz, 'images')).toEqual(new Uint8Array(gunzipSync(gz)));
    expect(takePreinflated(gz)).toBeUndefined();
  });

  it('leaves files to decode when they claim more than the bound, have no bound, or do not inflate as they claim', async () => {
    const cases: Array<[string, Uint8Array, number | undefined]> = [
      ['over the bound', split.imagesGz.slice(), size - 1],
      ['no bound', split.imagesGz.slice(), undefined],
      ['truncated', split.imagesGz.slice(0, split.imagesGz.length - 30), size],
      ['two members (the trailer gives the last one only)', concat(gzipSync(split.labelsIdx), gzipSync(split.labelsIdx)), 10_000],
      ['not gzip', split.imagesIdx.slice(), size],
    ];
    for (const [what, bytes, bound] of cases) {
      await preinflate(bytes, bound);
      expect(takePreinflated(bytes), what).toBeUndefined();
    }
  });

  it('refuses an inflated-ahead file past the decoder bound as the decoder does', async () => {
    const gz = split.imagesGz.slice();
    await preinflate(gz, size);
    expect(() => gunzip(gz, 'images', { maxSize: size - 1 })).toThrow(/images inflates to more than/);
  });
});

describe('MNIST.create with files inflated ahead', () => {
  const root = useTempDir('kindling-preinflate-');

  it('gives the same split from a mirror copy and from the cache, and refuses a bomb at the split size', async () => {
    const test = makeSplit(3, 28, 28, 9);
    const mirror = join(root(), 'mirror');
    await mkdir(mirror);
    for (const [name, bytes] of [
      ['train-images-idx3-ubyte.gz', split.imagesGz],
      ['train-labels-idx1-ubyte.gz', split.labelsGz],
      ['t10k-images-idx3-ubyte.gz', test.imagesGz],
      ['t10k-labels-idx1-ubyte.gz', test.labelsGz],
    ] as const)
      await writeFile(join(mirror, name), bytes);
    class Tiny extends MNIST {
      static override readonly meta = tinyMnistMeta(split, test);
    }
    const cache = join(root(), 'cache');
    for (const pass of ['copied from the mirror', 'read from the cache']) {
      const [a, b] = await Promise.all([
        Tiny.create({ root: cache, download: true, mirrors: [mirror] }),
        Tiny.create({ root: cache, download: true, mirrors: [mirror], train: false }),
      ]);
      expect(a.data.readSync(), pass).toEqual(split.images);
      expect(b.data.readSync(), pass).toEqual(test.images);
      expect(a.targets.readSync(), pass).toEqual(Int32Array.from(split.labels));
    }
    const big = idxBomb(6, 1 << 20);
    await writeFile(join(mirror, 'train-images-idx3-ubyte.gz'), big);
    // No checksum and a gzip trailer beyond the split size: never inflated ahead, refused by decode as before.
    const meta = tinyMnistMeta(split);
    class Bombed extends MNIST {
      static override readonly meta = { ...meta, folder: 'Bombed', train: { ...meta.train, images: { name: meta.train.images.name } } };
    }
    await expect(Bombed.create({ root: cache, download: true, mirrors: [mirror] })).rejects.toThrow(/inflates to more than 4720 bytes/);
  });
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
