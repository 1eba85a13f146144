import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach } from 'vitest';
import { MNIST_META, type MnistMeta, encodeIdx } from '../src/index.js';

/** A tiny MNIST-like split: `count` images of `rows`×`cols` and their labels, as IDX and gzipped IDX. */
export function makeSplit(count: number, rows = 28, cols = 28, seed = 1) {
  const images = new Uint8Array(count * rows * cols);
  let s = seed;
  for (let i = 0; i < images.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    images[i] = s >>> 24;
  }
  const labels = Uint8Array.from({ length: count }, (_, i) => (i * 7 + seed) % 10);
  const imagesIdx = encodeIdx({ type: 'uint8', shape: [count, rows, cols], data: images });
  const labelsIdx = encodeIdx({ type: 'uint8', shape: [count], data: labels });
  return {
    images,
    labels,
    imagesIdx,
    labelsIdx,
    imagesGz: new Uint8Array(gzipSync(imagesIdx)),
    labelsGz: new Uint8Array(gzipSync(labelsIdx)),
  };
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A gzip bomb: an IDX image header for `count` 28×28 images, then `extra` zero bytes of data, gzipped. */
export function idxBomb(count: number, extra: number): Uint8Array {
  const raw = new Uint8Array(16 + extra);
  const header = new DataView(raw.buffer);
  header.setUint32(0, 0x0803);
  header.setUint32(4, count);
  header.setUint32(8, 28);
  header.setUint32(12, 28);
  return new Uint8Array(gzipSync(raw, { level: 9 }));
}

type Split = ReturnType<typeof makeSplit>;

/** The real MNIST metadata pointed at generated splits, under the folder `TinyMNIST` (its mirrors are never reached). */
export function tinyMnistMeta(train: Split, test?: Split): MnistMeta {
  const files = (prefix: string, split: Split) => ({
    images: { name: `${prefix}-images-idx3-ubyte.gz`, sha256: sha256(split.imagesGz) },
    labels: { name: `${prefix}-labels-idx1-ubyte.gz`, sha256: sha256(split.labelsGz) },
    count: split.labels.length,
  });
  return {
    ...MNIST_META,
    folder: 'TinyMNIST',
    mirrors: ['http://127.0.0.1:9/unreachable/'],
    train: files('train', train),
    ...(test ? { test: files('t10k', test) } : {}),
  };
}
export const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

/** What the test server answers for one path. */
export interface Route {
  status?: number;
  body?: Uint8Array;
  /** Claim this content-length, then close early after sending `body`. */
  claimLength?: number;
  /** Wait before answering (ms), to overlap concurrent requests. */
  delay?: number;
}

/** A local HTTP server on 127.0.0.1 and a free port; `hits` counts requests per path. */
export async function serve(routes: Record<string, Route>): Promise<{ url: string; hits: Record<string, number>; close(): Promise<void> }> {
  const hits: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits[path] = (hits[path] ?? 0) + 1;
    const route = routes[path];
    const answer = () => {
      if (!route || (route.status ?? 200) !== 200) {
        res.writeHead(route?.status ?? 404);
        res.end('not found');
        return;
      }
      const body = route.body ?? new Uint8Array();
      res.writeHead(200, { 'content-length': String(route.claimLength ?? body.length), 'content-type': 'application/octet-stream' });
      // Two chunks, so progress is reported more than once.
      const half = body.length >> 1;
      res.write(body.subarray(0, half));
      setTimeout(() => {
        if (route.claimLength !== undefined) {
          res.write(body.subarray(half));
          res.destroy();
        } else res.end(body.subarray(half));
      }, 5);
    };
    if (route?.delay) setTimeout(answer, route.delay);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fresh temp folder for each test of the enclosing block (or file), removed after it: call `dir()` inside a test. */
export function useTempDir(prefix: string): () => string {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}
