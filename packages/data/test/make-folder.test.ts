import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore, makeFolder } from '../src/node/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kindling-make-folder-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('makeFolder (mkdir -p that always ends)', () => {
  it('creates missing parents and accepts an existing folder', async () => {
    const deep = join(dir, 'a', 'b', 'c');
    await makeFolder(deep);
    await makeFolder(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
  });

  it('refuses a file in the way', async () => {
    const file = join(dir, 'file');
    await writeFile(file, 'x');
    await expect(makeFolder(file)).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(makeFolder(join(file, 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it.skipIf(process.platform !== 'linux')('throws ENOENT under /proc, where mkdir({ recursive: true }) spins forever', async () => {
    await expect(makeFolder('/proc/kindling-test/raw')).rejects.toMatchObject({ code: 'ENOENT', path: '/proc/kindling-test' });
  });

  it.skipIf(process.platform !== 'linux')(
    'FileStore with a root under /proc fails instead of hanging',
    async () => {
      const request = {
        root: '/proc/kindling-test',
        folder: 'MNIST',
        file: { name: 'x.gz', sha256: '0'.repeat(64) },
        mirrors: [join(dir, 'no-mirror')],
        download: true,
        decode: (b: Uint8Array) => b,
        mirrorOverride: undefined,
        onProgress: undefined,
        signal: undefined,
      };
      await expect(new FileStore().load(request)).rejects.toMatchObject({ code: 'ENOENT' });
    },
    10_000,
  );
});
