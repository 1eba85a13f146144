/**
 * The one place system (errno) errors become sentences: "cannot <operation>
 * <path>: <reason> (<CODE>)". Node's own messages name the syscall and, for
 * write(2), no file at all; users need the file and what to do about it.
 */

/** A Node system error: `code` like `ENOSPC`, the `syscall` that failed and usually the `path`. */
export type SystemError = NodeJS.ErrnoException & { code: string };

/** Whether `e` is a Node system error (has an `E...` code). */
export function isSystemError(e: unknown): e is SystemError {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && /^E[A-Z0-9]+$/.test((e as SystemError).code);
}

const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'not writable (read-only file system)',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EEXIST: 'something already exists there',
  ENOENT: 'no such file or folder',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symbolic links (a link loop?)',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files on the system',
  EIO: 'input/output error (a failing disk?)',
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is busy',
  EFBIG: 'the file is too large for the file system',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  EXDEV: 'cannot move across file systems',
};

const OPERATIONS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  fsync: 'write',
  close: 'write',
  rename: 'replace',
  mkdir: 'create the folder',
  rmdir: 'remove the folder',
  unlink: 'remove',
  rm: 'remove',
  scandir: 'list the folder',
  stat: 'look at',
  lstat: 'look at',
  access: 'access',
  copyfile: 'copy',
};

/** The reason for `code`, as a few words. */
export function reasonFor(code: string): string {
  return REASONS[code] ?? code.toLowerCase();
}

/** Advice that applies whatever the file: what the user can do next. */
function advice(code: string): string {
  if (code === 'ENOSPC' || code === 'EDQUOT') return '; free some space and run again';
  if (code === 'EMFILE' || code === 'ENFILE') return '; raise the open-file limit (ulimit -n)';
  return '';
}

/**
 * One line for a system error: the operation, the file and the reason, e.g.
 * `cannot write runs/x/last.safetensors: the disk is full (ENOSPC); free some space and run again`.
 * `path` overrides the error's own path (write(2) errors have none).
 */
export function describeSystemError(e: SystemError, path: string | undefined = e.path): string {
  const operation = OPERATIONS[e.syscall ?? ''] ?? e.syscall ?? 'use';
  const where = path ? ` ${path}` : '';
  return `cannot ${operation}${where}: ${reasonFor(e.code)} (${e.code})${advice(e.code)}`;
}
