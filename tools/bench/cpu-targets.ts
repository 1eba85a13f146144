/**
 * Every CPU speed and memory target of issue 21 against PyTorch 2.x, in one table:
 *
 * - `peak`: the WebAssembly SIMD128 FMA peak of one core and large matmuls as a
 *   fraction of it (≥ 90%) with their 2-thread scaling (≥ 1.8×) (`wasm-peak.ts`);
 * - `step`: the seeds' training step / PyTorch 2.x's at 1 and 2 threads (≤ 1.0×;
 *   `mlp-step.ts`, each repeat a Kindling/PyTorch pair);
 * - `run`: the seeds' 5-epoch run, speed-up over the vectorised PyTorch 2.x loop
 *   (≥ 2×) and peak RSS (≤ 250 MiB) (`mnist-run.ts`, cold starts);
 * - `cnn`: the CNN training steps / PyTorch 2.x (≤ 1.2×) (`cnn-step.ts --no-layers`);
 * - `matmul`: the older matmul targets against tfjs (`matmul.ts`).
 *
 * Ratios are medians over `--repeat` pairs measured back to back in one run (the
 * machine is a shared VM: single runs move by ±20-30%). PyTorch 1.13 (Debian's)
 * is a second column where a benchmark measured it. All sections take ~10 min;
 * to keep each run under the shared benchmark lock short, run sections apart
 * and merge their JSON:
 *
 *   pnpm build && node tools/run-ts.mjs tools/bench/cpu-targets.ts [--only peak,step,run,cnn,matmul] [--repeat 3] [--json out.json]
 *   node tools/run-ts.mjs tools/bench/cpu-targets.ts --merge a.json b.json ...   # the table of earlier runs
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, option } from './bench-util.js';

type Json = Record<string, unknown>;
type Main = (args: string[]) => Promise<void>;

interface Target {
  readonly name: string;
  readonly value: number;
  readonly goal: string;
  readonly met: boolean;
  readonly unit: string;
  /** The same quantity against PyTorch 1.13, where measured. */
  readonly old?: number;
}

const SECTIONS = ['peak', 'step', 'run', 'cnn', 'matmul'] as const;
type Section = (typeof SECTIONS)[number];

/** Each section's benchmark (imported when run, so one section does not load the others) and its arguments. */
const BENCH: Record<Section, { load: () => Promise<{ main: Main }>; args: (repeat: number) => string[] }> = {
  peak: { load: () => import('./wasm-peak.js'), args: () => [] },
  step: { load: () => import('./mlp-step.js'), args: (r) => ['--threads', '1,2', '--repeat', String(r)] },
  run: { load: () => import('./mnist-run.js'), args: (r) => ['--repeat', String(r)] },
  cnn: { load: () => import('./cnn-step.js'), args: (r) => ['--repeat', String(r), '--no-layers'] },
  matmul: { load: () => import('./matmul.js'), args: () => [] },
};

