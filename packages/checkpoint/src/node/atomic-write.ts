import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// `.<file>.<pid>.<8 hex>.tmp`: hidden, names its target and the process writing it, so the
// next save of the same file can tell a crashed writer's leftovers from a live one's.
const TEMP_PATTERN = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** The temporary file name `writeFileAtomic` uses for `path` in process `pid`. */
export function tempNameFor(path: string, pid = process.pid): string {
  return `.${basename(path)}.${pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** Whether process `pid` exists (signal 0 only checks; EPERM means it exists but is someone else's). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files a killed save of `path` left behind: those named
 * for `path` whose writing process is gone. Another live process's temp (a
 * concurrent save) and this process's own (a save in flight) are kept. A pid
 * reused by an unrelated process keeps its temp until that process ends: the
 * safe side. Best effort: a temp that cannot be listed or removed is skipped.
 * Returns the names removed.
 */
export async function removeStaleTemps(path: string): Promise<string[]> {
  const dir = dirname(path);
  const target = basename(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMP_PATTERN.exec(name);
    if (!match || match[1] !== target) continue;
    const pid = Number(match[2]);
    if (pid === process.pid || isAlive(pid)) continue;
    try {
      await rm(join(dir, name), { force: true });
      removed.push(name);
    } catch {}
  }
  return removed;
}

/**
 * Writes `bytes` to `path` so that readers only ever see the old file or the
 * complete new one: the data goes to a temporary file in the same folder, is
 * flushed to disk, then renamed over `path` (atomic on POSIX), and the folder
 * is flushed so the rename itself survives a crash. A failure at any point
 * (a full disk, a read-only folder) leaves the previous file untouched,
 * removes the temporary one and throws the system error with `path` set to
 * the target (not the temporary name), so callers can name the file.
 * Temporary files of earlier saves of `path` killed mid-write are removed
 * first (see `removeStaleTemps`).
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  await removeStaleTemps(path);
  const temp = join(dir, tempNameFor(path));
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true }).catch(() => {});
    throw namingTarget(e, path);
  }
  await syncDirectory(dir);
}

/** The system error `e`, reporting `path` instead of the temporary file (or no path, as write(2) errors have). */
function namingTarget(e: unknown, path: string): unknown {
  const error = e as NodeJS.ErrnoException;
  if (error instanceof Error && typeof error.code === 'string') {
    error.message = `${error.message.replace(/, (\w+) '.*'$/, ', $1')} (saving ${path}; any previous file there is unchanged)`;
    error.path = path;
    (error as { dest?: string }).dest = undefined;
  }
  return error;
}

async function syncDirectory(dir: string): Promise<void> {
  // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {}
}
