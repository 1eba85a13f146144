/**
 * The seeds' whole MNIST run, end to end, against PyTorch in the same run:
 * Kindling's `kindling-train train` (784-128-64-10 MLP, NLLLoss, SGD lr 0.003,
 * batch 64, 5 epochs, test accuracy after each epoch, checkpoints) and
 * `torch_mnist.py` (the same model and loop over shuffled batches gathered from
 * one normalised tensor, test accuracy each epoch; no torchvision), each a child
 * process from a cold start (the dataset copied from the local mirror first), at
 * each one's default thread count (the machine's cores). PyTorch 2.x
 * (`~/torch-venv`) is the reference; Debian's 1.13 is a second column (first
 * repeat only: on the reference BLAS it takes ~45 s; `--no-debian` skips it).
 * `--repeat R` runs the Kindling/PyTorch pairs R times; each pair's ratio is
 * taken within the pair. Reports wall time, where it went (start-up, data and
 * evaluation vs the epochs; the first epoch carries V8's warm-up), peak resident
 * memory (each child reports its own `maxrss` at exit: polling /proc from here
 * slowed the measured run) and the final test accuracy.
 * Targets (issue 21): ≥ 2× faster than PyTorch 2.x, peak RSS ≤ 250 MiB.
 * `--baseline <cli.js>` also runs another build of the trainer (a copy of an
 * earlier `apps/trainer/dist` with its packages) in every pair, alternating
 * which of the two goes first, and compares the two builds within each pair:
 * before/after figures from one run, on a machine whose load drifts.
 *
 *   pnpm build && node tools/run-ts.mjs tools/bench/mnist-run.ts [--data ../shared/data/mnist] [--epochs 5]
 *       [--repeat 1] [--no-torch] [--no-debian] [--torchvision] [--baseline old/cli.js] [--json out.json]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { debianPython, median, option, repoRoot, torchVenvPython } from './bench-util.js';

interface RunResult {
  wallSeconds: number;
  peakRssMiB: number | null;
  stdout: string;
}

/** One side of a pair: wall time, its parts, memory and accuracy. */
export interface SideResult {
  label: string;
  wallSeconds: number;
  /** Training seconds of each epoch (without evaluation). */
  epochSeconds: number[];
  /** Everything else: process start, imports, data loading, evaluation, checkpoints, exit. */
  restSeconds: number;
  peakRssMiB: number | null;
  testAccuracy: number;
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

function side(label: string, r: RunResult, epochSeconds: number[], testAccuracy: number): SideResult {
  const trained = epochSeconds.reduce((a, b) => a + b, 0);
  return { label, wallSeconds: r.wallSeconds, epochSeconds, restSeconds: r.wallSeconds - trained, peakRssMiB: r.peakRssMiB, testAccuracy };
}

async function runKindling(data: string, scratch: string, epochs: number, cli: string, label: string): Promise<SideResult> {
  const out = join(scratch, 'kindling');
  rmSync(out, { recursive: true, force: true });
  const flags = ['--mirror', data, '--data-dir', join(out, 'data'), '--out', join(out, 'out'), '--epochs', String(epochs), '--json'];
  const r = await run(
    process.execPath,
    ['--require', join(repoRoot, 'tools/bench/report-peak-rss.cjs'), cli, 'train', ...flags],
    `${out}.rss`,
  );
  const lines = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { seconds?: number; testAccuracy?: number });
  const epochLines = lines.filter((l) => typeof l.seconds === 'number');
  return side(
    label,
    r,
    epochLines.map((l) => l.seconds as number),
    Number(epochLines.at(-1)?.testAccuracy),
  );
}

async function runTorch(python: string, data: string, scratch: string, epochs: number, loader: string): Promise<SideResult> {
  const r = await run(
    python,
    [join(repoRoot, 'tools/bench/torch_mnist.py'), data, '--epochs', String(epochs), '--loader', loader],
    join(scratch, 'torch.rss'),
  );
  const t = JSON.parse(r.stdout.trim().split('\n').pop() as string) as {
    torch: string;
    blas: string;
    threads: number;
    epochs: { accuracy: number; trainSeconds: number }[];
  };
  const label = `PyTorch ${t.torch} (${t.blas}, ${t.threads} thread${t.threads > 1 ? 's' : ''}${loader === 'torchvision' ? ', torchvision' : ''})`;
  return side(
    label,
    r,
    t.epochs.map((e) => e.trainSeconds),
    t.epochs[t.epochs.length - 1].accuracy,
  );
}

const s = (x: number) => `${x.toFixed(2)} s`;

function row(r: SideResult): string {
  const [first, ...rest] = r.epochSeconds;
  const steady = rest.length ? median(rest) : Number.NaN;
  return `| ${r.label} | ${s(r.wallSeconds)} | ${s(r.restSeconds)} | ${s(first)} | ${Number.isFinite(steady) ? s(steady) : '–'} | ${r.peakRssMiB?.toFixed(0) ?? '?'} MiB | ${r.testAccuracy} |`;
}