async function runJson(section: Section, repeat: number, dir: string): Promise<Json> {
  const path = join(dir, `${section}.json`);
  const { main } = await BENCH[section].load();
  await main([...BENCH[section].args(repeat), '--json', path]);
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

const at = (value: number, goal: number, atMost: boolean) => (atMost ? value <= goal : value >= goal);

function peakTargets(r: Json): Target[] {
  const out: Target[] = [];
  for (const [key, value] of Object.entries(r.summary as Record<string, number>)) {
    if (key.endsWith('fraction of 1-thread peak'))
      out.push({ name: `${key} (1 thread)`, value: value * 100, goal: '≥ 90', met: value >= 0.9, unit: '%' });
    if (key.endsWith('2-thread scaling')) out.push({ name: key, value, goal: '≥ 1.8x', met: value >= 1.8, unit: 'x' });
  }
  return out;
}

interface StepPair {
  threads: number;
  torch: Array<{ version: string; ratio: number }>;
}

function stepTargets(r: Json): Target[] {
  const pairs = r.pairs as StepPair[];
  const ratios = (threads: number, major: string) =>
    pairs.filter((p) => p.threads === threads).flatMap((p) => p.torch.filter((t) => t.version.startsWith(major)).map((t) => t.ratio));
  const out: Target[] = [];
  for (const threads of [...new Set(pairs.map((p) => p.threads))]) {
    const now = ratios(threads, '2.');
    if (!now.length) continue;
    const value = median(now);
    const old = ratios(threads, '1.');
    out.push({
      name: `seeds' step / PyTorch 2.x, ${threads} thread${threads > 1 ? 's' : ''} (median of ${now.length})`,
      value,
      goal: '≤ 1.0x',
      met: value <= 1,
      unit: 'x',
      old: old.length ? median(old) : undefined,
    });
  }
  return out;
}

function runTargets(r: Json): Target[] {
  const out: Target[] = [];
  const pairs = r.pairs as Array<{ kindling: { wallSeconds: number }; debian: { wallSeconds: number } | null }>;
  const first = pairs.find((p) => p.debian);
  const old = first?.debian ? first.debian.wallSeconds / first.kindling.wallSeconds : undefined;
  const speedups = (r.speedups as number[] | undefined) ?? [];
  if (speedups.length) {
    const value = median(speedups);
    const name = `5-epoch MNIST run, speed-up over PyTorch 2.x (median of ${speedups.length})`;
    out.push({ name, value, goal: '≥ 2x', met: value >= 2, unit: 'x', old });
  }
  const rss = Number(r.peakRssMiB);
  out.push({ name: '5-epoch MNIST run, peak RSS (worst run)', value: rss, goal: '≤ 250', met: rss <= 250, unit: 'MiB' });
  return out;
}

function cnnTargets(r: Json): Target[] {
  const steps = r.steps as Record<string, { ratio: number; ratios: number[]; kindlingMs: number; debianMs?: number }>;
  return Object.entries(steps).map(([key, s]) => {
    const [net, threads] = key.split('/');
    return {
      name: `${net} step / PyTorch 2.x, ${threads} thread${threads === '1' ? '' : 's'} (median of ${s.ratios.length})`,
      value: s.ratio,
      goal: '≤ 1.2x',
      met: at(s.ratio, 1.2, true),
      unit: 'x',
      old: s.debianMs ? s.kindlingMs / s.debianMs : undefined,
    };
  });
}

function matmulTargets(r: Json): Target[] {
  const results = r.results as Record<string, Record<string, number>>;
  const out: Target[] = [];
  for (const layout of ['64x784x128 A·B', '64x128x784 A·Bᵀ', '784x64x128 Aᵀ·B']) {
    const row = results[layout];
    const ours = Object.keys(row).find((k) => k.startsWith('wasm') && k.endsWith(' 1T') && !k.startsWith('wasm simd')) ?? '';
    out.push({ name: `matmul ${layout}, 1 thread`, value: row[ours], goal: '≥ 35', met: row[ours] >= 35, unit: 'GFLOP/s' });
    const vsWasm = row[ours] / row['tfjs-wasm'];
    const want = layout.endsWith('A·B') ? 1.5 : 10;
    out.push({ name: `matmul ${layout} vs tfjs-wasm`, value: vsWasm, goal: `≥ ${want}x`, met: vsWasm >= want, unit: 'x' });
  }
  return out;
}

const TARGETS: Record<Section, (r: Json) => Target[]> = {
  peak: peakTargets,
  step: stepTargets,
  run: runTargets,
  cnn: cnnTargets,
  matmul: matmulTargets,
};

function printTable(targets: readonly Target[]): void {
  console.log('\nCPU targets (issue 21: against PyTorch 2.x; PyTorch 1.13 where measured)');
  console.log('| target | measured | goal | met | vs PyTorch 1.13 |');
  console.log('|:--|--:|:--|:--|--:|');
  for (const t of targets) {
    const digits = t.unit === 'x' ? 2 : 1;
    const old = t.old === undefined ? '–' : `${t.old.toFixed(2)} x`;
    console.log(`| ${t.name} | ${t.value.toFixed(digits)} ${t.unit} | ${t.goal} | ${t.met ? 'yes' : 'NO'} | ${old} |`);
  }
}

export async function main(args: string[] = []): Promise<void> {
  const merge = args.indexOf('--merge');
  const raw: Partial<Record<Section, Json>> = {};
  if (merge >= 0) {
    const rest = args.slice(merge + 1);
    const files = rest.slice(0, rest.findIndex((a) => a.startsWith('--')) >>> 0); // up to the next flag
    for (const file of files) Object.assign(raw, (JSON.parse(readFileSync(file, 'utf8')) as { raw: Json }).raw);
  } else {
    const repeat = option(args, '--repeat', 3);
    const oi = args.indexOf('--only');
    const only = oi >= 0 ? (args[oi + 1].split(',') as Section[]) : SECTIONS;
    const dir = mkdtempSync(join(tmpdir(), 'kindling-cpu-targets-'));
    try {
      for (const section of SECTIONS) if (only.includes(section)) raw[section] = await runJson(section, repeat, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const targets = SECTIONS.flatMap((s) => (raw[s] ? TARGETS[s](raw[s]) : []));
  printTable(targets);
  const out = args.indexOf('--json');
  if (out >= 0) writeFileSync(args[out + 1], `${JSON.stringify({ bench: 'cpu-targets', targets, raw }, null, 2)}\n`);
  console.log(JSON.stringify({ bench: 'cpu-targets', targets }));
}
