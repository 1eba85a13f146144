/**
 * The seeds' whole MNIST run, end to end, against PyTorch's tutorial pipeline
 * in the same run: Kindling's `kindling-train train` (784-128-64-10 MLP,
 * NLLLoss, SGD lr 0.003, batch 64, 5 epochs, test accuracy after each epoch,
 * checkpoints) and `torch_mnist.py` (torchvision `datasets.MNIST` + `ToTensor`
 * + `Normalize`, `DataLoader(batch_size=64, shuffle=True)`, the same model and
 * loop, `OMP_NUM_THREADS=1`). Each runs as a child process from a cold start
 * (dataset copied from the local mirror first); the table shows wall time,
 * peak resident memory (each child reports its own `maxrss` at exit: polling
 * /proc from here slowed the measured run) and the final test accuracy.
 *
 *   pnpm build && node tools/run-ts.mjs tools/bench/mnist-run.ts [--data ../shared/data/mnist] [--epochs 5] [--no-torch] [--json out.json]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { option, repoRoot } from './bench-util.js';

interface RunResult {
  wallSeconds: number;
  peakRssMiB: number | null;
  stdout: string;
}

/**
 * Runs a command to completion, timing it. The child writes its peak resident
 * set (KiB) to `PEAK_RSS_FILE` at exit: Node children preload
 * `report-peak-rss.cjs`, `torch_mnist.py` does it itself.
 */
function run(command: string, args: readonly string[], rssFile: string, env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((done, fail) => {
    rmSync(rssFile, { force: true });
    const start = performance.now();
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env, PEAK_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => {
      const wallSeconds = (performance.now() - start) / 1000;
      if (code !== 0) fail(new Error(`${command} ${args.join(' ')} exited with ${code}`));
      else done({ wallSeconds, peakRssMiB: existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : null, stdout });
    });
  });
}

export async function main(args: string[] = []): Promise<void> {
  const epochs = option(args, '--epochs', 5);
  const dataArg = args.indexOf('--data');
  const data = resolve(dataArg >= 0 ? args[dataArg + 1] : join(repoRoot, '../shared/data/mnist'));
  const cli = join(repoRoot, 'apps/trainer/dist/cli.js');
  if (!existsSync(cli)) throw new Error('mnist-run: build first (pnpm build): apps/trainer/dist/cli.js is missing');
  const scratch = mkdtempSync(join(tmpdir(), 'kindling-mnist-run-'));
  const result: Record<string, unknown> = { bench: 'mnist-run', epochs, node: process.version };
  try {
    const kd = await run(
      process.execPath,
      [
        '--require',
        join(repoRoot, 'tools/bench/report-peak-rss.cjs'),
        cli,
        'train',
        '--mirror',
        data,
        '--data-dir',
        join(scratch, 'data'),
        '--out',
        join(scratch, 'out'),
        '--epochs',
        String(epochs),
        '--json',
      ],
      join(scratch, 'kindling.rss'),
    );
    const lines = kd.stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    const last = JSON.parse(lines[lines.length - 1]) as { testAccuracy: number };
    result.kindling = { wallSeconds: kd.wallSeconds, peakRssMiB: kd.peakRssMiB, testAccuracy: last.testAccuracy };
    console.log(`MNIST, ${epochs} epochs (784-128-64-10, batch 64, SGD lr 0.003), cold start, one process each`);
    console.log(
      `  Kindling kindling-train: ${kd.wallSeconds.toFixed(1)} s, peak RSS ${kd.peakRssMiB?.toFixed(0) ?? '?'} MiB, test accuracy ${last.testAccuracy}`,
    );
    if (!args.includes('--no-torch')) {
      try {
        const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
        const torch = await run(
          py,
          [join(repoRoot, 'tools/bench/torch_mnist.py'), data, '--epochs', String(epochs)],
          join(scratch, 'torch.rss'),
          {
            OMP_NUM_THREADS: '1',
          },
        );
        const t = JSON.parse(torch.stdout.trim().split('\n').pop() as string) as {
          torch: string;
          blas: string;
          epochs: { accuracy: number }[];
        };
        const accuracy = t.epochs[t.epochs.length - 1].accuracy;
        result.torch = {
          version: t.torch,
          blas: t.blas,
          wallSeconds: torch.wallSeconds,
          peakRssMiB: torch.peakRssMiB,
          testAccuracy: accuracy,
        };
        result.speedup = torch.wallSeconds / kd.wallSeconds;
        console.log(
          `  PyTorch ${t.torch} + torchvision (1 thread, ${t.blas}): ${torch.wallSeconds.toFixed(1)} s, peak RSS ${torch.peakRssMiB?.toFixed(0) ?? '?'} MiB, test accuracy ${accuracy}`,
        );
        console.log(`  Kindling is ${(torch.wallSeconds / kd.wallSeconds).toFixed(1)}x faster (target ≥ 5x); peak RSS target ≤ 400 MiB`);
      } catch (e) {
        console.log(`  PyTorch reference skipped: ${(e as Error).message}`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const out = args.indexOf('--json');
  if (out >= 0) writeFileSync(args[out + 1], `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result));
}
