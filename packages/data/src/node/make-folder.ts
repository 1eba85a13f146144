import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p` that always ends: creates `path` and any missing parents.
 * Node's `mkdir(path, { recursive: true })` reads ENOENT as "a parent is
 * missing", creates the parent and retries the child. Under `/proc` (and other
 * virtual file systems) the parent exists yet the child still gives ENOENT, so
 * Node retries forever at 100% CPU. Here a child is retried once, after its
 * parent exists; a second ENOENT is thrown. An existing folder is fine; an
 * existing file throws EEXIST (ENOTDIR when a parent is a file).
 */
export async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await stat(path)).isDirectory()) return;
      throw e;
    }
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path) throw e;
    await makeFolder(parent);
  }
  try {
    await mkdir(path);
  } catch (e) {
    // EEXIST: another process created it meanwhile, fine if it is a folder.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(path)).isDirectory()) return;
    throw e;
  }
}
