import { rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
// Not mkdir({ recursive: true }): it loops forever at 100% CPU under /proc.
import { makeFolder } from '@kindling/data/node';
import { UsageError } from './errors.js';
import { describeSystemError, isSystemError, reasonFor } from './fs-errors.js';

/** Why `path` cannot be a folder, or null: a file on the way ("is a file"), or nothing found. */
async function fileInTheWay(path: string): Promise<string | null> {
  for (let p = path; ; p = dirname(p)) {
    try {
      const s = await stat(p);
      if (s.isDirectory()) return null;
      return p === path ? 'expected a folder, found a file' : `${p} is a file, not a folder`;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(p) === p) return null;
    }
  }
}

function folderProblem(flag: string, dir: string, e: unknown): UsageError {
  if (!isSystemError(e)) throw e;
  const what = `${flag} ${dir}`;
  switch (e.code) {
    case 'EROFS':
      return new UsageError(`${what}: not writable (read-only file system)`);
    case 'EACCES':
    case 'EPERM':
      return new UsageError(`${what}: not writable (permission denied)`);
    case 'ENOENT':
      // The parent exists (makeFolder created or found it) yet refuses the child: a virtual file system like /proc.
      return new UsageError(`${what}: cannot create a folder in ${dirname(e.path ?? dir)} (it does not accept new files)`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new UsageError(`${what}: ${reasonFor(e.code)} (${e.code})`);
    default:
      return new UsageError(`${what}: ${describeSystemError(e)}`);
  }
}

/**
 * Makes sure checkpoints can be written to `dir` before any training time is
 * spent: creates it, then writes and removes a small probe file. Throws a
 * one-line `UsageError` naming `flag` and the problem (a file in the way, a
 * read-only or full disk, a folder that does not accept files like `/proc`).
 */
export async function checkOutputFolder(dir: string, flag = '--out'): Promise<void> {
  const path = resolve(dir);
  const inTheWay = await fileInTheWay(path);
  if (inTheWay) throw new UsageError(`${flag} ${dir}: ${inTheWay}`);
  try {
    await makeFolder(path);
  } catch (e) {
    throw folderProblem(flag, dir, e);
  }
  const probe = join(path, `.kindling-write-test.${process.pid}.tmp`);
  try {
    await writeFile(probe, 'probe', { flag: 'wx' });
  } catch (e) {
    throw folderProblem(flag, dir, e);
  } finally {
    await rm(probe, { force: true }).catch(() => {});
  }
}

/**
 * `--data-dir` must be a folder: refuses a file (or a file on its path) with
 * one line. When `create` (datasets downloaded into it), creates it too, so a
 * folder that cannot exist is reported here rather than mid-download.
 */
export async function checkDataDir(dir: string, create: boolean, flag = '--data-dir'): Promise<void> {
  const path = resolve(dir);
  const inTheWay = await fileInTheWay(path);
  if (inTheWay) throw new UsageError(`${flag} ${dir}: ${inTheWay}`);
  if (!create) return;
  try {
    await makeFolder(path);
  } catch (e) {
    throw folderProblem(flag, dir, e);
  }
}
