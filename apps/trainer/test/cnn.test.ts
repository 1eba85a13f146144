import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors } from '@kindling/checkpoint';
import { saveFile } from '@kindling/checkpoint/node';
import '@kindling/backend-cpu';
import { buildMlp, mlpSpecMetadata, modelSpecParameterCount } from '@kindling/nn';
import { CIFAR10_PRESET, MNIST_CNN_PRESET, mergeConfig, presetConfig } from '../src/config.js';
import { modelSpecFor } from '../src/models.js';
import { MNIST } from '@kindling/data';
import { assertBuilt, jsonLines, runCli, writeToyDataset } from './helpers.js';

let dir: string;
let data: string;
const toy = () => ['--dataset', 'idx', '--data-dir', data, '--batch-size', '32'];

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kindling-trainer-cnn-'));
  data = join(dir, 'data');
  await writeToyDataset(data);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function toyTrainPixels(): Promise<Uint8Array> {
  const read = (name: string) => readFile(join(data, name)).then((b) => new Uint8Array(b));
  const set = MNIST.fromBytes(await read('train-images-idx3-ubyte.gz'), await read('train-labels-idx1-ubyte'));
  return set.data.readSync() as Uint8Array;
}

const MNIST_SHAPE = { image: [1, 28, 28] as const, classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], dataset: 'mnist' };

describe('the networks the presets build', () => {
  it("mnist-cnn is PyTorch's examples/mnist Net: 1,199,882 parameters", () => {
    const spec = modelSpecFor(MNIST_CNN_PRESET, MNIST_SHAPE);
    expect(spec.layers.map((l) => l.type)).toEqual([
      'Conv2d',
      'ReLU',
      'Conv2d',
      'ReLU',
      'MaxPool2d',
      'Dropout',
      'Flatten',
      'Linear',
      'ReLU',
      'Dropout',
      'Linear',
      'LogSoftmax',
    ]);
    expect(spec.layers[7].args).toEqual([9216, 128]);
    expect(spec.layers[5].args).toEqual([0.25]);
    expect(spec.layers[9].args).toEqual([0.5]);
    expect(spec.inputShape).toEqual([1, 28, 28]);
    expect(modelSpecParameterCount(spec)).toBe(1_199_882);
  });

  it("cifar10 is the 60-minute blitz's Net: 400-120-84-10 head, 62,006 parameters, logits", () => {
    const spec = modelSpecFor(CIFAR10_PRESET, { image: [3, 32, 32], classes: [...'abcdefghij'], dataset: 'cifar10' });
    expect(spec.layers.filter((l) => l.type === 'Linear').map((l) => l.args)).toEqual([
      [400, 120],
      [120, 84],
      [84, 10],
    ]);
    expect(spec.layers.at(-1)?.type).toBe('Linear');
    expect(modelSpecParameterCount(spec)).toBe(62_006);
    expect(CIFAR10_PRESET).toMatchObject({ optimizer: 'sgd', lr: 0.001, momentum: 0.9, batchSize: 4, loss: 'cross-entropy' });
  });

  it("the CNN presets normalise by the dataset's statistics as examples/mnist does; the blitz by 0.5", () => {
    expect(presetConfig('mnist-cnn').normalize).toBe('dataset');
    expect(presetConfig('fashion-cnn').normalize).toBe('dataset');
    expect(presetConfig('cifar10').normalize).toBe('half');
    expect(presetConfig('mnist').normalize).toBe('half');
  });

  it('presets are copies, and --model picks the network', () => {
    const a = presetConfig('mnist-cnn');
    a.hidden.push(1);
    expect(presetConfig('mnist-cnn').hidden).toEqual([128]);
    expect(mergeConfig(presetConfig('mnist'), { model: 'lenet' }).model).toBe('lenet');
    expect(() => mergeConfig(presetConfig('mnist'), { model: 'resnet' })).toThrow(/--model: got "resnet", expected one of mlp, cnn, lenet/);
  });

  it('a CNN that does not fit the images is refused naming the model', () => {
    const tiny = { image: [1, 8, 8] as const, classes: ['a', 'b'], dataset: 'idx' };
    expect(() => modelSpecFor(presetConfig('cifar10'), tiny)).toThrow(/--model lenet: images of 1×8×8 \(idx\) are too small/);
  });
});