export async function main(args: string[] = []): Promise<void> {
  const epochs = option(args, '--epochs', 5);
  const repeat = option(args, '--repeat', 1);
  const dataArg = args.indexOf('--data');
  const data = resolve(dataArg >= 0 ? args[dataArg + 1] : join(repoRoot, '../shared/data/mnist'));
  if (!existsSync(join(repoRoot, 'apps/trainer/dist/cli.js')))
    throw new Error('mnist-run: build first (pnpm build): apps/trainer/dist/cli.js is missing');
  const loader = args.includes('--torchvision') ? 'torchvision' : 'tensor';
  const venv = args.includes('--no-torch') ? null : torchVenvPython();
  const debian = args.includes('--no-torch') || args.includes('--no-debian') ? null : debianPython;
  const scratch = mkdtempSync(join(tmpdir(), 'kindling-mnist-run-'));
  const baselineArg = args.indexOf('--baseline');
  const baselineCli = baselineArg >= 0 ? resolve(args[baselineArg + 1]) : null;
  if (baselineCli && !existsSync(baselineCli)) throw new Error(`mnist-run: --baseline ${baselineCli} does not exist`);
  const thisBuild = () => runKindling(data, scratch, epochs, join(repoRoot, 'apps/trainer/dist/cli.js'), 'Kindling kindling-train');
  const baselineBuild = (cli: string) => runKindling(data, scratch, epochs, cli, 'Kindling baseline build');
  const pairs: {
    kindling: SideResult;
    baseline: SideResult | null;
    torch: SideResult | null;
    debian: SideResult | null;
    speedup: number | null;
  }[] = [];
  try {
    for (let i = 0; i < repeat; i++) {
      // With a baseline, the two builds take turns going first.
      const before = baselineCli && i % 2 === 0 ? await baselineBuild(baselineCli) : null;
      const kindling = await thisBuild();
      const baseline = before ?? (baselineCli ? await baselineBuild(baselineCli) : null);
      const torch = venv ? await runTorch(venv, data, scratch, epochs, loader).catch(skipped) : null;
      const old = debian && i === 0 ? await runTorch(debian, data, scratch, epochs, loader).catch(skipped) : null;
      pairs.push({ kindling, baseline, torch, debian: old, speedup: torch ? torch.wallSeconds / kindling.wallSeconds : null });
      console.error(`(repeat ${i + 1}/${repeat}: Kindling ${s(kindling.wallSeconds)}, PyTorch ${torch ? s(torch.wallSeconds) : '–'})`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`\nMNIST, ${epochs} epochs (784-128-64-10, batch 64, SGD lr 0.003), cold start, one process each, default threads`);
  console.log('(rest = process start, imports, data loading, test evaluation, checkpoints, exit; steady = median of epochs 2+)\n');
  console.log('| run | wall | rest | epoch 1 | steady epoch | peak RSS | test accuracy |');
  console.log('| :-- | --: | --: | --: | --: | --: | --: |');
  for (const p of pairs) for (const r of [p.baseline, p.kindling, p.torch, p.debian]) if (r) console.log(row(r));
  const speedups = pairs.map((p) => p.speedup).filter((x): x is number => x !== null);
  const rss = Math.max(...pairs.map((p) => p.kindling.peakRssMiB ?? Number.POSITIVE_INFINITY));
  const result: Record<string, unknown> = { bench: 'mnist-run', epochs, node: process.version, loader, pairs, peakRssMiB: rss };
  if (speedups.length) {
    result.speedup = median(speedups);
    result.speedups = speedups;
    console.log(
      `\nKindling is ${median(speedups).toFixed(2)}× faster than ${pairs[0].torch?.label} (median; pairs: ${speedups.map((x) => x.toFixed(2)).join(', ')}); target ≥ 2×`,
    );
  }
  const builds = pairs.filter((p) => p.baseline !== null) as { kindling: SideResult; baseline: SideResult }[];
  if (builds.length) {
    const gain = (pick: (r: SideResult) => number) => builds.map((p) => pick(p.baseline) - pick(p.kindling));
    const fmt = (xs: number[]) => `${median(xs).toFixed(3)} s (pairs: ${xs.map((x) => x.toFixed(3)).join(', ')})`;
    const steady = (r: SideResult) => median(r.epochSeconds.slice(1));
    result.baselineGain = { wall: gain((r) => r.wallSeconds), rest: gain((r) => r.restSeconds), steady: gain(steady) };
    console.log(`\nThis build vs the baseline, time saved (median of the pairs' differences):`);
    console.log(`  wall ${fmt(gain((r) => r.wallSeconds))}`);
    console.log(`  rest ${fmt(gain((r) => r.restSeconds))}`);
    console.log(`  epoch 1 ${fmt(gain((r) => r.epochSeconds[0]))}`);
    console.log(`  steady epoch ${fmt(gain(steady))}`);
  }
  const old = pairs[0].debian;
  if (old) console.log(`Against ${old.label}: ${(old.wallSeconds / pairs[0].kindling.wallSeconds).toFixed(2)}× (first pair)`);
  console.log(`Kindling's peak RSS, worst run: ${rss.toFixed(0)} MiB (target ≤ 250 MiB)`);
  const out = args.indexOf('--json');
  if (out >= 0) writeFileSync(args[out + 1], `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result));
}

function skipped(e: Error): null {
  console.log(`  PyTorch reference skipped: ${e.message}`);
  return null;
}
