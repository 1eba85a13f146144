/**
 * Issue 17's attack list as one table, run against the BUILT CLI
 * (`node apps/trainer/dist/cli.js`): every row feeds one bad input and
 * expects a non-zero exit, the expected message on stderr (one line, or the
 * first line of a multi-cause message), no stack trace, no hang, and for
 * rows that could save, the previous checkpoint bytes unchanged.
 *
 * The library-level attack tests live next to the code they attack:
 * - NaN/Inf: apps/trainer/test/non-finite.test.ts, packages/autograd/test/anomaly.test.ts
 * - file-system errors and whole messages: apps/trainer/test/fs-errors.test.ts
 * - bounded sizes: apps/trainer/test/bounds.test.ts
 * - networks: apps/trainer/test/download-network-cli.test.ts, packages/data/test/download-network.test.ts
 * - CLI flags: apps/trainer/test/cli.test.ts
 * - checkpoints: the tests and fuzzers in packages/checkpoint/test (they keep running with the package's suite).
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeSafetensors, encodeSafetensors } from '@kindling/checkpoint';
import { MLP_SPEC_METADATA_KEY } from '@kindling/nn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../../packages/data/test/helpers.js';
import { assertBuilt, runCli, writeToyDataset } from './helpers.js';

let dir: string;
let data: string;
let good: string;
let aFile: string;
const toy = () => ['--dataset', 'idx', '--data-dir', data, '--hidden', '16', '--batch-size', '32'];
const at = (name: string) => join(dir, name);

const hashes = async (folder: string): Promise<Record<string, string>> =>
  Object.fromEntries(
    await Promise.all(
      (await readdir(folder)).map(async (n) => [
        n,
        createHash('sha256')
          .update(await readFile(join(folder, n)))
          .digest('hex'),
      ]),
    ),
  );

/** A small MLP checkpoint (784-16-10) whose metadata describes `hidden` instead of [16]. */
async function mlpCheckpoint(name: string, hidden: number[]): Promise<string> {
  const t = (shape: number[]) => ({ dtype: 'float32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  const tensors = { '0.weight': t([16, 784]), '0.bias': t([16]), '2.weight': t([10, 16]), '2.bias': t([10]) };
  const spec = { type: 'mlp', inputSize: 784, outputSize: 10, hidden, dropout: 0, logSoftmax: true, dataset: 'mnist' };
  const file = at(name);
  await writeFile(file, encodeSafetensors(tensors, { [MLP_SPEC_METADATA_KEY]: JSON.stringify(spec) }));
  return file;
}

/** A safetensors file: 8-byte little-endian header length, then the header, then `body` bytes. */
async function rawSafetensors(name: string, header: string, claimedLength?: bigint, body = 0): Promise<string> {
  const json = Buffer.from(header);
  const out = Buffer.alloc(8 + json.length + body);
  out.writeBigUInt64LE(claimedLength ?? BigInt(json.length), 0);
  json.copy(out, 8);
  await writeFile(at(name), out);
  return at(name);
}

function hugePng(): Uint8Array {
  const png = new Uint8Array(33);
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const dv = new DataView(png.buffer);
  dv.setUint32(16, 20000);
  dv.setUint32(20, 20000);
  png.set([8, 6, 0, 0, 0], 24);
  return png;
}

interface Row {
  /** The issue bullet this row attacks. */
  bullet: string;
  name: string;
  /** Builds the inputs; returns the CLI arguments (and environment). */
  args: () => Promise<{ args: string[]; env?: NodeJS.ProcessEnv; cleanup?: () => Promise<void> }>;
  /** The whole of stderr (one line), or its first line for multi-cause messages. */
  message: RegExp;
  /** For multi-cause messages: a pattern each later line must be matched by, in order (one line each). */
  multiLine?: RegExp[];
  /** The folder whose checkpoint bytes must be unchanged afterwards. */
  keeps?: () => string;
}

const ERR = 'kindling-train: error: ';
const rows: Row[] = [
  // NaN and Inf: a learning rate that blows up stops at the step, exit ≠ 0, the good checkpoint kept.
  {
    bullet: 'NaN and Inf',
    // (--lr 1000 itself stays finite on this toy data: the ReLUs die; 1e20 reaches NaN within a few steps.)
    name: '--lr 1e20 into a folder with good checkpoints',
    args: async () => ({ args: ['train', ...toy(), '--lr', '1e20', '--epochs', '2', '--out', good] }),
    message: /^train: the (loss|weights) became (NaN|-?Infinity) (at|by) epoch 1, step \d+ \(lr 1e\+20\); try a lower --lr$/,
    keeps: () => good,
  },
  // NaN and Inf (neighbour): a non-number learning rate.
  {
    bullet: 'NaN and Inf',
    name: '--lr nan',
    args: async () => ({ args: ['train', ...toy(), '--lr', 'nan', '--epochs', '1', '--out', good] }),
    message: /^--lr: got "nan", expected a positive learning rate/,
    keeps: () => good,
  },
  // Bounded work from untrusted sizes: size flags.
  {
    bullet: 'Bounded work from untrusted sizes',
    name: '--hidden 100000000',
    args: async () => ({ args: ['train', ...toy(), '--hidden', '100000000', '--epochs', '1', '--out', good] }),
    message: /^--hidden: got "100000000", each size must be at most 65536/,
    keeps: () => good,
  },
  {
    bullet: 'Bounded work from untrusted sizes (neighbour)',
    name: '--epochs 0',
    args: async () => ({ args: ['train', ...toy(), '--epochs', '0', '--out', good] }),
    message: /^--epochs: got "0", expected a positive integer$/,
    keeps: () => good,
  },
  {
    bullet: 'Bounded work from untrusted sizes (neighbour)',
    name: '--batch-size 0',
    args: async () => ({ args: ['train', ...toy(), '--batch-size', '0', '--epochs', '1', '--out', good] }),
    message: /^--batch-size: got "0", expected a positive integer$/,
    keeps: () => good,
  },
  // NaN and Inf: a checkpoint whose stored hyper-parameters are not numbers is refused on --resume.
  {
    bullet: 'NaN and Inf',
    name: '--resume from a checkpoint whose stored lr is "abc"',
    args: async () => {
      const file = at('bad-lr.safetensors');
      const { tensors, metadata } = decodeSafetensors(new Uint8Array(await readFile(join(good, 'last.safetensors'))));
      const training = JSON.parse(metadata['kindling.training']) as { optimizer: { param_groups: Array<Record<string, unknown>> } };
      training.optimizer.param_groups[0].lr = 'abc';
      await writeFile(file, encodeSafetensors(tensors, { ...metadata, 'kindling.training': JSON.stringify(training) }));
      return { args: ['train', ...toy(), '--epochs', '2', '--resume', file, '--out', good] };
    },
    message: /stored optimizer\.param_groups\[0\]\.lr is "abc", expected a learning rate ≥ 0$/,
    keeps: () => good,
  },
  // File-system errors are messages, not stack traces.
  {
    bullet: 'File-system errors are messages',
    name: '--out under /proc',
    args: async () => ({ args: ['train', ...toy(), '--epochs', '1', '--out', '/proc/x'] }),
    message: /^--out \/proc\/x: cannot create a folder in \/proc \(it does not accept new files\)$/,
  },
  {
    bullet: 'File-system errors are messages',
    name: '--out naming a file',
    args: async () => ({ args: ['train', ...toy(), '--epochs', '1', '--out', aFile] }),
    message: /^--out \/.*\/a-file: expected a folder, found a file$/,
  },
  {
    bullet: 'File-system errors are messages',
    name: '--data-dir naming a file',
    args: async () => ({ args: ['train', '--dataset', 'idx', '--data-dir', aFile, '--epochs', '1', '--out', at('unused')] }),
    message: /^--data-dir \/.*\/a-file: expected a folder, found a file$/,
  },
  // Bounded work from untrusted sizes / checkpoint files that lie.
  {
    bullet: 'Bounded work from untrusted sizes (checkpoints)',
    name: 'info on an empty checkpoint',
    args: async () => {
      await writeFile(at('empty.safetensors'), '');
      return { args: ['info', at('empty.safetensors')] };
    },
    message: /\/empty\.safetensors: 0 bytes is too short for a safetensors file \(needs an 8-byte header length\)$/,
  },
  {
    bullet: 'Bounded work from untrusted sizes (checkpoints)',
    name: 'info on a truncated checkpoint',
    args: async () => {
      const bytes = await readFile(join(good, 'last.safetensors'));
      await writeFile(at('truncated.safetensors'), bytes.subarray(0, Math.floor(bytes.length / 2)));
      return { args: ['info', at('truncated.safetensors')] };
    },
    message:
      /\/truncated\.safetensors: tensor "0\.weight" data_offsets \[\d+, \d+\] go beyond the \d+-byte data section \(truncated file\?\)$/,
  },
  {
    bullet: 'Bounded work from untrusted sizes (checkpoints)',
    name: 'info on a checkpoint whose header claims 2^50 bytes',
    args: async () => ({ args: ['info', await rawSafetensors('huge-header.safetensors', '{}', 1n << 50n)] }),
    message:
      /\/huge-header\.safetensors: header length 1125899906842624 is beyond the file \(10 bytes\) or the \d+-byte limit; the file is truncated or not safetensors$/,
  },
  {
    bullet: 'Bounded work from untrusted sizes (checkpoints)',
    name: 'info on a checkpoint with a 1e6×1e6 tensor shape',
    args: async () => ({
      args: [
        'info',
        await rawSafetensors(
          'huge-shape.safetensors',
          JSON.stringify({
            __metadata__: {
              [MLP_SPEC_METADATA_KEY]: JSON.stringify({
                type: 'mlp',
                inputSize: 784,
                outputSize: 10,
                hidden: [16],
                dropout: 0,
                logSoftmax: true,
                dataset: 'mnist',
              }),
            },
            '0.weight': { dtype: 'F32', shape: [1000000, 1000000], data_offsets: [0, 16] },
          }),
          undefined,
          16,
        ),
      ],
    }),
    message:
      /\/huge-shape\.safetensors: "0\.weight": the model description \(layers\[0\] Linear\(784, 16\)\) implies shape \[16, 784\], the file holds \[1000000, 1000000\]$/,
  },
  {
    bullet: 'Bounded work from untrusted sizes (checkpoints)',
    name: 'info on a checkpoint whose metadata says hidden: [250000]',
    args: async () => ({ args: ['info', await mlpCheckpoint('big-claim.safetensors', [250000])] }),
    message: /\/big-claim\.safetensors: "0\.weight": the model description .* implies shape \[250000, 784\], the file holds \[16, 784\]$/,
  },
  {
    bullet: 'Bounded work from untrusted sizes (checkpoints)',
    name: 'info on a checkpoint whose metadata says hidden: [100000000]',
    args: async () => ({ args: ['info', await mlpCheckpoint('huge-claim.safetensors', [100000000])] }),
    message:
      /\/huge-claim\.safetensors: "kindling\.model": does not describe an MLP: hidden\[0\] must be an integer in \[1, \d+\], got 100000000$/,
  },
  {
    bullet: 'Bounded work from untrusted sizes (images)',
    name: 'predict on a 20000×20000 PNG header',
    args: async () => {
      await writeFile(at('huge.png'), hugePng());
      return { args: ['predict', await mlpCheckpoint('model.safetensors', [16]), at('huge.png')] };
    },
    message: /\/huge\.png: the PNG is 20000×20000 \(400,000,000 pixels\), more than the [\d,]+ \(4096×4096\) predict reads$/,
  },
  {
    bullet: 'Bounded work from untrusted sizes (gzip)',
    name: 'a gzip bomb in the data folder',
    args: async () => {
      const bomb = at('bomb-data');
      await writeToyDataset(bomb, 64, 16);
      // A header for 64 images (50,192 bytes), then 8 MiB of zeros.
      const raw = new Uint8Array(16 + (8 << 20));
      const dv = new DataView(raw.buffer);
      for (const [i, v] of [0x0803, 64, 28, 28].entries()) dv.setUint32(4 * i, v);
      await writeFile(join(bomb, 'train-images-idx3-ubyte.gz'), gzipSync(raw, { level: 9 }));
      return { args: ['train', '--dataset', 'idx', '--data-dir', bomb, '--epochs', '1', '--out', good] };
    },
    message:
      /^gunzip: \/.*\/train-images-idx3-ubyte\.gz inflates to more than 50192 bytes, the size of the \[64, 28, 28\] uint8 IDX file its IDX header describes/,
    keeps: () => good,
  },
  // Whole messages / networks that misbehave: every mirror answers 404.
  {
    bullet: 'Whole messages; Networks that misbehave',
    name: 'a mirror with 404s',
    args: async () => {
      const server = await serve({});
      await mkdir(at('cache404'), { recursive: true });
      return {
        args: ['train', '--data-dir', at('cache404'), '--epochs', '1', '--out', good],
        env: { KINDLING_DATA_MIRROR: `${server.url}/missing/`, KINDLING_DOWNLOAD_RETRIES: '0' },
        cleanup: () => server.close(),
      };
    },
    message: /^download: could not get train-images-idx3-ubyte\.gz from any mirror:$/,
    multiLine: [/\/missing\/: .*HTTP 404 Not Found$/, /Set KINDLING_DATA_MIRROR/],
    keeps: () => good,
  },
];

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kindling-attacks-'));
  data = at('data');
  good = at('good');
  aFile = at('a-file');
  await writeToyDataset(data, 256, 64);
  await writeFile(aFile, 'not a folder');
  const r = await runCli(['train', ...toy(), '--epochs', '1', '--json', '--out', good]);
  if (r.code !== 0) throw new Error(`the good run failed: ${r.stderr}`);
}, 30_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kindling-train: issue 17 attacks, one line each, no stack, no hang', () => {
  it.each(rows.map((r) => [`${r.bullet}: ${r.name}`, r] as const))(
    '%s',
    async (_, row) => {
      const before = row.keeps ? await hashes(row.keeps()) : undefined;
      const { args, env, cleanup } = await row.args();
      const started = Date.now();
      let r: Awaited<ReturnType<typeof runCli>>;
      try {
        r = await runCli(args, { env, timeout: 15_000 });
      } finally {
        await cleanup?.();
      }
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.code, 'killed by the timeout').not.toBeNull();
      expect(r.stderr).not.toMatch(/^ {4}at /m);
      expect(r.stderr.startsWith(ERR), r.stderr).toBe(true);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(1 + (row.multiLine?.length ?? 0));
      for (const [i, pattern] of (row.multiLine ?? []).entries()) expect(lines[i + 1]).toMatch(pattern);
      expect(lines[0].slice(ERR.length)).toMatch(row.message);
      if (row.keeps && before) expect(await hashes(row.keeps())).toEqual(before);
    },
    20_000,
  );
});
