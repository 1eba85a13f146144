// The pure-JavaScript gunzip (fflate, what browsers use) checks each gzip
// member's trailer as node:zlib does. This file never imports
// '@kindling/data/node' until its last test, so `gunzip` runs the default
// fflate decoder (vitest runs each test file in its own module graph).
import { gzipSync } from 'node:zlib';
import { gunzipSync as fflateGunzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { gunzip } from '../src/index.js';
import { crc32 } from '../src/io/gzip-members.js';
import { makeSplit } from './helpers.js';

const NAME = 'train-images-idx3-ubyte.gz';
const { imagesIdx } = makeSplit(20);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;
const gz = (data: Uint8Array, level = 6) => new Uint8Array(gzipSync(data, { level }));
const flip = (bytes: Uint8Array, at: number) => {
  const out = bytes.slice();
  out[at] ^= 0x01;
  return out;
};

describe('gunzip (pure JavaScript) verifies the gzip trailer', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
    // Incremental, as the decoder feeds it chunk by chunk.
    const whole = crc32(imagesIdx);
    expect(crc32(imagesIdx.subarray(100), crc32(imagesIdx.subarray(0, 100)))).toBe(whole);
  });

  it('refuses a flipped byte in stored deflate data (fflate alone returns other pixels)', () => {
    const stored = gz(imagesIdx, 0);
    const bad = flip(stored, stored.length >> 1);
    expect(same(fflateGunzipSync(bad), imagesIdx)).toBe(false); // silent garbage without the check
    expect(() => gunzip(bad, NAME)).toThrow(
      /^gunzip: train-images-idx3-ubyte\.gz is truncated or corrupt: CRC-32 mismatch \(expected [0-9a-f]{8}, got [0-9a-f]{8}\)$/,
    );
  });

  it('refuses a flipped byte in compressed deflate data that still inflates to the right length', () => {
    const good = gz(imagesIdx);
    let tried = 0;
    // Most flips break the deflate codes; scan until a few that do not.
    for (let at = good.length >> 1; at < good.length - 8 && tried < 3; at++) {
      const bad = flip(good, at);
      let silent: Uint8Array;
      try {
        silent = fflateGunzipSync(bad);
      } catch {
        continue; // a corruption the deflate decoder notices by itself
      }
      if (silent.length !== imagesIdx.length || same(silent, imagesIdx)) continue;
      tried++;
      expect(() => gunzip(bad, NAME)).toThrow(/is truncated or corrupt: CRC-32 mismatch/);
    }
    expect(tried).toBeGreaterThan(0);
  });

  it('refuses a corrupt CRC-32 or ISIZE in the trailer, naming the file and both values', () => {
    const good = gz(imagesIdx);
    const crc = crc32(imagesIdx).toString(16).padStart(8, '0');
    const badCrc = flip(good, good.length - 8);
    const stored = ((crc32(imagesIdx) ^ 1) >>> 0).toString(16).padStart(8, '0');
    expect(() => gunzip(badCrc, NAME)).toThrow(`gunzip: ${NAME} is truncated or corrupt: CRC-32 mismatch (expected ${stored}, got ${crc})`);
    const badSize = flip(good, good.length - 4);
    expect(() => gunzip(badSize, NAME)).toThrow(
      `gunzip: ${NAME} is truncated or corrupt: ISIZE mismatch (the trailer says ${imagesIdx.length ^ 1} bytes, inflated ${imagesIdx.length})`,
    );
  });

  it('inflates every member of a multi-member file and checks each trailer', () => {
    const head = imagesIdx.subarray(0, 5000);
    const tail = imagesIdx.subarray(5000);
    const first = gz(head);
    const joined = new Uint8Array([...first, ...gz(tail)]);
    expect(same(gunzip(joined, NAME), imagesIdx)).toBe(true);
    expect(() => gunzip(flip(joined, first.length - 8), NAME)).toThrow(/CRC-32 mismatch in member 1 \(/);
    expect(() => gunzip(flip(joined, joined.length - 7), NAME)).toThrow(/CRC-32 mismatch in member 2 \(/);
  });

  it('still inflates valid files, bounded or not', () => {
    const good = gz(imagesIdx);
    expect(same(gunzip(good, NAME), imagesIdx)).toBe(true);
    expect(same(gunzip(good, NAME, { maxSize: imagesIdx.length }), imagesIdx)).toBe(true);
    const big = new Uint8Array(3 << 20).map((_, i) => (i * 31) >> 7); // several 1 MiB input pieces
    expect(same(gunzip(gz(big, 0), 'big.gz'), big)).toBe(true);
  });

  it('node:zlib refuses the same corruptions (runs last: it replaces the decoder)', async () => {
    await import('../src/node/index.js');
    const stored = gz(imagesIdx, 0);
    expect(() => gunzip(flip(stored, stored.length >> 1), NAME)).toThrow(/^gunzip: train-images-idx3-ubyte\.gz is truncated or corrupt/);
    const good = gz(imagesIdx);
    expect(() => gunzip(flip(good, good.length - 4), NAME)).toThrow(/is truncated or corrupt/);
    const joined = new Uint8Array([...gz(imagesIdx.subarray(0, 5000)), ...gz(imagesIdx.subarray(5000))]);
    expect(same(gunzip(joined, NAME), imagesIdx)).toBe(true);
  });
});
