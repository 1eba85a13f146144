import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '@kindling/checkpoint';
import { assertBuilt, runCli, writeToyDataset } from './helpers.js';

/*
 * Files that used to load silently (NaN weights, cut-off PNGs, metadata
 * disagreeing with itself) or hang (/dev/zero) are refused in one line.
 */

let dir: string;
let data: string;
let last: string;
let png: string;
const toy = () => ['--dataset', 'idx', '--data-dir', data, '--hidden', '16', '--batch-size', '64'];

/** A copy of `last` with its tensors and metadata edited. */
async function variant(
  name: string,
  edit: (c: { tensors: Record<string, { data: Float32Array }>; metadata: Record<string, string> }) => void,
): Promise<string> {
  const c = decodeSafetensors(new Uint8Array(await readFile(last)));
  const copy = {
    tensors: Object.fromEntries(Object.entries(c.tensors).map(([k, t]) => [k, { ...t, data: Float32Array.from(t.data as Float32Array) }])),
    metadata: { ...c.metadata },
  };
  edit(copy);
  const file = join(dir, name);
  await writeFile(file, encodeSafetensors(copy.tensors as never, copy.metadata));
  return file;
}

function editJson(metadata: Record<string, string>, key: string, edit: (v: Record<string, unknown>) => void): void {
  const v = JSON.parse(metadata[key]);
  edit(v);
  metadata[key] = JSON.stringify(v);
}

/** One line on stderr, naming `what`, no stack trace, a non-zero exit. */
function expectRefused(r: { code: number | null; stdout: string; stderr: string }, what: RegExp): void {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.code).not.toBeNull();
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(what);
  expect(r.stderr).not.toMatch(/\n\s+at |node:internal|ENOENT:|EISDIR:/);
  expect(r.stdout).not.toMatch(/NaN/);
}

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kindling-load-'));
  data = join(dir, 'data');
  await writeToyDataset(data, 128, 64);
  const out = join(dir, 'run');
  const r = await runCli(['train', ...toy(), '--epochs', '1', '--json', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  last = join(out, 'last.safetensors');
  const image = new PNG({ width: 28, height: 28 });
  png = join(dir, 'ok.png');
  await writeFile(png, PNG.sync.write(image));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loading refuses what it cannot use', () => {
  it('a checkpoint with NaN weights: predict, eval and --resume name the file and the tensor', async () => {
    const bad = await variant('nan.safetensors', ({ tensors }) => {
      tensors['2.weight'].data[3] = Number.NaN;
    });
    const what = /nan\.safetensors: the weights are not finite \(tensor "2\.weight"/;
    expectRefused(await runCli(['predict', bad, png]), what);
    expectRefused(await runCli(['eval', bad, '--data-dir', data]), what);
    expectRefused(await runCli(['train', ...toy(), '--epochs', '2', '--out', join(dir, 'r1'), '--resume', bad]), what);
    const inf = await variant('inf.safetensors', ({ tensors }) => {
      tensors['0.bias'].data[0] = Number.POSITIVE_INFINITY;
    });
    expectRefused(await runCli(['predict', inf, png]), /inf\.safetensors: the weights are not finite \(tensor "0\.bias"/);
  });

  it('a PNG whose pixel data is cut short', async () => {
    // A valid 28×28 grayscale PNG whose IDAT holds one row instead of 28.
    const chunk = (type: string, body: Buffer) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(body.length, 0);
      head.write(type, 4, 'latin1');
      return Buffer.concat([head, body, Buffer.alloc(4)]);
    };
    const ihdr = Buffer.from([0, 0, 0, 28, 0, 0, 0, 28, 8, 0, 0, 0, 0]);
    const file = join(dir, 'short.png');
    await writeFile(
      file,
      Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk('IHDR', ihdr),
        chunk('IDAT', deflateSync(Buffer.alloc(29))),
        chunk('IEND', Buffer.alloc(0)),
      ]),
    );
    expectRefused(await runCli(['predict', last, file]), /short\.png: the PNG's pixel data is truncated \(29 of 812 bytes\)/);
  });

  it('a device, a folder or a missing file is refused at once', async () => {
    const folder = join(dir, 'folder');
    await mkdir(folder);
    const timeout = 10_000;
    expectRefused(await runCli(['info', '/dev/zero'], { timeout }), /^kindling-train: error: \/dev\/zero: not a regular file/);
    expectRefused(await runCli(['info', folder], { timeout }), /folder: not a regular file/);
    expectRefused(await runCli(['info', join(dir, 'missing')], { timeout }), /cannot look at .*missing: no such file or folder \(ENOENT\)/);
    expectRefused(await runCli(['predict', last, '/dev/zero'], { timeout }), /\/dev\/zero: not a regular file/);
    expectRefused(await runCli(['predict', last, folder], { timeout }), /folder: not a regular file/);
  });

  it('metadata that disagrees with itself: class count, input shape bounds', async () => {
    const few = await variant('few.safetensors', ({ metadata }) =>
      editJson(metadata, 'kindling.model', (m) => {
        m.classes = ['a', 'b', 'c'];
      }),
    );
    expectRefused(await runCli(['info', few]), /few\.safetensors: the model description names 3 classes but the model has 10 outputs/);
    const huge = await variant('shape.safetensors', ({ metadata }) =>
      editJson(metadata, 'kindling.model', (m) => {
        m.inputShape = [100_000, 100_000];
      }),
    );
    expectRefused(await runCli(['predict', huge, png]), /shape\.safetensors: the model's inputShape \[100000, 100000\] is out of bounds/);
  });

  it('--resume refuses an epoch that is not a sane whole number', async () => {
    for (const epoch of [1e300, 2 ** 60]) {
      const bad = await variant(`epoch-${epoch}.safetensors`, ({ metadata }) =>
        editJson(metadata, 'kindling.training', (t) => {
          t.epoch = epoch;
        }),
      );
      const r = await runCli(['train', ...toy(), '--epochs', '2', '--out', join(dir, 'r2'), '--resume', bad]);
      expectRefused(r, /stored epoch is .*, expected a whole number in \[0, 1,000,000\]/);
    }
  });
});
