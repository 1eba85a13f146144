import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '@kindling/backend-cpu';
import { tensor } from '@kindling/tensor';
import { decodeSafetensors } from '../src/index.js';
import { loadFile, saveFile, writeFileAtomic } from '../src/node/index.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kindling-ckpt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts the writer child and resolves once it is about to write its first checkpoint. */
function startWriter(path: string): Promise<ReturnType<typeof spawn>> {
  const child = spawn(process.execPath, [join(repoRoot, 'tools/run-ts.mjs'), 'packages/checkpoint/test/helpers/write-forever.ts', path], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ok, fail) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) ok(child);
    });
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`writer exited early with ${code}`)));
  });
}

describe('atomic checkpoint files (Node)', () => {
  it('saveFile and loadFile round-trip, leaving no temporary files', async () => {
    const path = join(dir, 'model.safetensors');
    await saveFile({ w: tensor([1, 2, 3]) }, path, { metadata: { a: 'b' } });
    await saveFile({ w: tensor([4, 5, 6]) }, path);
    const { stateDict, metadata } = await loadFile(path);
    expect(await stateDict.w.tolist()).toEqual([4, 5, 6]);
    expect(metadata).toEqual({});
    expect(await readdir(dir)).toEqual(['model.safetensors']);
  });

  it('loadFile names the file in its errors', async () => {
    const path = join(dir, 'broken.safetensors');
    await writeFile(path, new Uint8Array([1, 2, 3]));
    await expect(loadFile(path)).rejects.toThrow(`${path}: 3 bytes is too short`);
  });

  it('a failed write throws and leaves nothing behind', async () => {
    await expect(writeFileAtomic(join(dir, 'missing-folder', 'x.safetensors'), new Uint8Array(4))).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('killing the process mid-save (SIGKILL) always leaves a complete checkpoint', async () => {
    const path = join(dir, 'last.safetensors');
    await saveFile({ w: tensor([0]) }, path, { metadata: { generation: '0' } });
    const generations: string[] = [];
    for (let round = 0; round < 4; round++) {
      const child = await startWriter(path);
      child.removeAllListeners('exit');
      const exited = new Promise((ok) => child.once('exit', ok));
      await new Promise((ok) => setTimeout(ok, 150 + 97 * round));
      child.kill('SIGKILL');
      await exited;
      const bytes = new Uint8Array(await readFile(path));
      const { metadata, tensors } = decodeSafetensors(bytes, path);
      const generation = Number(metadata.generation);
      if (generation > 0) expect(tensors.w.data[tensors.w.data.length - 1]).toBe(generation);
      generations.push(metadata.generation);
    }
    // The writer did replace the file in at least one round (so kills hit real writes).
    expect(generations.some((g) => g !== '0')).toBe(true);
  }, 60_000);
});
