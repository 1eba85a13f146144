// No `import '@kindling/data/node'` here: this file checks what Node users see without it.
import './setup.js';
import { afterEach, describe, expect, it } from 'vitest';
import { CIFAR10, DatasetError, MNIST, getDefaultStore } from '../src/index.js';
import { makeSplit, serve, tinyMnistMeta } from './helpers.js';

const split = makeSplit(3, 28, 28, 5);

/** MNIST pointed at three generated images. */
class TinyMNIST extends MNIST {
  static override readonly meta = tinyMnistMeta(split);
}

const HINT = "add import '@kindling/data/node' (or import 'kindling', which does it)";
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('Node without @kindling/data/node', () => {
  it('says which import reads local folders, instead of a fetch error', async () => {
    expect(getDefaultStore()).toBeNull();
    const error = await TinyMNIST.create({ root: '/tmp/kindling-data' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toBe(
      `TinyMNIST: root "/tmp/kindling-data" is on disk, but no dataset store for Node's file system is installed; ${HINT}`,
    );
    await expect(MNIST.create({ download: true })).rejects.toThrow(
      `MNIST: the default cache folder is on disk, but no dataset store for Node's file system is installed; ${HINT}`,
    );
    await expect(CIFAR10.create({ root: 'data' })).rejects.toThrow(HINT);
    await expect(TinyMNIST.create({ root: 'http://127.0.0.1:9/x/', download: true, mirrors: ['./local-mirror'] })).rejects.toThrow(
      `TinyMNIST: mirror "./local-mirror" is on disk, but`,
    );
  });

  it('still fetches a root that is a URL', async () => {
    const server = await serve({
      '/m/train-images-idx3-ubyte.gz': { body: split.imagesGz },
      '/m/train-labels-idx1-ubyte.gz': { body: split.labelsGz },
    });
    close = server.close;
    const ds = await TinyMNIST.create({ root: `${server.url}/m/` });
    expect(ds.length).toBe(3);
    expect(await ds.targets.tolist()).toEqual([...split.labels]);
  });
});
