import { describeSystemError, isSystemError } from './fs-errors.js';
import { sanitizeForTerminal } from './sanitize.js';

/** `KINDLING_DEBUG=1` adds the stack traces to error reports (for bug reports); off by default. */
export const DEBUG_ENV = 'KINDLING_DEBUG';

/** Whether `KINDLING_DEBUG` asks for stack traces (set, and not empty, `0` or `false`). */
export function debugEnabled(): boolean {
  const value = process.env[DEBUG_ENV];
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

// Saves (checkpoints, downloaded files) write a temporary file and rename it, so a failed write leaves the old file.
const WRITE_SYSCALLS = new Set(['write', 'fsync', 'close', 'rename']);

/** `error`'s own text: a sentence for system errors, else its message (or what it is, for a non-Error). */
function ownText(error: unknown): string {
  if (isSystemError(error)) {
    const line = describeSystemError(error);
    return WRITE_SYSCALLS.has(error.syscall ?? '') && error.path ? `${line}; the previous file there is unchanged` : line;
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * The whole report for `error`, one cause a line: every line of its message
 * (libraries list one reason per line, e.g. each mirror's failure), then its
 * `cause` chain and an `AggregateError`'s errors, each printed once (a cause
 * whose text the report already holds is skipped). Continuation lines are
 * indented under the first. No stack trace unless `KINDLING_DEBUG=1`.
 */
export function errorReport(error: unknown, prefix = 'kindling-train: error: '): string {
  const lines: string[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, label: string) => {
    if (seen.has(e)) return;
    seen.add(e);
    // Messages quote names from files (tensor names, metadata): no escape sequence of theirs reaches the terminal.
    const text = ownText(e).split('\n').map(sanitizeForTerminal).join('\n').trimEnd();
    const printed = lines.join('\n');
    if (text && !(label && printed.includes(text))) {
      text.split('\n').forEach((line, i) => {
        if (line.trim() === '') return;
        if (lines.length === 0) lines.push(`${prefix}${line}`);
        else if (i === 0) lines.push(`  ${label}${line.trim()}`);
        else lines.push(`  ${line}`);
      });
    }
    if (e instanceof AggregateError) for (const inner of e.errors) visit(inner, '- ');
    if (e instanceof Error && e.cause !== undefined) visit(e.cause, 'caused by: ');
  };
  visit(error, '');
  if (lines.length === 0) lines.push(`${prefix}${String(error)}`);
  if (debugEnabled() && error instanceof Error && error.stack) lines.push(error.stack);
  return `${lines.join('\n')}\n`;
}
