/*
 * One colour decision for everything the CLI prints (tables, progress bars):
 * FORCE_COLOR (non-empty and not 0/false) turns colour on, NO_COLOR turns it
 * off, otherwise colour only on a terminal whose TERM is not "dumb".
 */

/** Whether output written to `stream` may carry ANSI colour codes. */
export function colorEnabled(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** cli-table3 styles: grey borders in colour, none at all without (its defaults colour the borders and headers). */
export function tableStyle(color: boolean): { head: string[]; border: string[] } {
  return { head: [], border: color ? ['grey'] : [] };
}

/** A byte count for people: `512 B`, `28.3 KB`, `9.9 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} KB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
