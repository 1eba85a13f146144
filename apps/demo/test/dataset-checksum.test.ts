// The demo's worker checks every dataset file it fetches against the SHA-256
// @kindling/data pins (MNIST_META...), as Node's file store does. fetch is
// stubbed: a site serving the file as-is, or with Content-Encoding: gzip (the
// browser then hands over the inflated bytes).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { MNIST_META } from '@kindling/data';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { IDX_FILES } from '../src/data-catalog.js';
import { DatasetCache } from '../src/worker/dataset-cache.js';
import type { TrainSettings } from '../src/worker/protocol.js';
import { fetchVerifiedDatasetFile } from '../src/worker/verified-dataset-file.js';

const DEMO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SITE = 'http://demo.test/data/mnist/';
const MNIST_DIR = join(process.env.KINDLING_DEMO_DATA ?? join(DEMO_ROOT, '../../../shared/data'), 'mnist');
const REAL_DATA = existsSync(join(MNIST_DIR, IDX_FILES.trainLabels));

/** Serves `files` (by name) as a static site would; `decoded` plays a server sending Content-Encoding: gzip. */
function stubSite(files: Record<string, Uint8Array>, decoded = false): void {
  vi.stubGlobal('fetch', async (url: string) => {
    const name = url.slice(url.lastIndexOf('/') + 1);
    const bytes = files[name];
    if (!bytes) return new Response('not found', { status: 404, statusText: 'Not Found' });
    const body = new Uint8Array(decoded ? gunzipSync(bytes) : bytes); // a copy backed by an ArrayBuffer, as Response wants
    const headers: Record<string, string> = decoded ? { 'Content-Encoding': 'gzip' } : { 'Content-Length': String(body.length) };
    return new Response(body, { headers });
  });
}

/** A valid gzipped IDX label file that is not MNIST's: what a wrong or tampered mirror would serve. */
function wrongLabels(): Uint8Array {
  const idx = new Uint8Array(8 + 60000);
  idx.set([0, 0, 8, 1, 0, 0, 0xea, 0x60]); // uint8, 1 dim, 60000
  return new Uint8Array(gzipSync(idx));
}

const noProgress = () => {};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the demo verifies dataset files against the checksums @kindling/data knows', () => {
  test('a wrong file stops the load with a one-line message naming it, its URL and both SHA-256s', async () => {
    stubSite(Object.fromEntries(Object.values(IDX_FILES).map((name) => [name, wrongLabels()])));
    const cache = new DatasetCache();
    const settings = { dataset: 'mnist', dataUrl: SITE } as TrainSettings;
    const error = (await cache.load(settings, 'cpu', noProgress).catch((e: Error) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(
      /^checksum: [a-z0-9-]+-idx[13]-ubyte\.gz from http:\/\/demo\.test\/data\/mnist\/\S+ has sha256 [0-9a-f]{64}, expected [0-9a-f]{64} \(file corrupt or truncated\)$/,
    );
  });

  test('the labels file is refused whether the server sends it as-is or decoded by Content-Encoding', async () => {
    const name = IDX_FILES.trainLabels;
    const want = MNIST_META.train.labels;
    stubSite({ [name]: wrongLabels() });
    await expect(fetchVerifiedDatasetFile('mnist', SITE + name, name, noProgress)).rejects.toThrow(
      new RegExp(`^checksum: ${name} from ${SITE}${name} has sha256 [0-9a-f]{64}, expected ${want.sha256}`),
    );
    stubSite({ [name]: wrongLabels() }, true);
    await expect(fetchVerifiedDatasetFile('mnist', SITE + name, name, noProgress)).rejects.toThrow(
      new RegExp(
        `^checksum: ${name} \\(inflated by the browser\\) from ${SITE}${name} has sha256 [0-9a-f]{64}, expected ${want.inflated?.sha256}`,
      ),
    );
  });

  test.skipIf(!REAL_DATA)('the real MNIST files pass, served as-is or decoded, and one flipped byte does not', async () => {
    const name = IDX_FILES.trainLabels;
    const real = new Uint8Array(readFileSync(join(MNIST_DIR, name)));
    for (const decoded of [false, true]) {
      stubSite({ [name]: real }, decoded);
      const bytes = await fetchVerifiedDatasetFile('mnist', SITE + name, name, noProgress);
      expect(bytes.length).toBe(decoded ? 60008 : real.length);
    }
    const flipped = real.slice();
    flipped[real.length - 8] ^= 1; // the gzip trailer's CRC-32: same pixels, different file
    stubSite({ [name]: flipped });
    await expect(fetchVerifiedDatasetFile('mnist', SITE + name, name, noProgress)).rejects.toThrow(
      /^checksum: train-labels-idx1-ubyte\.gz from /,
    );
  });
});
