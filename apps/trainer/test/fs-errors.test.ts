/**
 * File-system and whole-message errors as a user sees them: the built CLI on
 * a file where a folder belongs, /proc, a read-only and a full disk (real
 * tmpfs mounts; skipped with the reason when mounting is not permitted), and
 * a download failing on every mirror. Each must end non-zero with the whole
 * message, no stack trace, no hang and the last good files untouched.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../../packages/data/test/helpers.js';
import { errorReport } from '../src/error-report.js';
import { type CliResult, assertBuilt, runCli, writeToyDataset } from './helpers.js';

let dir: string;
let data: string;
let file: string;
const mounts: string[] = [];
const toy = (dataDir = data) => ['--dataset', 'idx', '--data-dir', dataDir, '--hidden', '16', '--batch-size', '64', '--json'];

/** Mounts a tmpfs at a new folder `name` (`options` like `size=600k,ro`), or returns why it cannot. */
function mountTmpfs(name: string, options: string): { path: string } | { skip: string } {
  const path = join(dir, name);
  try {
    execFileSync('mkdir', ['-p', path]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', path], { stdio: 'pipe' });
  } catch (e) {
    return { skip: `cannot mount a tmpfs here (needs root and mount permission): ${(e as Error).message.split('\n')[0]}` };
  }
  mounts.push(path);
  return { path };
}

/** One message, nothing from Node's default handler. */
function expectClean(r: CliResult, code: number): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(/^kindling-train: error: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/node:internal|Error: E[A-Z]+:/);
}

const hashes = async (folder: string) =>
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

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kindling-fs-errors-'));
  data = join(dir, 'data');
  file = join(dir, 'a-file');
  await writeToyDataset(data, 256, 100);
  await writeFile(file, 'not a folder');
});
afterAll(async () => {
  for (const m of mounts) {
    try {
      execFileSync('umount', [m]);
    } catch {}
  }
  await rm(dir, { recursive: true, force: true });
});

