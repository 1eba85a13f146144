import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeSafetensors } from '@kindling/checkpoint';
import { MLP_SPEC_METADATA_KEY } from '@kindling/nn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, writeToyDataset } from './helpers.js';

/*
 * Bounded work from untrusted sizes (issue 17): a checkpoint's metadata, a
 * PNG header, a gzip stream and size flags are checked before anything of
 * that size is allocated. Each case runs the built binary and expects one
 * line on stderr, a non-zero exit and no stack trace.
 */

let dir: string;
beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kindling-bounds-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A small MLP checkpoint (784-16-10) whose metadata describes `hidden` instead of [16]. */
async function mlpCheckpoint(name: string, hidden: number[]): Promise<string> {
  const t = (shape: number[]) => ({ dtype: 'float32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  const tensors = { '0.weight': t([16, 784]), '0.bias': t([16]), '2.weight': t([10, 16]), '2.bias': t([10]) };
  const spec = { type: 'mlp', inputSize: 784, outputSize: 10, hidden, dropout: 0, logSoftmax: true, dataset: 'mnist' };
  const file = join(dir, name);
  await writeFile(file, encodeSafetensors(tensors, { [MLP_SPEC_METADATA_KEY]: JSON.stringify(spec) }));
  return file;
}

function expectOneLineRefusal(r: { code: number | null; stderr: string }, message: RegExp): void {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
}

describe('checkpoint metadata is checked against the file before building', () => {
  it('info refuses a description larger than the tensors, quickly', async () => {
    const file = await mlpCheckpoint('big-claim.safetensors', [250000]);
    const start = Date.now();
    const r = await runCli(['info', file]);
    expectOneLineRefusal(
      r,
      /big-claim\.safetensors: "0\.weight": the model description \(layers\[0\] Linear\(784, 250000\)\) implies shape \[250000, 784\], the file holds \[16, 784\]/,
    );
    expect(Date.now() - start).toBeLessThan(10_000);
  });

  it('info refuses hidden: [100000000] with a message, not a crash', async () => {
    const r = await runCli(['info', await mlpCheckpoint('huge-claim.safetensors', [100000000])]);
    expectOneLineRefusal(
      r,
      /huge-claim\.safetensors: "kindling\.model": does not describe an MLP: hidden\[0\] must be an integer in \[1, 16777216\], got 100000000/,
    );
  });

  it('a matching checkpoint still loads', async () => {
    const r = await runCli(['info', await mlpCheckpoint('fine.safetensors', [16])]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/MLP 784-16-10/);
  });
});

describe('predict checks image headers before decoding', () => {
  it('refuses a 20000×20000 PNG from its IHDR', async () => {
    const png = new Uint8Array(33);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    const dv = new DataView(png.buffer);
    dv.setUint32(16, 20000);
    dv.setUint32(20, 20000);
    png.set([8, 6, 0, 0, 0], 24);
    const image = join(dir, 'huge.png');
    await writeFile(image, png);
    const r = await runCli(['predict', await mlpCheckpoint('model.safetensors', [16]), image]);
    expectOneLineRefusal(
      r,
      /huge\.png: the PNG is 20000×20000 \(400,000,000 pixels\), more than the 16,777,216 \(4096×4096\) predict reads/,
    );
  });
});

describe('gzip inflation stops at the size the data promises', () => {
  it('a bomb among the IDX files is refused at its header size', async () => {
    const data = join(dir, 'bomb-data');
    await writeToyDataset(data, 64, 16);
    // A header for 64 images (50,192 bytes), then 64 MiB of zeros.
    const raw = new Uint8Array(16 + (64 << 20));
    const dv = new DataView(raw.buffer);
    for (const [i, v] of [0x0803, 64, 28, 28].entries()) dv.setUint32(4 * i, v);
    await writeFile(join(data, 'train-images-idx3-ubyte.gz'), gzipSync(raw, { level: 9 }));
    const r = await runCli(['train', '--dataset', 'idx', '--data-dir', data, '--epochs', '1', '--out', join(dir, 'out')]);
    expectOneLineRefusal(
      r,
      /train-images-idx3-ubyte\.gz inflates to more than 50192 bytes, the size of the \[64, 28, 28\] uint8 IDX file its IDX header describes: the file is larger than its header says/,
    );
  });
});

describe('size flags are bounded', () => {
  it.each([
    [['--hidden', '100000000'], /--hidden: got "100000000", each size must be at most 65536/],
    [
      ['--hidden', '60000,60000'],
      /--hidden: 60000,60000 makes fully connected layers of [\d,]+ parameters on mnist, more than the 134,217,728/,
    ],
    [['--batch-size', '1e300'], /--batch-size: got "1e300", expected a positive integer/],
    [['--epochs', '1e20'], /--epochs: got "1e20", expected a positive integer/],
  ])('%j', async (args, message) => {
    expectOneLineRefusal(await runCli(['train', ...args]), message);
  });
});
