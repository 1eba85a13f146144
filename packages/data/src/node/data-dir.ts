import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Environment variable naming the dataset cache folder. */
export const DATA_DIR_ENV = 'KINDLING_DATA_DIR';
/** Environment variable listing mirrors (URLs or local folders, comma-separated) that replace the built-in ones. */
export const DATA_MIRROR_ENV = 'KINDLING_DATA_MIRROR';

/**
 * The folder datasets are cached in when no `root` is given:
 * `$KINDLING_DATA_DIR`, else `$XDG_CACHE_HOME/kindling`, else `~/.cache/kindling`.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[DATA_DIR_ENV];
  if (fromEnv) return resolve(fromEnv);
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'kindling');
}

/** The mirrors `$KINDLING_DATA_MIRROR` lists (comma-separated), or undefined when it is unset or empty. */
export function mirrorsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const list = (env[DATA_MIRROR_ENV] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return list.length > 0 ? list : undefined;
}
