import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { UsageError } from './errors.js';

const camel = (k: string) => k.replace(/[-_]([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * Reads a `--config` file (JSON or YAML; JSON is YAML) into settings keyed
 * like the flags, accepting `batch-size`, `batch_size` or `batchSize`.
 */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--config ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (e) {
    throw new UsageError(`--config ${path}: not valid JSON or YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError(`--config ${path}: expected a mapping of settings`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [camel(k), v]));
}
