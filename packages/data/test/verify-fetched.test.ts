import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_META, MNIST_META, type ResourceFile, verifyFetchedFile } from '../src/index.js';
import { makeSplit, sha256 } from './helpers.js';

const { labelsIdx, labelsGz } = makeSplit(5);
const URL_ = 'https://mirror.test/train-labels-idx1-ubyte.gz';
const file: ResourceFile = { name: 'train-labels-idx1-ubyte.gz', sha256: sha256(labelsGz), inflated: { sha256: sha256(labelsIdx) } };

describe('verifyFetchedFile (browser downloads)', () => {
  it('accepts the file as published, or inflated by a Content-Encoding: gzip server', () => {
    expect(() => verifyFetchedFile(file, labelsGz, URL_)).not.toThrow();
    expect(() => verifyFetchedFile(file, labelsIdx, URL_)).not.toThrow();
  });

  it('refuses other bytes in either form, naming the file, the source and both digests', () => {
    const other = makeSplit(5, 28, 28, 2);
    expect(() => verifyFetchedFile(file, other.labelsGz, URL_)).toThrow(
      `checksum: train-labels-idx1-ubyte.gz from ${URL_} has sha256 ${sha256(other.labelsGz)}, expected ${file.sha256} (file corrupt or truncated)`,
    );
    expect(() => verifyFetchedFile(file, other.labelsIdx, URL_)).toThrow(
      `checksum: train-labels-idx1-ubyte.gz (inflated by the browser) from ${URL_} has sha256 ${sha256(other.labelsIdx)}, expected ${file.inflated?.sha256}`,
    );
  });

  it('refuses decoded bytes it has no checksum for rather than using them unverified', () => {
    const { inflated: _, ...gzOnly } = file;
    expect(() => verifyFetchedFile(gzOnly, labelsIdx, URL_)).toThrow(
      /^checksum: train-labels-idx1-ubyte.gz from \S+ arrived decompressed \(the server sent it with Content-Encoding: gzip\) and no checksum of its inflated bytes is known/,
    );
  });

  it('knows the inflated SHA-256 of every MNIST and Fashion-MNIST file', () => {
    for (const meta of [MNIST_META, FASHION_MNIST_META]) {
      for (const f of [meta.train.images, meta.train.labels, meta.test.images, meta.test.labels]) {
        expect(f.inflated?.sha256).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });

  // The real files live beside the repository (never copied into it): <repo>/../shared/data.
  const shared = fileURLToPath(new URL('../../../../shared/data', import.meta.url));
  it.skipIf(!existsSync(join(shared, 'mnist')))('pins the inflated SHA-256 of the real files', () => {
    for (const [dir, meta] of [
      ['mnist', MNIST_META],
      ['fashion-mnist', FASHION_MNIST_META],
    ] as const) {
      for (const f of [meta.train.images, meta.train.labels, meta.test.images, meta.test.labels]) {
        const gz = new Uint8Array(readFileSync(join(shared, dir, f.name)));
        expect(() => verifyFetchedFile(f, gz)).not.toThrow();
        expect(() => verifyFetchedFile(f, new Uint8Array(gunzipSync(gz)))).not.toThrow();
      }
    }
  });
});
