import './setup.js';
import '../src/node/index.js';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Tensor, hasBackend, memory, tidy } from '@kindling/tensor';
import { getBackend, registerBackend } from '@kindling/tensor/backend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Compose, DataLoader, FashionMNIST, KMNIST, MNIST, type MnistMeta, Normalize, ToTensor, encodeIdx } from '../src/index.js';
import { makeSplit, serve, tinyMnistMeta } from './helpers.js';

const train = makeSplit(12, 28, 28, 1);
const test = makeSplit(4, 28, 28, 2);

/** MNIST with 12 training and 4 test images: the real class, pointed at tiny files. */
class TinyMNIST extends MNIST {
  static override readonly meta = tinyMnistMeta(train, test);
}

const vals = (t: Tensor) => Array.from(t.readSync());
let root: string;
let server: Awaited<ReturnType<typeof serve>>;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kindling-mnist-'));
  server = await serve({
    '/m/train-images-idx3-ubyte.gz': { body: train.imagesGz },
    '/m/train-labels-idx1-ubyte.gz': { body: train.labelsGz },
    '/m/t10k-images-idx3-ubyte.gz': { body: test.imagesGz },
    '/m/t10k-labels-idx1-ubyte.gz': { body: test.labelsGz },
  });
});
afterEach(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('MNIST-family datasets', () => {
  it('downloads, caches and loads a split into one uint8 tensor and int32 labels', async () => {
    const ds = await TinyMNIST.create({ root, train: true, download: true, mirrors: [`${server.url}/m/`] });
    expect(ds).toBeInstanceOf(TinyMNIST);
    expect(ds).toBeInstanceOf(MNIST);
    expect(ds.length).toBe(12);
    expect(ds.data.dtype).toBe('uint8');
    expect(ds.data.shape).toEqual([12, 28, 28]);
    expect(ds.targets.dtype).toBe('int32');
    expect(vals(ds.targets)).toEqual([...train.labels]);
    expect(vals(ds.data)).toEqual([...train.images]);
    expect((await readdir(join(root, 'TinyMNIST', 'raw'))).sort()).toEqual(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
    // Second time: from the cache, no download needed.
    const again = await TinyMNIST.create({ root, train: true });
    expect(again.length).toBe(12);
    const testSplit = await TinyMNIST.create({ root, train: false, download: true, mirrors: [`${server.url}/m`] });
    expect(testSplit.length).toBe(4);
    expect(testSplit.train).toBe(false);
  });

  it('getItem and getBatch agree, with the transform applied to the whole batch', async () => {
    const transform = new Compose([new ToTensor(), new Normalize([0.5], [0.5])]);
    const ds = await TinyMNIST.create({ root, download: true, mirrors: [`${server.url}/m`], transform });
    const [image, label] = ds.getItem(3);
    expect(image.shape).toEqual([1, 28, 28]);
    expect(label.shape).toEqual([]);
    expect(label.itemSync()).toBe(train.labels[3]);
    expect(image.readSync()[5]).toBeCloseTo((train.images[3 * 784 + 5] / 255 - 0.5) / 0.5, 6);
    const [images, labels] = ds.getBatch(Int32Array.of(7, 3));
    expect(images.shape).toEqual([2, 1, 28, 28]);
    expect(vals(labels)).toEqual([train.labels[7], train.labels[3]]);
    expect(vals(images.select(0, 1))).toEqual(vals(image));
    expect(() => ds.getItem(12)).toThrow(/TinyMNIST.getItem: index 12 is out of range for a dataset of length 12/);
  });

  it("keeps a CPU split's images on the host only until data is read", async () => {
    const before = memory().cpu.bytes;
    const ds = await TinyMNIST.create({ root, download: true, mirrors: [`${server.url}/m`] });
    expect(ds.sampleShape).toEqual([28, 28]);
    const [image] = ds.getItem(2);
    const [images] = ds.getBatch(Int32Array.of(2, 0));
    // Only the labels, the item and the batch (3 images) are on the device, not all 12 images.
    expect(memory().cpu.bytes - before).toBeLessThan(4 * 784);
    expect(vals(image)).toEqual(vals(images.select(0, 0)));
    // First read inside a tidy: the dataset's tensor outlives the scope.
    expect(tidy(() => ds.data.shape[0])).toBe(12);
    expect(ds.data.isDisposed).toBe(false);
    expect(vals(ds.data)).toEqual([...train.images]);
    expect(ds.data).toBe(ds.data);
    expect(memory().cpu.bytes - before).toBeGreaterThanOrEqual(15 * 784);
  });

  it('feeds a DataLoader (the PyTorch tutorial loop)', async () => {
    const trainset = await TinyMNIST.create({
      root,
      train: true,
      download: true,
      mirrors: [`${server.url}/m`],
      transform: new Compose([new ToTensor(), new Normalize([0.5], [0.5])]),
      targetTransform: { apply: (y) => y.add(100), applyBatch: (y) => y.add(100) },
    });
    const loader = new DataLoader(trainset, { batchSize: 5, shuffle: true });
    expect(loader.length).toBe(3);
    const seen: number[] = [];
    for await (const [images, labels] of loader) {
      expect(images.dtype).toBe('float32');
      expect(images.shape.slice(1)).toEqual([1, 28, 28]);
      expect(labels.dtype).toBe('int32');
      seen.push(...vals(labels));
    }
    expect(seen.sort()).toEqual([...train.labels].map((l) => l + 100).sort());
  });

  it('gives the same batches on a device without host reads (indexSelect and device-side normalize)', async () => {
    // A CPU-backed device that can only be read asynchronously, like WebGPU.
    if (!hasBackend('cpu-async')) {
      registerBackend(Object.create(getBackend('cpu'), { name: { value: 'cpu-async' }, readSync: { value: undefined } }));
    }
    const options = { root, download: true, mirrors: [`${server.url}/m`] };
    for (const transform of [undefined, new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])]), new ToTensor()]) {
      const host = await TinyMNIST.create({ ...options, transform });
      const device = await TinyMNIST.create({ ...options, transform, device: 'cpu-async' });
      const idx = Int32Array.of(11, 0, 5, 5);
      const [hx, hy] = host.getBatch(idx);
      const [dx, dy] = device.getBatch(idx);
      expect(dx.device).toBe('cpu-async');
      expect(dx.shape).toEqual(hx.shape);
      expect(dx.dtype).toBe(hx.dtype);
      const a = Array.from(await dx.read());
      const b = vals(hx);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
      expect(Array.from(await dy.read())).toEqual(vals(hy));
    }
  });

  it('names classes like torchvision', () => {
    expect(MNIST.meta.classes[0]).toBe('0 - zero');
    expect(MNIST.meta.classes[9]).toBe('9 - nine');
    expect(FashionMNIST.meta.classes).toEqual([
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ]);
    expect(KMNIST.meta.classes).toEqual(['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo']);
    expect(FashionMNIST.meta.folder).toBe('FashionMNIST');
  });

  it('fails clearly and caches nothing when a file is wrong', async () => {
    const bad = await serve({
      '/m/train-images-idx3-ubyte.gz': { body: makeSplit(12, 28, 28, 5).imagesGz },
      '/m/train-labels-idx1-ubyte.gz': { body: train.labelsGz },
    });
    try {
      await expect(TinyMNIST.create({ root, download: true, mirrors: [`${bad.url}/m`] })).rejects.toThrow(
        /could not get train-images-idx3-ubyte.gz from any mirror[\s\S]*has sha256/,
      );
      const files = await readdir(join(root, 'TinyMNIST', 'raw'));
      expect(files).toEqual(['train-labels-idx1-ubyte.gz']);
      await expect(TinyMNIST.create({ root })).rejects.toThrow(/train-images-idx3-ubyte.gz not found at .*pass download: true/);
    } finally {
      await bad.close();
    }
  });

  it('rejects out-of-range labels before caching them', async () => {
    const labels = encodeIdx({ type: 'uint8', shape: [12], data: Uint8Array.from({ length: 12 }, (_, i) => (i === 4 ? 10 : 1)) });
    const gz = new Uint8Array(gzipSync(labels));
    class BadLabels extends TinyMNIST {
      static override readonly meta: MnistMeta = {
        ...TinyMNIST.meta,
        train: { ...TinyMNIST.meta.train, labels: { name: 'train-labels-idx1-ubyte.gz' } },
      };
    }
    const bad = await serve({ '/m/train-images-idx3-ubyte.gz': { body: train.imagesGz }, '/m/train-labels-idx1-ubyte.gz': { body: gz } });
    try {
      await expect(BadLabels.create({ root, download: true, mirrors: [`${bad.url}/m`] })).rejects.toThrow(
        /train-labels-idx1-ubyte.gz has label 10 at position 4, expected 0..9/,
      );
      expect(await readdir(join(root, 'TinyMNIST', 'raw'))).toEqual(['train-images-idx3-ubyte.gz']);
    } finally {
      await bad.close();
    }
  });

  it('builds from bytes fetched elsewhere (gzipped or not)', () => {
    const ds = MNIST.fromBytes(train.imagesGz, train.labelsIdx);
    expect(ds.length).toBe(12);
    expect(vals(ds.targets)).toEqual([...train.labels]);
    expect(() => MNIST.fromBytes(train.imagesGz, test.labelsIdx)).toThrow(/12 images but 4 labels/);
  });
});
