import { readFileSync } from 'node:fs';

/**
 * The package's version, read from its package.json at run time: `../package.json`
 * from `dist/` (the published layout) and from `src/` (the sources) alike.
 */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