describe('kindling-train with a CNN', () => {
  let checkpoint: string;
  let run: { code: number | null; stdout: string; stderr: string };
  beforeAll(async () => {
    const out = join(dir, 'cnn');
    const args = [...toy(), '--model', 'cnn', '--hidden', '16', '--optimizer', 'adadelta', '--lr', '1', '--normalize', 'dataset'];
    run = await runCli(['train', ...args, '--epochs', '1', '--json', '--out', out]);
    checkpoint = join(out, 'best.safetensors');
  });

  it('trains from the images as [N, 1, 28, 28] and saves a checkpoint describing its layers', async () => {
    expect(run.code, run.stderr).toBe(0);
    const [epoch] = jsonLines(run.stdout);
    expect(epoch.testAccuracy).toBeGreaterThan(0.9);
    const { metadata, tensors } = decodeSafetensors(new Uint8Array(await readFile(checkpoint)));
    const spec = JSON.parse(metadata['kindling.model']) as {
      layers: Array<{ type: string }>;
      inputShape: number[];
      normalize: { mean: number[]; std: number[] };
    };
    expect(spec.layers[0]).toEqual({ type: 'Conv2d', args: [1, 32, 3] });
    expect(spec.inputShape).toEqual([1, 28, 28]);
    // --normalize dataset: the toy training images' own mean and std (noise in [0, 90), two bright rows of 28).
    const pixels = await toyTrainPixels();
    const mean = pixels.reduce((a, b) => a + b, 0) / pixels.length / 255;
    const std = Math.sqrt(pixels.reduce((a, b) => a + (b / 255 - mean) ** 2, 0) / pixels.length);
    expect(spec.normalize.mean[0]).toBeCloseTo(mean, 4);
    expect(spec.normalize.std[0]).toBeCloseTo(std, 4);
    expect(tensors['0.weight'].shape).toEqual([32, 1, 3, 3]);
    expect(tensors['6.weight'].shape).toEqual([16, 9216]); // no dropout layers at --dropout 0
    // The seeds' MLP keys describe MLPs only.
    expect(metadata.hidden_layers).toBeUndefined();
  });

  it('info, eval and predict rebuild it from the file alone', async () => {
    const info = await runCli(['info', checkpoint]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/model +CNN Conv2d\(1, 32, 3\) → Conv2d\(32, 64, 3\) → MaxPool2d\(2\) → Flatten\(\) → Linear\(9216, 16\)/);
    expect(info.stdout).toMatch(/0\.weight +float32 \[32, 1, 3, 3\]/);

    const evaluated = await runCli(['eval', checkpoint, '--data-dir', data, '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect((JSON.parse(evaluated.stdout) as { accuracy: number }).accuracy).toBeGreaterThan(0.9);

    const png = new PNG({ width: 28, height: 28 });
    for (let p = 0; p < 784; p++) {
      const v = Math.floor(p / 28) === 10 || Math.floor(p / 28) === 11 ? 230 : 20; // class 3's bar
      png.data.set([v, v, v, 255], 4 * p);
    }
    const pngFile = join(dir, 'three.png');
    await writeFile(pngFile, PNG.sync.write(png));
    const predicted = await runCli(['predict', checkpoint, pngFile, '--json']);
    expect(predicted.code, predicted.stderr).toBe(0);
    expect((JSON.parse(predicted.stdout) as { top: Array<{ class: number }> }).top[0].class).toBe(3);

    const wrongSize = join(dir, 'small.png');
    await writeFile(wrongSize, PNG.sync.write(new PNG({ width: 20, height: 20 })));
    const refused = await runCli(['predict', checkpoint, wrongSize]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/small\.png: image is 20×20, the model expects 28×28 images/);
  });

  it("--model lenet sizes the blitz Net's head for 28×28 images", async () => {
    const r = await runCli([
      'train',
      ...toy(),
      '--model',
      'lenet',
      '--hidden',
      '32',
      '--epochs',
      '1',
      '--json',
      '--out',
      join(dir, 'lenet'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { tensors } = decodeSafetensors(new Uint8Array(await readFile(join(dir, 'lenet', 'best.safetensors'))));
    expect(tensors['7.weight'].shape).toEqual([32, 256]);
  });
});

describe('--preset cifar10', () => {
  it('fetches the CIFAR-10 binary archive from --mirror and refuses one that fails its checksum', async () => {
    const mirror = join(dir, 'cifar-mirror');
    await mkdir(mirror, { recursive: true });
    await writeFile(join(mirror, 'cifar-10-binary.tar.gz'), new Uint8Array(1000).fill(7));
    const r = await runCli(['train', '--preset', 'cifar10', '--mirror', mirror, '--data-dir', join(dir, 'cifar-cache')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Fetching cifar-10-binary.tar.gz from ${join(mirror, 'cifar-10-binary.tar.gz')}`);
    expect(r.stderr).toMatch(/^kindling-train: error: download: could not get cifar-10-binary\.tar\.gz from any mirror/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('checkpoints of earlier versions', () => {
  it('an MLP checkpoint with the old MLP-only description still loads', async () => {
    const spec = {
      type: 'mlp' as const,
      inputSize: 784,
      outputSize: 10,
      hidden: [24],
      dropout: 0,
      logSoftmax: true,
      dataset: 'mnist',
      classes: [...'0123456789'],
    };
    const file = join(dir, 'old-mlp.safetensors');
    await saveFile(buildMlp(spec).stateDict(), file, { metadata: mlpSpecMetadata(spec) });
    const r = await runCli(['info', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/model +MLP 784-24-10, LogSoftmax output/);
  });
});
