import './setup.js';
import { FileStore } from '../src/node/index.js';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Generator, type Tensor, hasBackend } from '@kindling/tensor';
import { getBackend, registerBackend } from '@kindling/tensor/backend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CIFAR10,
  CIFAR10_META,
  type CifarMeta,
  Compose,
  DataLoader,
  Normalize,
  RandomCrop,
  RandomHorizontalFlip,
  ToTensor,
  UrlStore,
} from '../src/index.js';
import { makeCifarArchive, makeCifarBatch } from './cifar-helpers.js';
import { md5, serve, sha256 } from './helpers.js';

const ARCHIVE = 'cifar-10-binary.tar.gz';
const archive = makeCifarArchive(20);

/** CIFAR10 with 100 training and 20 test images: the real class, pointed at a tiny archive in the real format. */
class TinyCIFAR10 extends CIFAR10 {
  static override readonly meta: CifarMeta = {
    ...CIFAR10_META,
    folder: 'TinyCIFAR10',
    mirrors: ['http://127.0.0.1:9/unreachable/'],
    archive: { name: ARCHIVE, sha256: sha256(archive.gz) },
    train: { ...CIFAR10_META.train, count: 100 },
    test: { ...CIFAR10_META.test, count: 20 },
  };
}

/** TinyCIFAR10 whose archive is `gz` (checksum pinned to it, so only the content is wrong). */
function tinyWith(gz: Uint8Array, overrides: Partial<CifarMeta> = {}) {
  return class extends TinyCIFAR10 {
    static override readonly meta: CifarMeta = { ...TinyCIFAR10.meta, archive: { name: ARCHIVE, sha256: sha256(gz) }, ...overrides };
  };
}

