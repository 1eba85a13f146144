import { mkdir, open, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { downloadFile } from '../src/node/download.js';
import { sha256, useTempDir } from './helpers.js';

const root = useTempDir('kindling-sync-');

it('a flush that fails while the bytes are validated fails the download, with no unhandled rejection', async () => {
  const mirror = join(root(), 'mirror');
  const bytes = new Uint8Array(1000).map((_, i) => i % 251);
  await mkdir(mirror);
  await writeFile(join(mirror, 'f.bin'), bytes);
  const probe = await open(join(mirror, 'f.bin'));
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  const sync = proto.sync;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  proto.sync = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
  try {
    const dest = join(root(), 'f.bin');
    // The validation outlasts the failed flush, which is when an unhandled rejection would be raised.
    const validate = () => new Promise<void>((resolve) => setTimeout(resolve, 30));
    await expect(downloadFile(mirror, { name: 'f.bin', sha256: sha256(bytes) }, dest, { validate })).rejects.toThrow(/EIO/);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(unhandled).toEqual([]);
    expect(await readdir(root())).toEqual(['mirror']);
  } finally {
    proto.sync = sync;
    process.off('unhandledRejection', onUnhandled);
  }
});
