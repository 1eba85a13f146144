import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors } from '@kindling/checkpoint';
import { MLP_SPEC_METADATA_KEY } from '@kindling/nn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBGPU_MODULE_ENV } from '../src/backend.js';
import { assertBuilt, repoRoot, runCli, writeToyDataset } from './helpers.js';

/*
 * The trainer as published (issue 18), run as a user runs it: the built
 * binary, its output piped (not a terminal).
 */

let dir: string;
let data: string;
const ESC = '\x1b[';
// Neither colour variable set unless a test sets one.
const plainEnv = { NO_COLOR: undefined, FORCE_COLOR: undefined };

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kindling-publish-'));
  data = join(dir, 'data');
  await writeToyDataset(data);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('--version prints the version from package.json', async () => {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'apps/trainer/package.json'), 'utf8')) as { version: string };
  const r = await runCli(['--version']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe(`${version}\n`);
});

describe('a 2-epoch run', () => {
  const out = () => join(dir, 'run');
  let piped: string;

  beforeAll(async () => {
    const args = ['train', '--dataset', 'idx', '--data-dir', data, '--hidden', '16', '--batch-size', '32', '--epochs', '2'];
    const r = await runCli([...args, '--out', out()], { env: { ...plainEnv } });
    expect(r.code, r.stderr).toBe(0);
    piped = r.stdout + r.stderr;
  });

  it('piped output has tables and no ANSI escape codes', () => {
    expect(piped).toMatch(/┌─/);
    expect(piped).not.toContain(ESC);
  });

  it('NO_COLOR: no escape codes; FORCE_COLOR: coloured tables even when piped', async () => {
    const args = ['train', '--dataset', 'idx', '--data-dir', data, '--hidden', '16', '--batch-size', '64', '--epochs', '1'];
    const none = await runCli([...args, '--out', join(dir, 'no-color')], { env: { ...plainEnv, NO_COLOR: '1' } });
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout + none.stderr).not.toContain(ESC);
    const forced = await runCli([...args, '--out', join(dir, 'force-color')], { env: { ...plainEnv, FORCE_COLOR: '1' } });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(ESC);
  });

  it('info reports the epochs and steps trained, for last.safetensors and best.safetensors', async () => {
    // 640 images in batches of 32: 20 steps an epoch.
    for (const file of ['last.safetensors', 'best.safetensors']) {
      const r = await runCli(['info', join(out(), file)]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/trained {4}2 epochs, 40 steps/);
      const json = await runCli(['info', '--json', join(out(), file)]);
      expect(JSON.parse(json.stdout)).toMatchObject({ epoch: 2, step: 40 });
    }
  });
});

it('info says "not recorded" for a model file that records no epochs or steps', async () => {
  const t = (shape: number[]) => ({ dtype: 'float32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  const spec = { type: 'mlp', inputSize: 784, outputSize: 10, hidden: [8], dropout: 0, logSoftmax: true, dataset: 'mnist' };
  const file = join(dir, 'demo.safetensors');
  const tensors = { '0.weight': t([8, 784]), '0.bias': t([8]), '2.weight': t([10, 8]), '2.bias': t([10]) };
  await writeFile(file, encodeSafetensors(tensors, { [MLP_SPEC_METADATA_KEY]: JSON.stringify(spec) }));
  const r = await runCli(['info', file]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/trained {4}epochs and steps not recorded\n/);
  expect(JSON.parse((await runCli(['info', '--json', file])).stdout)).toMatchObject({ epoch: null, step: null });
});

it('--backend webgpu without the webgpu package says, in one line, how to install it', async () => {
  const r = await runCli(['train', '--backend', 'webgpu', '--data-dir', data, '--dataset', 'idx', '--out', join(dir, 'gpu')], {
    env: { [WEBGPU_MODULE_ENV]: 'kindling-no-such-module' },
  });
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  // From the repository's sources: `pnpm install`; installed from npm, the npm command (see webgpu-install.test.ts).
  expect(r.stderr).toMatch(/--backend webgpu needs the optional 'webgpu' package .*not installed: pnpm install \(in .*apps[/\\]trainer\)/);
});