const vals = (t: Tensor) => Array.from(t.readSync());
const MEAN = [0.4914, 0.4822, 0.4465];
const STD = [0.247, 0.2435, 0.2616];
let root: string;
let server: Awaited<ReturnType<typeof serve>>;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kindling-cifar-'));
  server = await serve({ [`/c/${ARCHIVE}`]: { body: archive.gz } });
});
afterEach(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('CIFAR10', () => {
  it('pins the official archive: URL, published MD5, SHA-256 and class names', () => {
    expect(CIFAR10.meta.mirrors).toEqual(['https://www.cs.toronto.edu/~kriz/']);
    expect(CIFAR10.meta.archive).toEqual({
      name: 'cifar-10-binary.tar.gz',
      md5: 'c32a1d4ab5d03f1284b67883e8d87530',
      sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
      size: 170_052_171,
    });
    expect(CIFAR10.meta.train).toEqual({ members: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), count: 50000 });
    expect(CIFAR10.meta.test).toEqual({ members: ['test_batch.bin'], count: 10000 });
    expect(CIFAR10.meta.classes).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
  });

  it('downloads over HTTP, caches, and decodes records into uint8 HWC images and int32 labels', async () => {
    const progress: number[] = [];
    const ds = await TinyCIFAR10.create({
      root,
      download: true,
      mirrors: [`${server.url}/c/`],
      onProgress: (p) => progress.push(p.loaded),
    });
    expect(ds).toBeInstanceOf(CIFAR10);
    expect(ds.length).toBe(100);
    expect(ds.train).toBe(true);
    expect(ds.data.dtype).toBe('uint8');
    expect(ds.data.shape).toEqual([100, 32, 32, 3]);
    expect(ds.targets.dtype).toBe('int32');
    expect(vals(ds.targets)).toEqual([...archive.train.labels]);
    expect(Buffer.compare(ds.data.readSync() as Uint8Array, archive.train.hwc)).toBe(0);
    expect(ds.classes[3]).toBe('cat');
    expect(ds.classToIdx.truck).toBe(9);
    expect(progress.at(-1)).toBe(archive.gz.length);
    expect(await readdir(join(root, 'TinyCIFAR10', 'raw'))).toEqual([ARCHIVE]);

    // Record 21 is the second record of data_batch_2: its label byte, and pixel (y=4, x=7) from the R, G and B planes.
    const [image, label] = ds.getItem(21);
    expect(image.shape).toEqual([32, 32, 3]);
    expect(label.itemSync()).toBe(makeCifarBatch(20, 2).labels[1]);
    const record = makeCifarBatch(20, 2).bytes.subarray(3073, 2 * 3073);
    expect(vals(image.select(0, 4).select(0, 7))).toEqual([
      record[1 + 4 * 32 + 7],
      record[1 + 1024 + 4 * 32 + 7],
      record[1 + 2048 + 4 * 32 + 7],
    ]);

    const testSplit = await TinyCIFAR10.create({ root, train: false });
    expect(server.hits[`/c/${ARCHIVE}`]).toBe(1);
    expect(testSplit.length).toBe(20);
    expect(vals(testSplit.targets)).toEqual([...archive.test.labels]);
    expect(Buffer.compare(testSplit.data.readSync() as Uint8Array, archive.test.hwc)).toBe(0);
  });

  it('loads from a local folder mirror, and through the browser store', async () => {
    const mirror = join(root, 'mirror');
    await mkdir(mirror);
    await writeFile(join(mirror, ARCHIVE), archive.gz);
    const ds = await TinyCIFAR10.create({ root: join(root, 'cache'), train: false, download: true, mirrors: [mirror] });
    expect(vals(ds.targets)).toEqual([...archive.test.labels]);
    const viaUrl = await TinyCIFAR10.create({ root: `${server.url}/c`, train: false, store: new UrlStore() });
    expect(vals(viaUrl.data)).toEqual(vals(ds.data));
  });

  it('verifies the published MD5 when only that is pinned', async () => {
    const Md5Only = tinyWith(archive.gz, { archive: { name: ARCHIVE, md5: md5(archive.gz) } });
    expect((await Md5Only.create({ root, download: true, mirrors: [`${server.url}/c`] })).length).toBe(100);
    const Wrong = tinyWith(archive.gz, { archive: { name: ARCHIVE, md5: '0'.repeat(32) } });
    await expect(Wrong.create({ root: join(root, 'b'), download: true, mirrors: [`${server.url}/c`] })).rejects.toThrow(
      /checksum: cifar-10-binary.tar.gz from .* has md5 [0-9a-f]{32}, expected 0{32}/,
    );
  });

  it('rejects an archive with the wrong checksum and leaves nothing in the cache', async () => {
    const other = makeCifarArchive(20, { 'test_batch.bin': makeCifarBatch(20, 9).bytes }).gz;
    const bad = await serve({ [`/c/${ARCHIVE}`]: { body: other } });
    try {
      const error = await TinyCIFAR10.create({ root, download: true, mirrors: [`${bad.url}/c`] }).catch((e: Error) => e);
      expect((error as Error).message).toMatch(/checksum: cifar-10-binary.tar.gz from http:.* has sha256 [0-9a-f]{64}, expected/);
      expect(await readdir(join(root, 'TinyCIFAR10', 'raw'))).toEqual([]);
    } finally {
      await bad.close();
    }
  });

  it('names what is wrong with a damaged archive: truncated, missing member, wrong record size, bad label', async () => {
    // A store that hands over `gz` as if it had passed its checksum: only decoding is tested.
    const load = (gz: Uint8Array, overrides: Partial<CifarMeta> = {}) =>
      tinyWith(gz, overrides)
        .create({ store: { load: async (request) => request.decode(gz) } })
        .then(
          () => '',
          (e: Error) => e.message,
        );
    expect(await load(archive.gz.subarray(0, archive.gz.length >> 1))).toMatch(/gunzip: cifar-10-binary.tar.gz is truncated or corrupt/);
    expect(await load(new Uint8Array(gzipSync(archive.tar.subarray(0, 512 * 40))))).toMatch(
      /^tar: cifar-10-binary.tar.gz is truncated \(member cifar-10-batches-bin\/data_batch_1.bin needs 61460 bytes/m,
    );
    const missing = makeCifarArchive(20, { 'data_batch_3.bin': undefined }).gz;
    expect(await load(missing)).toMatch(
      /^tar: cifar-10-binary.tar.gz has no member cifar-10-batches-bin\/data_batch_3.bin \(it holds 6 files/m,
    );
    const short = makeCifarArchive(20, { 'data_batch_2.bin': makeCifarBatch(20, 2).bytes.subarray(0, 3073 * 20 - 1) }).gz;
    expect(await load(short)).toMatch(
      /TinyCIFAR10: cifar-10-batches-bin\/data_batch_2.bin in cifar-10-binary.tar.gz has 61459 bytes, not a whole number of 3073-byte records/,
    );
    const fewer = makeCifarArchive(20, { 'data_batch_5.bin': makeCifarBatch(19, 5).bytes }).gz;
    expect(await load(fewer)).toMatch(/hold 99 records, expected 100/);
    const labelled = makeCifarBatch(20, 4).bytes.slice();
    labelled[3073 * 2] = 10;
    expect(await load(makeCifarArchive(20, { 'data_batch_4.bin': labelled }).gz)).toMatch(
      /data_batch_4.bin in cifar-10-binary.tar.gz has label 10 in record 2, expected 0..9/,
    );
    expect(await load(archive.gz, { maxInflatedSize: 50_000 })).toMatch(/gunzip: cifar-10-binary.tar.gz inflates to more than 50000 bytes/);
    expect(await load(archive.gz)).toBe('');
  });

  it('reports a download cut short and tries the next mirror', async () => {
    const cut = await serve({ [`/c/${ARCHIVE}`]: { body: archive.gz.subarray(0, 1000), claimLength: archive.gz.length } });
    try {
      // One quick retry (the default backoff would make this test wait seconds).
      const store = new FileStore({ retries: 1, retryDelayMs: 1 });
      const error = await TinyCIFAR10.create({ root, download: true, mirrors: [`${cut.url}/c`], store }).catch((e: Error) => e);
      expect((error as Error).message).toMatch(/got \d+ of \d+ bytes \(connection closed early.*\(gave up after 2 attempts\)/);
      const ds = await TinyCIFAR10.create({ root, download: true, mirrors: [`${cut.url}/c`, `${server.url}/c`] });
      expect(ds.length).toBe(100);
    } finally {
      await cut.close();
    }
  });

  it('builds from bytes fetched elsewhere (.tar.gz or .tar), any record count', () => {
    const ds = CIFAR10.fromBytes(archive.gz, { train: false });
    expect(ds.length).toBe(20);
    expect(vals(CIFAR10.fromBytes(archive.tar).targets)).toEqual([...archive.train.labels]);
  });

  it('getItem and getBatch agree, with ToTensor + per-channel Normalize', async () => {
    const transform = new Compose([new ToTensor(), new Normalize(MEAN, STD)]);
    const ds = await TinyCIFAR10.create({ root, download: true, mirrors: [`${server.url}/c`], transform });
    const [image] = ds.getItem(7);
    expect(image.shape).toEqual([3, 32, 32]);
    // channel 2 (blue), pixel (y=1, x=2)
    expect(image.readSync()[2 * 1024 + 34]).toBeCloseTo((archive.train.hwc[7 * 3072 + 34 * 3 + 2] / 255 - MEAN[2]) / STD[2], 5);
    const [images, labels] = ds.getBatch(Int32Array.of(3, 7));
    expect(images.shape).toEqual([2, 3, 32, 32]);
    expect(vals(labels)).toEqual([archive.train.labels[3], archive.train.labels[7]]);
    const a = vals(images.select(0, 1));
    const b = vals(image);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
  });

  it('gives the same augmented batches from host bytes as on a device without host reads', async () => {
    if (!hasBackend('cpu-async')) {
      registerBackend(Object.create(getBackend('cpu'), { name: { value: 'cpu-async' }, readSync: { value: undefined } }));
    }
    const options = { root, download: true, mirrors: [`${server.url}/c`] };
    const pipelines = (seed: number) => [
      new Compose([new ToTensor(), new Normalize(MEAN, STD)]),
      new Compose([
        new RandomCrop(32, { padding: 4, generator: new Generator(seed) }),
        new RandomHorizontalFlip(0.5, { generator: new Generator(seed + 1) }),
        new ToTensor(),
        new Normalize(MEAN, STD),
      ]),
      new Compose([new RandomCrop(28, { padding: 2, fill: 9, generator: new Generator(seed) }), new ToTensor()]),
      new RandomHorizontalFlip(1),
    ];
    const onHost = pipelines(5);
    const onDevice = pipelines(5);
    for (let k = 0; k < onHost.length; k++) {
      const host = await TinyCIFAR10.create({ ...options, transform: onHost[k] });
      const device = await TinyCIFAR10.create({ ...options, transform: onDevice[k], device: 'cpu-async' });
      const idx = Int32Array.from({ length: 64 }, (_, i) => (i * 37) % 100);
      const [hx] = host.getBatch(idx);
      const [dx] = device.getBatch(idx);
      expect(dx.shape).toEqual(hx.shape);
      expect(dx.dtype).toBe(hx.dtype);
      const a = Array.from(await dx.read());
      const b = vals(hx);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('trains-style epoch: DataLoader with RandomCrop(32, padding 4), RandomHorizontalFlip, ToTensor, Normalize', async () => {
    const transform = new Compose([
      new RandomCrop(32, { padding: 4 }),
      new RandomHorizontalFlip(),
      new ToTensor(),
      new Normalize(MEAN, STD),
    ]);
    const trainset = await TinyCIFAR10.create({ root, download: true, mirrors: [`${server.url}/c`], transform });
    const loader = new DataLoader(trainset, { batchSize: 32, shuffle: true });
    expect(loader.length).toBe(4);
    const seen: number[] = [];
    for await (const [images, labels] of loader) {
      expect(images.dtype).toBe('float32');
      expect(images.shape.slice(1)).toEqual([3, 32, 32]);
      expect(labels.dtype).toBe('int32');
      const v = images.readSync();
      const lo = Math.min(...MEAN.map((m, c) => -m / STD[c]));
      const hi = Math.max(...MEAN.map((m, c) => (1 - m) / STD[c]));
      expect(v.every((x) => x >= lo - 1e-5 && x <= hi + 1e-5)).toBe(true);
      seen.push(...vals(labels));
      images.dispose();
      labels.dispose();
    }
    expect(seen.sort()).toEqual([...archive.train.labels].sort());
  });
});
