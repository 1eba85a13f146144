/** Small helpers the benchmarks share: statistics, flags, and the PyTorch reference child process. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository: the nearest folder up holding pnpm-workspace.yaml (benchmarks also run compiled, from tools/bench/dist). */
export const repoRoot = findRepoRoot(fileURLToPath(new URL('.', import.meta.url)));

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '../..');
  }
}

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
 * The PyTorch references a benchmark compares with, newest first: the 2.x venv when it exists,
 * then Debian's 1.13 (each a Python to hand to `runTorch`).
 */
export function torchPythons(): string[] {
  const venv = torchVenvPython();
  return venv ? [venv, debianPython] : [debianPython];
}

/**
 * Runs a PyTorch reference script (a path relative to the repository) with
 * `python` (default: the PyTorch 2.x venv when present, else Debian's
 * `/usr/bin/python3`) and returns the JSON object it prints last, or null
 * (with a note on stderr) when PyTorch is missing or the script fails.
 */
export function runTorch(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
  python: string = torchVenvPython() ?? debianPython,
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
