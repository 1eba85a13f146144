import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from '@kindling/data';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const cliPath = join(repoRoot, 'apps/trainer/dist/cli.js');

export function assertBuilt(): void {
  if (!existsSync(cliPath))
    throw new Error(`${cliPath} is missing: these tests run the real binary; run \`pnpm build\` first (pnpm test does)`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kindling-train args...` to completion. `onStdout` sees output as it arrives (to send signals mid-run). */
export function runCli(
  args: string[],
  options: {
    onStdout?: (text: string, kill: (s: NodeJS.Signals) => void) => void;
    env?: NodeJS.ProcessEnv;
    /** Kill the CLI (SIGKILL) after this many ms, so a hang fails the test instead of outliving it. */
    timeout?: number;
  } = {},
): Promise<CliResult> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      timeout: options.timeout,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      options.onStdout?.(stdout, (s) => child.kill(s));
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr }));
  });
}

/**
 * Writes a small learnable MNIST-like dataset: class c is a bright bar at
 * rows 2c+4..2c+5 over uniform noise, so a tiny MLP separates it in one epoch.
 */
export async function writeToyDataset(dir: string, trainCount = 640, testCount = 200): Promise<void> {
  await mkdir(dir, { recursive: true });
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const split = async (prefix: string, count: number) => {
    const images = new Uint8Array(count * 784);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const c = Math.floor(rand() * 10);
      labels[i] = c;
      for (let p = 0; p < 784; p++) {
        const row = Math.floor(p / 28);
        images[i * 784 + p] = row === 2 * c + 4 || row === 2 * c + 5 ? 200 + Math.floor(rand() * 55) : Math.floor(rand() * 90);
      }
    }
    await writeFile(
      join(dir, `${prefix}-images-idx3-ubyte.gz`),
      gzipSync(encodeIdx({ type: 'uint8', shape: [count, 28, 28], data: images })),
    );
    await writeFile(join(dir, `${prefix}-labels-idx1-ubyte`), encodeIdx({ type: 'uint8', shape: [count], data: labels }));
  };
  await split('train', trainCount);
  await split('t10k', testCount);
}

export function jsonLines(text: string): Array<Record<string, number>> {
  return text
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, number>);
}
