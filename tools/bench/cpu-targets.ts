/**
 * The CPU backend's speed and memory targets in one run: the matmul benchmark
 * (`matmul.ts`, against tfjs-cpu/tfjs-wasm and PyTorch), the seeds' training
 * step (`mlp-step.ts`, against PyTorch) and the seeds' whole MNIST run
 * (`mnist-run.ts`, against PyTorch + torchvision), the last two repeated
 * `--repeat` times (the machine is shared, so single runs move). Prints each
 * benchmark's own output, then a table of every target with the measured
 * value (median over the repeats) and whether it is met, and one JSON line.
 *
 *   pnpm build && node tools/run-ts.mjs tools/bench/cpu-targets.ts [--repeat 3] [--json out.json]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, option } from './bench-util.js';
import { main as matmulMain } from './matmul.js';
import { main as mlpStepMain } from './mlp-step.js';
import { main as mnistRunMain } from './mnist-run.js';

type Json = Record<string, unknown>;

interface Target {
  readonly name: string;
  readonly value: number;
  readonly goal: string;
  readonly met: boolean;
  readonly unit: string;
}

async function runJson(main: (args: string[]) => Promise<void>, args: string[], dir: string, name: string): Promise<Json> {
  const path = join(dir, `${name}.json`);
  await main([...args, '--json', path]);
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

export async function main(args: string[] = []): Promise<void> {
  const repeat = option(args, '--repeat', 3);
  const dir = mkdtempSync(join(tmpdir(), 'kindling-cpu-targets-'));
  const targets: Target[] = [];
  const raw: Json = {};
  try {
    const mm = await runJson(matmulMain, [], dir, 'matmul');
    raw.matmul = mm;
    const results = mm.results as Record<string, Record<string, number>>;
    const layouts = ['64x784x128 A·B', '64x128x784 A·Bᵀ', '784x64x128 Aᵀ·B'];
    for (const layout of layouts) {
      const row = results[layout];
      const ours = Object.keys(row).find((k) => k.startsWith('wasm') && k.endsWith(' 1T') && !k.startsWith('wasm simd')) ?? '';
      targets.push({ name: `matmul ${layout}, 1 thread`, value: row[ours], goal: '≥ 35', met: row[ours] >= 35, unit: 'GFLOP/s' });
      const vsWasm = row[ours] / row['tfjs-wasm'];
      const want = layout.endsWith('A·B') ? 1.5 : 10;
      targets.push({ name: `matmul ${layout} vs tfjs-wasm`, value: vsWasm, goal: `≥ ${want}x`, met: vsWasm >= want, unit: 'x' });
    }

    const steps: Json[] = [];
    const runs: Json[] = [];
    for (let i = 0; i < repeat; i++) {
      steps.push(await runJson(mlpStepMain, [], dir, `step-${i}`));
      runs.push(await runJson(mnistRunMain, [], dir, `mnist-${i}`));
    }
    raw.steps = steps;
    raw.runs = runs;
    const stepRatios = steps.map((s) => Number(s.ratio)).filter(Number.isFinite);
    if (stepRatios.length) {
      const r = median(stepRatios);
      targets.push({
        name: `training step / PyTorch 1-thread step (median of ${stepRatios.length})`,
        value: r,
        goal: '≤ 2x',
        met: r <= 2,
        unit: 'x',
      });
    }
    const speedups = runs.map((r) => Number(r.speedup)).filter(Number.isFinite);
    if (speedups.length) {
      const s = median(speedups);
      targets.push({
        name: `5-epoch MNIST run, speed-up over PyTorch (median of ${speedups.length})`,
        value: s,
        goal: '≥ 5x',
        met: s >= 5,
        unit: 'x',
      });
    }
    const rss = Math.max(...runs.map((r) => Number((r.kindling as Json).peakRssMiB)));
    targets.push({ name: '5-epoch MNIST run, peak RSS (worst run)', value: rss, goal: '≤ 400', met: rss <= 400, unit: 'MiB' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log('\nCPU backend targets');
  console.log('| target | measured | goal | met |');
  console.log('|:--|--:|:--|:--|');
  for (const t of targets)
    console.log(`| ${t.name} | ${t.value.toFixed(t.unit === 'x' ? 2 : 1)} ${t.unit} | ${t.goal} | ${t.met ? 'yes' : 'NO'} |`);
  const summary = { bench: 'cpu-targets', repeat, targets, raw };
  const out = args.indexOf('--json');
  if (out >= 0) writeFileSync(args[out + 1], `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify({ bench: 'cpu-targets', repeat, targets }));
}