describe('kindling-train: folders that cannot hold the files', () => {
  it('--out naming a file, or a path through a file, is refused before training', async () => {
    const r = await runCli(['train', ...toy(), '--epochs', '1', '--out', file]);
    expectClean(r, 2);
    expect(r.stderr).toBe(`kindling-train: error: --out ${file}: expected a folder, found a file\n`);
    expect(r.stdout).toBe('');
    const under = await runCli(['train', ...toy(), '--epochs', '1', '--out', join(file, 'run')]);
    expectClean(under, 2);
    expect(under.stderr).toBe(`kindling-train: error: --out ${join(file, 'run')}: ${file} is a file, not a folder\n`);
    expect(await readFile(file, 'utf8')).toBe('not a folder');
  });

  it('--out under /proc ends at once with a message (Node’s recursive mkdir loops forever there)', async () => {
    const started = Date.now();
    const r = await runCli(['train', ...toy(), '--epochs', '1', '--out', '/proc/kindling-test/run'], { timeout: 15_000 });
    expectClean(r, 2);
    expect(r.stderr).toBe(
      'kindling-train: error: --out /proc/kindling-test/run: cannot create a folder in /proc (it does not accept new files)\n',
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 20_000);

  it('--data-dir naming a file is refused (idx, and a downloaded dataset), and --data-dir under /proc does not hang', async () => {
    const idx = await runCli(['train', ...toy(file), '--epochs', '1', '--out', join(dir, 'unused')]);
    expectClean(idx, 2);
    expect(idx.stderr).toBe(`kindling-train: error: --data-dir ${file}: expected a folder, found a file\n`);
    const mnist = await runCli(['train', '--data-dir', file, '--epochs', '1', '--out', join(dir, 'unused')]);
    expectClean(mnist, 2);
    expect(mnist.stderr).toContain(`--data-dir ${file}: expected a folder, found a file`);
    const proc = await runCli(['eval', join(dir, 'none.safetensors'), '--data-dir', '/proc/kindling-test'], { timeout: 15_000 });
    expectClean(proc, 2);
    expect(proc.stderr).toContain('--data-dir /proc/kindling-test: cannot create a folder in /proc');
  }, 30_000);

  it('--out on a read-only file system says it is not writable (not ENOENT ... mkdir)', async (ctx) => {
    const mounted = mountTmpfs('ro', 'size=1m,ro');
    if ('skip' in mounted) return ctx.skip(mounted.skip);
    for (const out of [mounted.path, join(mounted.path, 'run')]) {
      const r = await runCli(['train', ...toy(), '--epochs', '1', '--out', out]);
      expectClean(r, 2);
      expect(r.stderr).toBe(`kindling-train: error: --out ${out}: not writable (read-only file system)\n`);
      expect(r.stdout).toBe('');
    }
  });

  it('a full disk after a whole epoch: one message naming the file, the previous checkpoints untouched, no temp left', async (ctx) => {
    const mounted = mountTmpfs('full', 'size=600k');
    if ('skip' in mounted) return ctx.skip(mounted.skip);
    const out = join(mounted.path, 'run');
    const first = await runCli(['train', ...toy(), '--optimizer', 'adam', '--epochs', '1', '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    const before = await hashes(out);
    // Leave a few KiB: the up-front probe passes, the next checkpoint (> 50 KB) does not fit.
    const free = Number(execFileSync('df', ['--output=avail', '-B1', mounted.path]).toString().trim().split('\n')[1]);
    await writeFile(join(mounted.path, 'filler'), new Uint8Array(free - 16 * 1024));
    const r = await runCli([
      'train',
      ...toy(),
      '--optimizer',
      'adam',
      '--epochs',
      '3',
      '--resume',
      join(out, 'last.safetensors'),
      '--out',
      out,
    ]);
    expectClean(r, 1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^kindling-train: error: cannot write ${out}/(best|last)\\.safetensors: the disk is full \\(ENOSPC\\); free some space and run again; the previous file there is unchanged\\n$`,
      ),
    );
    expect(await hashes(out)).toEqual(before);
  }, 60_000);
});

describe('kindling-train: whole messages', () => {
  it('a download failing on every mirror prints each mirror’s reason on its own line and the KINDLING_DATA_MIRROR hint', async () => {
    const server = await serve({ '/bad/train-images-idx3-ubyte.gz': { body: new Uint8Array(1000).fill(7) } });
    try {
      const mirrors = `${server.url}/missing/,${server.url}/bad/`;
      const dataDir = join(dir, 'cache');
      await mkdir(dataDir);
      const r = await runCli(['train', '--data-dir', dataDir, '--epochs', '1', '--out', join(dir, 'mirror-run')], {
        env: { KINDLING_DATA_MIRROR: mirrors },
      });
      expectClean(r, 1);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toBe('kindling-train: error: download: could not get train-images-idx3-ubyte.gz from any mirror:');
      expect(lines.find((l) => l.includes(`${server.url}/missing/`))).toMatch(/404/);
      expect(lines.find((l) => l.includes(`${server.url}/bad/`))).toMatch(/sha-?256|checksum|digest/i);
      expect(lines.at(-1)).toMatch(/KINDLING_DATA_MIRROR/);
      expect(lines.slice(1).every((l) => l.startsWith('  '))).toBe(true);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('cause chains and AggregateErrors are printed one cause a line, each once, without stacks', () => {
    const disk = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path: '/x/a.bin' });
    const wrapped = new Error('saving the run failed', { cause: disk });
    const report = errorReport(new AggregateError([wrapped, new Error('offline')], 'two things failed:\n  first\n  second'));
    expect(report).toBe(
      [
        'kindling-train: error: two things failed:',
        '    first',
        '    second',
        '  - saving the run failed',
        '  caused by: cannot write /x/a.bin: the disk is full (ENOSPC); free some space and run again; the previous file there is unchanged',
        '  - offline',
        '',
      ].join('\n'),
    );
    const self = new Error('loop');
    (self as { cause?: unknown }).cause = self;
    expect(errorReport(new Error('outer: inner', { cause: new Error('inner') }))).toBe('kindling-train: error: outer: inner\n');
    expect(errorReport(self)).toBe('kindling-train: error: loop\n');
  });

  it('strips escape sequences a file put into a message (a hostile tensor name), keeping its text', () => {
    const report = errorReport(new Error('x.safetensors: tensor "\u001b]0;pwn\u0007w\u001b[2Jeight" is missing'));
    expect(report).toBe('kindling-train: error: x.safetensors: tensor "weight" is missing\n');
  });
});
