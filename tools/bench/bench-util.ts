/** Small helpers the benchmarks share: statistics, flags, and the PyTorch reference child process. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The number after `name` in `args`, or `fallback`. */
export function option(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** Debian's Python (its `python3-torch` is 1.13), or whatever `python3` is on the path. */
export const debianPython = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/**
 * The Python of the PyTorch 2.x install users have (`python3 -m venv ~/torch-venv &&
 * ~/torch-venv/bin/pip install torch numpy`), `KINDLING_TORCH_PYTHON` if set, or null
 * when neither exists.
 */
export function torchVenvPython(): string | null {
  const python = process.env.KINDLING_TORCH_PYTHON ?? resolve(homedir(), 'torch-venv/bin/python3');
  return existsSync(python) ? python : null;
}

/**
 * Runs a PyTorch reference script (a path relative to the repository) with
 * `python` (default: Debian's `/usr/bin/python3`) and returns the JSON object it
 * prints last, or null (with a note on stderr) when PyTorch is missing or the script fails.
 */
export function runTorch(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
  python: string = debianPython,
): Record<string, unknown> | null {
  const r = spawnSync(python, [resolve(repoRoot, script), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) {
    console.error(`(PyTorch reference skipped: ${r.stderr?.trim().split('\n').pop() ?? r.error?.message})`);
    return null;
  }
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}
