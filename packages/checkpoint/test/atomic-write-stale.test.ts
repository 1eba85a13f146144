import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '@kindling/backend-cpu';
import { tensor } from '@kindling/tensor';
import { tempNameFor } from '../src/node/atomic-write.js';
import { loadFile, saveFile, writeFileAtomic } from '../src/node/index.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kindling-stale-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited (a real one, so not in use by anything we know of). */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  return Number(pid);
}

const temps = async () => (await readdir(dir)).filter((n) => n.endsWith('.tmp')).sort();

describe('writeFileAtomic removes temporary files of killed saves', () => {
  it('names temps after the target and the writing process', () => {
    expect(tempNameFor('/x/last.safetensors', 4242)).toMatch(/^\.last\.safetensors\.4242\.[0-9a-f]{8}\.tmp$/);
  });

  it('removes a dead process’s temps of the same file, keeps a live process’s and other files’ temps', async () => {
    const target = join(dir, 'last.safetensors');
    const dead = deadPid();
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const deadTemps = [tempNameFor(target, dead), tempNameFor(target, dead)];
      const liveTemp = tempNameFor(target, live.pid as number);
      const otherTarget = tempNameFor(join(dir, 'best.safetensors'), dead);
      const lookalike = '.last.safetensors.notes.tmp';
      for (const name of [...deadTemps, liveTemp, otherTarget, lookalike]) await writeFile(join(dir, name), new Uint8Array(1000));
      await saveFile({ w: tensor([1, 2]) }, target);
      expect(await temps()).toEqual([liveTemp, otherTarget, lookalike].sort());
      expect(await (await loadFile(target)).stateDict.w.tolist()).toEqual([1, 2]);
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('SIGKILLed saves do not pile up: the next save of the file removes their temps', async () => {
    const path = join(dir, 'last.safetensors');
    await writeFileAtomic(path, new Uint8Array(8));
    const pids: number[] = [];
    for (let round = 0; round < 2; round++) {
      const child = spawn(
        process.execPath,
        [join(repoRoot, 'tools/run-ts.mjs'), 'packages/checkpoint/test/helpers/write-forever.ts', path],
        {
          cwd: repoRoot,
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      await new Promise<void>((ok) => child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && ok()));
      // Kill while this writer's temp exists (its 8 MB writes are back to back); by then it removed the previous writer's.
      const own = `.last.safetensors.${child.pid}.`;
      for (let i = 0; i < 400 && !(await temps()).some((n) => n.startsWith(own)); i++) await new Promise((ok) => setTimeout(ok, 5));
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGKILL');
      await exited;
      pids.push(child.pid as number);
    }
    // Only the last killed writer's temp is left: the second writer removed the first's.
    expect((await temps()).map((n) => n.split('.')[3])).toEqual([String(pids[1])]);
    await writeFileAtomic(path, new Uint8Array(8));
    expect(await temps()).toEqual([]);
  }, 60_000);
});
