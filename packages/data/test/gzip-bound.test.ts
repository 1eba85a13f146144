import './setup.js';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MNIST, gunzip } from '../src/index.js';
import { idxBomb as bomb, makeSplit } from './helpers.js';

/*
 * Inflating stops at the size the dataset's metadata (or the file's own IDX
 * header) promises: a compression bomb is refused after that many bytes,
 * never inflated whole (issue 17). These run on the pure-JavaScript decoder
 * (the Node entry is not imported); apps/trainer's bounds test runs node:zlib.
 */

const small = makeSplit(4, 28, 28, 3);

describe('gzip inflation bounds', () => {
  it('gunzip with maxSize names the file, the bound and why', () => {
    expect(() => gunzip(bomb(4, 64 << 20), 'x.gz', { maxSize: 1000, maxSizeReason: 'the size the test promises' })).toThrow(
      'gunzip: x.gz inflates to more than 1000 bytes, the size the test promises (refusing to decompress it)',
    );
  });

  it("fromBytes bounds inflating by the file's own IDX header", () => {
    // The header says 4 images (3152 bytes); 64 MiB of zeros follow.
    expect(() => MNIST.fromBytes(bomb(4, 64 << 20), small.labelsGz)).toThrow(
      'gunzip: images inflates to more than 3152 bytes, the size of the [4, 28, 28] uint8 IDX file its IDX header describes: the file is larger than its header says (refusing to decompress it)',
    );
  });

  it('a bomb without an IDX header is refused from its first bytes', () => {
    const zeros = new Uint8Array(gzipSync(new Uint8Array(64 << 20), { level: 9 }));
    expect(() => MNIST.fromBytes(zeros, small.labelsGz)).toThrow(
      'parseIdx: images has bad IDX magic 0x00000000 (expected 0x00000803: uint8, 3 dims)',
    );
  });

  it('ordinary files still load', () => {
    expect(MNIST.fromBytes(small.imagesGz, small.labelsGz).targets.numel()).toBe(4);
  });
});
