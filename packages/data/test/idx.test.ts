import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetError, encodeIdx, gunzip, isGzip, md5Hex, parseIdx, sha256Hex, verifyChecksums } from '../src/index.js';
import { makeSplit, md5, sha256 } from './helpers.js';

describe('parseIdx', () => {
  it('parses a uint8 image file without copying', () => {
    const { imagesIdx, images } = makeSplit(3, 4, 5);
    const parsed = parseIdx(imagesIdx, 'x.idx');
    expect(parsed.type).toBe('uint8');
    expect(parsed.shape).toEqual([3, 4, 5]);
    expect([...parsed.data]).toEqual([...images]);
    expect((parsed.data as Uint8Array).buffer).toBe(imagesIdx.buffer);
  });

  it('round-trips big-endian int32, int16 and float64 files', () => {
    for (const [type, data] of [
      ['int32', Int32Array.from([1, -2, 70000, -2147483648])],
      ['int16', Int16Array.from([1, -2, 300, -32768])],
      ['float64', Float64Array.from([0.5, -1e300, 3, Math.PI])],
      ['float32', Float32Array.from([0.5, -2, 3, 1.5])],
      ['int8', Int8Array.from([1, -2, 3, -128])],
    ] as const) {
      const bytes = encodeIdx({ type, shape: [2, 2], data });
      const parsed = parseIdx(bytes, 'f');
      expect(parsed.type).toBe(type);
      expect([...parsed.data]).toEqual([...data]);
    }
    // Big-endian on disk: 1 as int32 is 00 00 00 01.
    expect([...encodeIdx({ type: 'int32', shape: [1], data: Int32Array.of(1) }).subarray(8)]).toEqual([0, 0, 0, 1]);
  });

  it('rejects bad magic, naming the file', () => {
    const { imagesIdx } = makeSplit(2, 2, 2);
    const bad = imagesIdx.slice();
    bad[0] = 0x1f;
    expect(() => parseIdx(bad, 'train-images-idx3-ubyte')).toThrow(/train-images-idx3-ubyte has bad IDX magic 0x1f000803/);
    const badType = imagesIdx.slice();
    badType[2] = 0x42;
    expect(() => parseIdx(badType, 'f.idx')).toThrow(DatasetError);
    expect(() => parseIdx(new Uint8Array(2), 'tiny.idx')).toThrow(/tiny.idx is too short/);
  });

  it('rejects truncated data and trailing bytes', () => {
    const { imagesIdx } = makeSplit(2, 2, 2);
    expect(() => parseIdx(imagesIdx.subarray(0, imagesIdx.length - 1), 'cut.idx')).toThrow(
      /cut.idx has 7 data bytes.*needs 8 \(file truncated\)/,
    );
    const longer = new Uint8Array(imagesIdx.length + 3);
    longer.set(imagesIdx);
    expect(() => parseIdx(longer, 'long.idx')).toThrow(/trailing bytes/);
    expect(() => parseIdx(imagesIdx.subarray(0, 10), 'head.idx')).toThrow(/head.idx is truncated inside its header/);
  });

  it('checks the expected type, rank and counts', () => {
    const { imagesIdx, labelsIdx } = makeSplit(5, 28, 28);
    expect(() => parseIdx(imagesIdx, 'imgs', { shape: [60000, 28, 28] })).toThrow(/imgs has shape \[5,28,28\], expected \[60000,28,28\]/);
    expect(() => parseIdx(labelsIdx, 'lbls', { ndim: 3 })).toThrow(/lbls has 1 dims \[5\], expected 3/);
    expect(parseIdx(imagesIdx, 'imgs', { shape: [null, 28, 28], type: 'uint8' }).shape).toEqual([5, 28, 28]);
    const ints = encodeIdx({ type: 'int32', shape: [1], data: Int32Array.of(1) });
    expect(() => parseIdx(ints, 'ints', { type: 'uint8' })).toThrow(/ints holds int32 elements, expected uint8/);
  });
});

describe('gunzip', () => {
  const data = makeSplit(4).imagesIdx;
  const gz = gzipSync(data);

  it('inflates a gzip file', () => {
    expect(isGzip(gz)).toBe(true);
    expect(isGzip(data)).toBe(false);
    expect(gunzip(gz, 'a.gz')).toEqual(data);
  });

  it('rejects truncated streams at any cut, naming the file', () => {
    for (const cut of [5, 20, gz.length >> 1, gz.length - 8, gz.length - 1]) {
      expect(() => gunzip(gz.subarray(0, cut), 'train-images-idx3-ubyte.gz')).toThrow(/train-images-idx3-ubyte.gz is truncated/);
    }
  });

  it('rejects data that is not gzip', () => {
    expect(() => gunzip(new TextEncoder().encode('<html>404</html>'), 'page.gz')).toThrow(
      /page.gz is not a gzip file \(expected magic 1f 8b, got 3c 68 74 6d\)/,
    );
    expect(() => gunzip(new Uint8Array(), 'empty.gz')).toThrow(/an empty file/);
  });
});

describe('checksums', () => {
  const bytes = new TextEncoder().encode('kindling');

  it('match node:crypto', () => {
    expect(sha256Hex(bytes)).toBe(sha256(bytes));
    expect(md5Hex(bytes)).toBe(md5(bytes));
  });

  it('verifyChecksums names the file, the algorithm and both digests', () => {
    expect(() => verifyChecksums('f.gz', bytes, { sha256: sha256(bytes) })).not.toThrow();
    expect(() => verifyChecksums('f.gz', bytes, { md5: md5(bytes) })).not.toThrow();
    expect(() => verifyChecksums('f.gz', bytes, { sha256: '00'.repeat(32) }, 'http://m/f.gz')).toThrow(
      `checksum: f.gz from http://m/f.gz has sha256 ${sha256(bytes)}, expected ${'00'.repeat(32)}`,
    );
    expect(() => verifyChecksums('f.gz', bytes, { md5: 'ab'.repeat(16) })).toThrow(/f.gz has md5/);
  });
});
