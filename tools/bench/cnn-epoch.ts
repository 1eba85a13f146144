/**
 * One `mnist-cnn` epoch on the real MNIST, end to end, each side a child
 * process from a cold start: `kindling-train train --preset mnist-cnn --epochs 1`
 * (data copied and verified from the local mirror, test accuracy and checkpoint
 * after the epoch) against `torch_cnn.py --sections epoch` (IDX files read
 * directly, the same Net, Adadelta, batch 64, test accuracy), both on the same
 * number of threads. Used by `cnn-step.ts --epoch`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from './bench-util.js';

interface Child {
  wallSeconds: number;
  stdout: string;
}

function timed(command: string, args: readonly string[], env: Record<string, string>): Child {
  const start = performance.now();
  const r = spawnSync(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 24 });
  const wallSeconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}: ${r.stderr?.trim().split('\n').pop()}`);
  return { wallSeconds, stdout: r.stdout };
}

const lastJson = (stdout: string): Record<string, unknown> => {
  const lines = stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'));
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
};

/** Runs both epochs, prints a table and returns the figures. */
export function runEpochs(data: string | null, threads: number, python: string | null): Record<string, unknown> {
  const mirror = resolve(data ?? join(repoRoot, '../shared/data/mnist'));
  const cli = join(repoRoot, 'apps/trainer/dist/cli.js');
  if (!existsSync(cli)) throw new Error('cnn-step --epoch: build first (pnpm build): apps/trainer/dist/cli.js is missing');
  const scratch = mkdtempSync(join(tmpdir(), 'kindling-cnn-epoch-'));
  const result: Record<string, unknown> = { threads };
  try {
    const rssFile = join(scratch, 'kindling.rss');
    const flags = ['--preset', 'mnist-cnn', '--epochs', '1', '--mirror', mirror, '--data-dir', join(scratch, 'data')];
    const kd = timed(
      process.execPath,
      ['--require', join(repoRoot, 'tools/bench/report-peak-rss.cjs'), cli, 'train', ...flags, '--out', join(scratch, 'out'), '--json'],
      { KINDLING_CPU_THREADS: String(threads), PEAK_RSS_FILE: rssFile },
    );
    const k = lastJson(kd.stdout) as { testAccuracy: number; seconds: number };
    const kRss = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : Number.NaN;
    result.kindling = { wallSeconds: kd.wallSeconds, epochSeconds: k.seconds, peakRssMiB: kRss, testAccuracy: k.testAccuracy };
    console.log(`\nOne mnist-cnn epoch on MNIST (batch 64, Adadelta), cold start, ${threads} thread${threads > 1 ? 's' : ''}\n`);
    console.log('| | wall | epoch (train + test) | peak RSS | test accuracy |');
    console.log('| :-- | --: | --: | --: | --: |');
    const row = (name: string, wall: number, epoch: number, rss: number, acc: number) =>
      console.log(`| ${name} | ${wall.toFixed(1)} s | ${epoch.toFixed(1)} s | ${rss.toFixed(0)} MiB | ${acc.toFixed(4)} |`);
    row('Kindling kindling-train', kd.wallSeconds, k.seconds, kRss, k.testAccuracy);
    if (python) {
      const args = [join(repoRoot, 'tools/bench/torch_cnn.py'), '--sections', 'epoch', '--threads', String(threads), '--data', mirror];
      const tc = timed(python, args, {});
      const t = lastJson(tc.stdout) as {
        torch: string;
        peakRssMiB: number;
        epoch: { trainSeconds: number; testSeconds: number; accuracy: number };
      };
      const epochSeconds = t.epoch.trainSeconds + t.epoch.testSeconds;
      result.torch = {
        version: t.torch,
        wallSeconds: tc.wallSeconds,
        epochSeconds,
        peakRssMiB: t.peakRssMiB,
        testAccuracy: t.epoch.accuracy,
      };
      result.ratio = kd.wallSeconds / tc.wallSeconds;
      row(`PyTorch ${t.torch}`, tc.wallSeconds, epochSeconds, t.peakRssMiB, t.epoch.accuracy);
      console.log(`\nKindling / PyTorch, wall: ${(kd.wallSeconds / tc.wallSeconds).toFixed(2)}×`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return result;
}
