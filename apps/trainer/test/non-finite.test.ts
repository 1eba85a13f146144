import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@kindling/backend-cpu';
import { decodeSafetensors, encodeSafetensors } from '@kindling/checkpoint';
import { rand, scalar, tensor, zeros } from '@kindling/tensor';
import { TrainingDivergedError } from '../src/divergence.js';
import { NonFiniteWatch, WEIGHT_CHECK_READS } from '../src/non-finite-watch.js';
import { assertBuilt, runCli, writeToyDataset } from './helpers.js';

// Runs of the built CLI on a tiny dataset that diverge within a few steps: SGD at lr 1e20 makes the
// weights huge after the first update and the loss NaN at the second (checked on this data and seed).

let dir: string;
let data: string;
const toy = () => ['--dataset', 'idx', '--data-dir', data, '--hidden', '32', '--batch-size', '32'];
const ONE_LINE = /^kindling-train: error: [^\n]+\n$/;

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kindling-non-finite-'));
  data = join(dir, 'data');
  await writeToyDataset(data);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A good one-epoch run in `out`, returning the bytes of its two checkpoints. */
async function goodRun(out: string): Promise<{ best: Buffer; last: Buffer }> {
  const r = await runCli(['train', ...toy(), '--epochs', '1', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return { best: await readFile(join(out, 'best.safetensors')), last: await readFile(join(out, 'last.safetensors')) };
}

/** The parts of a training checkpoint's stored JSON these tests edit. */
interface StoredTraining {
  optimizer: { param_groups: Array<Record<string, unknown>> };
  extra: { run: Record<string, unknown> };
  rng: Record<string, unknown>;
}

/** Rewrites a training checkpoint's stored JSON (the `kindling.training` metadata entry). */
async function editTraining(file: string, edit: (training: StoredTraining) => void): Promise<void> {
  const { tensors, metadata } = decodeSafetensors(new Uint8Array(await readFile(file)));
  const training = JSON.parse(metadata['kindling.training']) as StoredTraining;
  edit(training);
  await writeFile(file, encodeSafetensors(tensors, { ...metadata, 'kindling.training': JSON.stringify(training) }));
}

describe('kindling-train train: a run that diverges stops at the step it happens', () => {
  it('a NaN loss stops the run with one line naming epoch, step and lr, exit 3, and no checkpoint written', async () => {
    const out = join(dir, 'fresh');
    const r = await runCli(['train', ...toy(), '--lr', '1e20', '--epochs', '3', '--out', out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(ONE_LINE);
    expect(r.stderr).toBe('kindling-train: error: train: the loss became NaN at epoch 1, step 2 (lr 1e+20); try a lower --lr\n');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).not.toMatch(/Epoch 1:/);
    expect(await readdir(out).catch(() => [])).not.toContain('best.safetensors');
    expect(await readdir(out).catch(() => [])).not.toContain('last.safetensors');
  });

  it('rerunning into a folder holding good checkpoints leaves best and last byte for byte, still loadable', async () => {
    const out = join(dir, 'keep');
    const before = await goodRun(out);
    const r = await runCli(['train', ...toy(), '--optimizer', 'adam', '--lr', '1e30', '--epochs', '2', '--out', out]);
    expect(r.code, r.stdout).toBe(3);
    expect(r.stderr).toMatch(ONE_LINE);
    expect(r.stderr).toMatch(/the (loss|weights) became (NaN|-?Infinity) (at|by) epoch 1, step \d+ \(lr 1e\+30\); try a lower --lr/);
    expect(await readFile(join(out, 'best.safetensors'))).toEqual(before.best);
    expect(await readFile(join(out, 'last.safetensors'))).toEqual(before.last);
    const info = await runCli(['info', join(out, 'last.safetensors')]);
    expect(info.code, info.stderr).toBe(0);
  });

  it('diverging after a resume names the resumed epoch and keeps the checkpoint it resumed from', async () => {
    const out = join(dir, 'resumed');
    await goodRun(out);
    const last = join(out, 'last.safetensors');
    // A finite but absurd stored learning rate: accepted on --resume, diverges in epoch 2.
    await editTraining(last, (t) => {
      t.optimizer.param_groups[0].lr = 1e20;
    });
    const before = await readFile(last);
    const best = await readFile(join(out, 'best.safetensors'));
    const r = await runCli(['train', ...toy(), '--epochs', '3', '--resume', last, '--out', out]);
    expect(r.code, r.stdout).toBe(3);
    expect(r.stderr).toMatch(ONE_LINE);
    expect(r.stderr).toMatch(/the loss became NaN at epoch 2, step \d+ \(lr 1e\+20\); try a lower --lr/);
    expect(await readFile(last)).toEqual(before);
    expect(await readFile(join(out, 'best.safetensors'))).toEqual(best);
  });

  it('a non-finite optimizer state is caught before it is saved (Adam: ∞ in exp_avg_sq keeps weights and loss finite)', async () => {
    const out = join(dir, 'optimizer-state');
    const good = await runCli(['train', ...toy(), '--optimizer', 'adam', '--lr', '0.001', '--epochs', '1', '--out', out]);
    expect(good.code, good.stderr).toBe(0);
    const last = join(out, 'last.safetensors');
    const { tensors, metadata } = decodeSafetensors(new Uint8Array(await readFile(last)));
    const key = Object.keys(tensors).find((k) => k.endsWith('/exp_avg_sq')) as string;
    (tensors[key].data as Float32Array)[0] = Number.POSITIVE_INFINITY;
    await writeFile(last, encodeSafetensors(tensors, metadata));
    const before = await readFile(last);
    const best = await readFile(join(out, 'best.safetensors'));
    const r = await runCli(['train', ...toy(), '--epochs', '2', '--resume', last, '--out', out]);
    expect(r.code, r.stdout).toBe(3);
    expect(r.stderr).toBe(
      'kindling-train: error: train: the optimizer state became Infinity by epoch 2, step 20 (lr 0.001); try a lower --lr\n',
    );
    expect(await readFile(last)).toEqual(before);
    expect(await readFile(join(out, 'best.safetensors'))).toEqual(best);
  });

  it('--json ends with one structured object naming the failure', async () => {
    const r = await runCli(['train', ...toy(), '--lr', '1e20', '--json', '--out', join(dir, 'json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(ONE_LINE);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      error: 'diverged',
      quantity: 'loss',
      value: 'NaN',
      epoch: 1,
      step: 2,
      globalStep: 2,
      lr: 1e20,
      message: 'train: the loss became NaN at epoch 1, step 2 (lr 1e+20); try a lower --lr',
    });
  });
});

describe('kindling-train train --resume: stored hyper-parameters must be finite numbers in range', () => {
  let good: string;
  beforeAll(async () => {
    good = join(dir, 'source');
    await goodRun(good);
  });

  const cases: Array<[string, (t: StoredTraining) => void, RegExp]> = [
    [
      'a NaN learning rate (JSON null)',
      (t) => {
        t.optimizer.param_groups[0].lr = null;
      },
      /stored optimizer\.param_groups\[0\]\.lr is null, expected a learning rate ≥ 0$/,
    ],
    [
      'a learning rate that is a string',
      (t) => {
        t.optimizer.param_groups[0].lr = 'abc';
      },
      /stored optimizer\.param_groups\[0\]\.lr is "abc", expected a learning rate ≥ 0$/,
    ],
    [
      'a negative learning rate',
      (t) => {
        t.optimizer.param_groups[0].lr = -1;
      },
      /stored optimizer\.param_groups\[0\]\.lr is -1, expected a learning rate ≥ 0$/,
    ],
    [
      'momentum out of range',
      (t) => {
        t.optimizer.param_groups[0].momentum = 5;
      },
      /stored optimizer\.param_groups\[0\]\.momentum is 5, expected a number in \[0, 1\]$/,
    ],
    [
      'a boolean that is a number',
      (t) => {
        t.optimizer.param_groups[0].nesterov = 1;
      },
      /stored optimizer\.param_groups\[0\]\.nesterov is 1, expected true or false$/,
    ],
    [
      'a NaN running loss',
      (t) => {
        t.extra.run.partialLossSum = null;
      },
      /stored run\.partialLossSum is null, expected a number ≥ 0$/,
    ],
    [
      'a fractional batch position',
      (t) => {
        t.extra.run.batchInEpoch = 1.5;
      },
      /stored run\.batchInEpoch is 1\.5, expected a whole number ≥ 0$/,
    ],
    [
      'an unparsable generator seed',
      (t) => {
        t.rng.seed = 'x';
      },
      /stored rng\.seed is "x", expected a seed of decimal digits$/,
    ],
  ];

  it.each(cases)('refuses %s with one line naming the field', async (_name, edit, message) => {
    const file = join(dir, `bad-${Math.random().toString(36).slice(2)}.safetensors`);
    await copyFile(join(good, 'last.safetensors'), file);
    await editTraining(file, edit);
    const before = await readFile(file);
    const out = join(dir, `bad-out-${Math.random().toString(36).slice(2)}`);
    await mkdir(out);
    const r = await runCli(['train', ...toy(), '--epochs', '2', '--resume', file, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(ONE_LINE);
    expect(r.stderr.trimEnd()).toMatch(new RegExp(`^kindling-train: error: --resume ${file.replace(/[.]/g, '\\.')}: `));
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(await readFile(file)).toEqual(before);
    expect(await readdir(out)).toEqual([]);
  });

  it('accepts the checkpoint it wrote itself', async () => {
    const r = await runCli(['train', ...toy(), '--epochs', '2', '--resume', join(good, 'last.safetensors'), '--out', good]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('NonFiniteWatch (the check behind the messages above)', () => {
  const at = (step: number) => ({ epoch: 1, step, globalStep: step, lr: 0.1 });
  const feed = (watch: NonFiniteWatch, losses: number[]): void => {
    for (const [i, v] of losses.entries()) watch.observe(scalar(v), at(i + 1));
  };

  it('returns the running loss sum when everything is finite', async () => {
    const watch = new NonFiniteWatch([tensor([1, 2, 3])]);
    feed(watch, [1, 2, 3]);
    await expect(watch.read(at(3))).resolves.toBe(6);
  });

  it('sums loss × samples bit for bit as the float32 running sum on the device did', async () => {
    const watch = new NonFiniteWatch([tensor([1, 2, 3])]);
    const losses = rand([20]).mul(3).readSync() as Float32Array;
    const samples = Array.from({ length: 20 }, (_, i) => (i === 19 ? 32 : 64));
    let pending = zeros([]);
    for (let i = 0; i < 20; i++) {
      const loss = scalar(losses[i]);
      watch.observe(loss, at(i + 1), samples[i]);
      pending = pending.add(loss.mul(samples[i]));
    }
    for (const beforeSave of [false, true]) {
      // The weights' flag (0 when finite) adds nothing: the same float32 either way.
      const expected = await pending.item();
      await expect(watch.read(at(20), beforeSave)).resolves.toBe(expected);
      watch.observe(scalar(losses[0]), at(1), 64);
      pending = scalar(losses[0]).mul(64);
    }
  });

  it('names the first step whose loss was not finite, not the step of the read', async () => {
    const watch = new NonFiniteWatch([tensor([1, 2, 3])]);
    feed(watch, [1, 2, Number.POSITIVE_INFINITY, Number.NaN, 4]);
    const read = watch.read(at(5));
    await expect(read).rejects.toThrow(new TrainingDivergedError({ quantity: 'loss', value: 'Infinity', ...at(3) }));
  });

  it('finds non-finite weights (where a non-finite gradient ends up) at a read before a save, even when every loss was finite', async () => {
    const watch = new NonFiniteWatch([tensor([1, 2]), tensor([3, Number.NaN])]);
    feed(watch, [1, 2]);
    const read = watch.read(at(2), true);
    await expect(read).rejects.toThrow('train: the weights became NaN by epoch 1, step 2 (lr 0.1); try a lower --lr');
  });

  it(`finds them within ${WEIGHT_CHECK_READS} reads otherwise`, async () => {
    const watch = new NonFiniteWatch([tensor([Number.NEGATIVE_INFINITY, 2])]);
    let failed = 0;
    for (let read = 1; read <= WEIGHT_CHECK_READS && !failed; read++) {
      feed(watch, [1]);
      await watch.read(at(read)).catch((e: Error) => {
        expect(e.message).toBe(`train: the weights became -Infinity by epoch 1, step ${read} (lr 0.1); try a lower --lr`);
        failed = read;
      });
    }
    expect(failed).toBeGreaterThan(0);
  });
});
