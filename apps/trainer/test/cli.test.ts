import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors } from '@kindling/checkpoint';
import { assertBuilt, jsonLines, runCli, writeToyDataset } from './helpers.js';

let dir: string;
let data: string;
const toy = () => ['--dataset', 'idx', '--data-dir', data, '--hidden', '32', '--batch-size', '32'];

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kindling-trainer-'));
  data = join(dir, 'data');
  await writeToyDataset(data);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function modelTensors(file: string): Promise<Record<string, number[]>> {
  const { tensors } = decodeSafetensors(new Uint8Array(await readFile(file)));
  return Object.fromEntries(
    Object.entries(tensors)
      .filter(([k]) => !k.startsWith('optimizer/'))
      .map(([k, t]) => [k, Array.from(t.data)]),
  );
}

describe('kindling-train train', () => {
  it('--json prints one object per epoch with the documented fields, and saves best and last checkpoints', async () => {
    const out = join(dir, 'json-run');
    const r = await runCli(['train', ...toy(), '--optimizer', 'adam', '--lr', '0.003', '--epochs', '2', '--json', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(lines.map((l) => l.epoch)).toEqual([1, 2]);
    for (const l of lines) {
      for (const key of ['trainLoss', 'testLoss', 'testAccuracy', 'seconds', 'samplesPerSecond']) expect(l[key], key).toBeTypeOf('number');
    }
    expect(lines[1].testAccuracy).toBeGreaterThan(0.9);
    expect(lines[1].trainLoss).toBeLessThan(lines[0].trainLoss);
    const best = await readFile(join(out, 'best.safetensors'));
    expect(decodeSafetensors(new Uint8Array(best)).metadata.hidden_layers).toBe('[32]');
  });

  it('human output on a non-TTY: epoch lines and final tables, no progress bar escape codes', async () => {
    const r = await runCli(['train', ...toy(), '--epochs', '1', '--out', join(dir, 'human-run')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Training MLP 784-32-10 .* on idx/);
    expect(r.stdout).toMatch(/Epoch 1: train loss \d\.\d{4}, test loss \d\.\d{4}, test accuracy \d+\.\d\d%/);
    expect(r.stdout).toContain('Per-class test accuracy');
    expect(r.stdout).toContain('Confusion matrix');
    expect(r.stdout).not.toContain('ETA');
  });

  it('--resume continues exactly: 1 epoch + resume to 3 equals 3 epochs straight', async () => {
    const common = [
      ...toy(),
      '--dropout',
      '0.1',
      '--optimizer',
      'sgd',
      '--momentum',
      '0.9',
      '--lr',
      '0.01',
      '--scheduler',
      'step',
      '--gamma',
      '0.5',
      '--json',
    ];
    const straight = await runCli(['train', ...common, '--epochs', '3', '--out', join(dir, 'straight')]);
    expect(straight.code, straight.stderr).toBe(0);
    const first = await runCli(['train', ...common, '--epochs', '1', '--out', join(dir, 'split')]);
    expect(first.code, first.stderr).toBe(0);
    const resumed = await runCli([
      'train',
      ...common,
      '--epochs',
      '3',
      '--out',
      join(dir, 'split'),
      '--resume',
      join(dir, 'split', 'last.safetensors'),
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonLines(resumed.stdout).map((l) => l.epoch)).toEqual([2, 3]);
    expect(jsonLines(resumed.stdout).map((l) => l.trainLoss)).toEqual(
      jsonLines(straight.stdout)
        .slice(1)
        .map((l) => l.trainLoss),
    );
    expect(await modelTensors(join(dir, 'split', 'last.safetensors'))).toEqual(
      await modelTensors(join(dir, 'straight', 'last.safetensors')),
    );
  });

  it('Ctrl-C saves a resumable checkpoint and exits cleanly; resuming ends where an uninterrupted run ends', async () => {
    const common = [...toy(), '--dropout', '0.2', '--batch-size', '8', '--json'];
    const straight = await runCli(['train', ...common, '--epochs', '6', '--out', join(dir, 'sig-straight')]);
    expect(straight.code, straight.stderr).toBe(0);
    const out = join(dir, 'sig');
    let sent = false;
    const interrupted = await runCli(['train', ...common, '--epochs', '6', '--out', out], {
      onStdout: (text, kill) => {
        if (!sent && text.includes('"epoch":1')) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(interrupted.stderr).toMatch(/interrupted: saved a resumable checkpoint/);
    const stoppedAt = jsonLines(interrupted.stdout).length;
    expect(stoppedAt).toBeLessThan(6);
    const resumed = await runCli(['train', ...common, '--epochs', '6', '--out', out, '--resume', join(out, 'last.safetensors')]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonLines(resumed.stdout)[0].epoch).toBe(stoppedAt + 1);
    expect(await modelTensors(join(out, 'last.safetensors'))).toEqual(await modelTensors(join(dir, 'sig-straight', 'last.safetensors')));
  });

  it('reads settings from a YAML --config, flags winning', async () => {
    const config = join(dir, 'run.yaml');
    await writeFile(config, `dataset: idx\ndata-dir: ${data}\nhidden: [16]\nepochs: 5\nbatch_size: 64\n`);
    const r = await runCli(['train', '--config', config, '--epochs', '1', '--json', '--out', join(dir, 'yaml-run')]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)).toHaveLength(1);
    const { metadata } = decodeSafetensors(new Uint8Array(await readFile(join(dir, 'yaml-run', 'last.safetensors'))));
    expect(metadata.hidden_layers).toBe('[16]');
  });
});

describe('kindling-train eval, predict, info', () => {
  let checkpoint: string;
  beforeAll(async () => {
    const out = join(dir, 'trained');
    const r = await runCli(['train', ...toy(), '--optimizer', 'adam', '--epochs', '2', '--json', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    checkpoint = join(out, 'best.safetensors');
  });

  it('eval reports the accuracy of a checkpoint on the test split', async () => {
    const r = await runCli(['eval', checkpoint, '--data-dir', data, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { accuracy: number; samples: number; confusion: number[][] };
    expect(result.samples).toBe(200);
    expect(result.accuracy).toBeGreaterThan(0.9);
    expect(result.confusion.flat().reduce((a, b) => a + b)).toBe(200);
  });

  it('predict classifies PNG and IDX images with top-k probabilities', async () => {
    const png = new PNG({ width: 28, height: 28 });
    for (let p = 0; p < 784; p++) {
      const v = Math.floor(p / 28) === 10 || Math.floor(p / 28) === 11 ? 230 : 20; // class 3's bar
      png.data.set([v, v, v, 255], 4 * p);
    }
    const pngFile = join(dir, 'three.png');
    await writeFile(pngFile, PNG.sync.write(png));
    const r = await runCli(['predict', checkpoint, pngFile, join(data, 't10k-images-idx3-ubyte.gz'), '--top-k', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const preds = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { image: string; top: Array<{ class: number; probability: number }> });
    expect(preds).toHaveLength(201);
    expect(preds[0].image).toBe(pngFile);
    expect(preds[0].top[0].class).toBe(3);
    expect(preds[0].top).toHaveLength(2);
    expect(preds[0].top[0].probability).toBeGreaterThanOrEqual(preds[0].top[1].probability);
    const human = await runCli(['predict', checkpoint, pngFile]);
    expect(human.stdout).toMatch(/3 - three +█+ +\d+\.\d%/);
  });

  it('info describes the checkpoint', async () => {
    const r = await runCli(['info', checkpoint]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/MLP 784-32-10/);
    expect(r.stdout).toMatch(/0\.weight +float32 \[32, 784\]/);
  });

  it('--help exists for every subcommand', async () => {
    for (const cmd of ['train', 'eval', 'predict', 'info']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: kindling-train ${cmd}`);
    }
  });
});

describe('kindling-train bad input: one line naming the problem, non-zero exit', () => {
  it.each([
    [['train', '--bogus'], /unknown option '--bogus'/],
    [['train', '--lr', '-1'], /--lr: got "-1", expected a positive learning rate/],
    [['train', '--optimizer', 'lbfgs'], /--optimizer.*lbfgs.*Allowed choices are sgd, adam, adamw/],
    [['train', '--hidden', '12,x'], /--hidden: got "12,x"/],
    [['train', '--dataset', 'idx'], /--dataset idx needs --data-dir/],
    [['eval', 'missing.safetensors'], /missing\.safetensors/],
    [['train', '--config', 'nope.yaml'], /--config nope\.yaml: cannot read \(ENOENT\)/],
  ])('%j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('data missing and the mirror unreachable', async () => {
    const r = await runCli(['train', '--data-dir', join(dir, 'empty-cache'), '--mirror', 'http://127.0.0.1:9/']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^kindling-train: error: .*train-images-idx3-ubyte\.gz/);
    // The whole message: the mirror's reason and the hint on their own lines (issue 17), no stack.
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^ {2,}http:\/\/127\.0\.0\.1:9\/: .*(refused|ECONNREFUSED)/);
    expect(lines.at(-1)).toMatch(/^ {2}.*KINDLING_DATA_MIRROR/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a checkpoint that does not fit the model', async () => {
    const out = join(dir, 'fit');
    expect((await runCli(['train', ...toy(), '--epochs', '1', '--json', '--out', out])).code).toBe(0);
    const r = await runCli(['train', ...toy(), '--hidden', '48', '--epochs', '2', '--out', out, '--resume', join(out, 'last.safetensors')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resume .*last\.safetensors: the checkpoint does not fit the model .*size mismatch/);
  });
});
