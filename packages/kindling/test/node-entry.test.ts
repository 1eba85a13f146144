// Only `kindling` is imported (its `node` export condition, from sources through `kindling-source`):
// no `@kindling/data/node`, no `@kindling/checkpoint/node`.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as kd from 'kindling';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
// Generated IDX files only; this imports no Node entry.
import { makeSplit, tinyMnistMeta } from '../../data/test/helpers.js';

const { data, nn } = kd;

const split = makeSplit(6);

/** The real MNIST class pointed at the six generated images. */
class TinyMNIST extends data.MNIST {
  static override readonly meta = tinyMnistMeta(split);
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kindling-node-entry-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("import 'kindling' in Node", () => {
  it('loads MNIST from a local mirror folder into the disk cache, then from the cache', async () => {
    const mirror = join(dir, 'mirror');
    await mkdir(mirror);
    await writeFile(join(mirror, 'train-images-idx3-ubyte.gz'), split.imagesGz);
    await writeFile(join(mirror, 'train-labels-idx1-ubyte.gz'), split.labelsGz);
    const root = join(dir, 'cache');
    const transform = new data.Compose([new data.ToTensor(), new data.Normalize([0.5], [0.5])]);
    const trainset = await TinyMNIST.create({ root, download: true, mirrors: [mirror], transform });
    expect((await readdir(join(root, 'TinyMNIST', 'raw'))).sort()).toEqual(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
    const cached = await TinyMNIST.create({ root, train: true });
    expect(kd.len(cached)).toBe(6);

    // The tutorials' first cell: images, labels = next(iter(trainloader)).
    const trainloader = new data.DataLoader(trainset, { batchSize: 4, shuffle: false });
    expect([kd.len(trainloader), kd.len(trainloader.dataset)]).toEqual([2, 6]);
    const [images, labels] = await kd.next(kd.iter(trainloader));
    expectTypeOf(images).toEqualTypeOf<kd.Tensor>();
    expect(images.shape).toEqual([4, 1, 28, 28]);
    expect(await labels.tolist()).toEqual([...split.labels.slice(0, 4)]);
  });

  it('has the Node helpers in kd.data and kd.checkpoint', () => {
    expect(typeof kd.data.FileStore).toBe('function');
    expect(typeof kd.data.defaultDataDir).toBe('function');
    expect(typeof kd.checkpoint.saveFile).toBe('function');
    expect(typeof kd.checkpoint.loadTrainingStateFile).toBe('function');
  });

  it('saves and loads a checkpoint dict like torch.save / torch.load, so load_checkpoint ports as written', async () => {
    kd.manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
    const filepath = join(dir, 'checkpoint.safetensors');
    const checkpoint = { input_size: 4, output_size: 2, hidden_layers: [3], state_dict: model.stateDict() };
    await kd.save(checkpoint, filepath);

    const loaded = await kd.load<{
      input_size: number;
      output_size: number;
      hidden_layers: number[];
      state_dict: Record<string, kd.Tensor>;
    }>(filepath);
    const fresh = new nn.Sequential(
      new nn.Linear(loaded.input_size, loaded.hidden_layers[0] as number),
      new nn.ReLU(),
      new nn.Linear(3, loaded.output_size),
    );
    fresh.loadStateDict(loaded.state_dict);
    const x = kd.randn(5, 4);
    const diff = kd.noGrad(() => fresh.forward(x).sub(model.forward(x)).abs().max());
    expect(await diff.item()).toBe(0);
    // The state-dict-only byte functions keep their names under kd.checkpoint.
    expect(kd.checkpoint.load(await kd.checkpoint.save(model.stateDict())).stateDict['0.weight']?.shape).toEqual([3, 4]);
  });

  it('refuses to save a module, pointing at its state dict', async () => {
    const model = new nn.Linear(2, 2);
    await expect(kd.save({ model }, join(dir, 'bad.safetensors'))).rejects.toThrow(
      'encodeObject: obj.model is a Linear (it has stateDict()), expected tensors and JSON values: save its stateDict(), e.g. model.stateDict()',
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
