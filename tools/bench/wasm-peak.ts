/**
 * The WebAssembly limit, measured: the SIMD128 floating-point peak of one core
 * (a hand-assembled module, wasm-peak-module.ts: independent f32x4 chains of
 * relaxed_madd, or mul + add), then Kindling's matmul kernel at 1024³ and a
 * 4096×4096 Linear layer (batch 256, forward: A·Wᵀ + b) as a fraction of it at
 * 1 thread, and their 2-thread scaling. Rounds interleave everything, so each
 * round's ratio compares numbers taken within a second or two; the summary
 * gives the median of the per-round ratios over the quiet rounds (the 2-core
 * peak, taken at both ends of the round, shows both cores were free) and the
 * best and median GFLOP/s of each. `--isa simd` measures the plain-SIMD build
 * against the mul + add peak. See README.md, "The WebAssembly limit".
 *
 *   node tools/run-ts.mjs tools/bench/wasm-peak.ts [--quick] [--rounds 7] [--isa relaxed-simd|simd] [--json out.json]
 *   node tools/run-ts.mjs tools/bench/wasm-peak.ts --chromium   # the same in headless Chromium, with and without revectorize
 */
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';
import { createWasmKernels, type WasmKernels } from '../../packages/backend-cpu/src/wasm/index.js';
import { instantiatePeak, type PeakModuleOptions, peakFlops, peakModuleBytes } from './wasm-peak-module.js';
import { PeakWorkers } from './wasm-peak-workers.js';

/** One timed product: C = A·B (A M×K, B K×N, or B stored N×K when `transB`), plus a bias when `bias`. */
interface Product {
  readonly name: string;
  readonly M: number;
  readonly K: number;
  readonly N: number;
  readonly transB: boolean;
  readonly bias: boolean;
}

const PRODUCTS: Product[] = [
  { name: 'matmul 1024³ A·B', M: 1024, K: 1024, N: 1024, transB: false, bias: false },
  { name: 'Linear 4096→4096, batch 256', M: 256, K: 4096, N: 4096, transB: true, bias: true },
];

const SWEEP = [4, 8, 10, 12, 13];
/** The chain count the rounds use: enough to cover FMA latency × pipes (4 × 2) with room to spare. */
const CHAINS = 12;
/** A round counts as quiet when both cores gave at least this multiple of one core's peak. */
const QUIET = 1.9;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const best = (xs: number[]) => Math.max(...xs);

/** GFLOP/s of `run` (doing `flops` per call) over calls adding up to at least `ms`. */
function rate(run: () => void, flops: number, ms: number): number {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    run();
    calls++;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (flops * calls) / (elapsed * 1e6);
}

/** GFLOP/s of one core's peak module, calls of ~2 ms each. */
function peakRate(options: PeakModuleOptions, ms: number): number {
  const peak = instantiatePeak(options);
  const iters = 20_000;
  const warm = performance.now();
  while (performance.now() - warm < 60) peak(iters, 0.9999, 1e-4);
  return best([0, 1, 2].map(() => rate(() => peak(iters, 0.9999, 1e-4), peakFlops(options, iters), ms / 3)));
}

function filled(k: WasmKernels, n: number): number {
  const p = k.alloc(n * 4);
  const v = k.f32View(p, n);
  for (let i = 0; i < n; i++) v[i] = Math.random() - 0.5;
  return p;
}

/** Operands of `p` in `k`'s memory and a closure running the product. */
function productRunner(k: WasmKernels, p: Product): () => void {
  const a = filled(k, p.M * p.K);
  const b = filled(k, p.K * p.N);
  const bias = p.bias ? filled(k, p.N) : 0;
  const out = k.alloc(p.M * p.N * 4);
  const [rsB, csB] = p.transB ? [1, p.K] : [p.N, 1];
  return () => k.matmul(a, p.K, 1, b, rsB, csB, out, p.M, p.K, p.N, { bias });
}

/** V8 starts wasm in its baseline compiler: run products until the optimised code is in. */
function warmUp(k: WasmKernels): void {
  const run = productRunner(k, { name: 'warm-up', M: 256, K: 256, N: 256, transB: false, bias: false });
  const start = performance.now();
  while (performance.now() - start < 400) run();
}

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

export async function main(args: string[] = []): Promise<void> {
  if (args.includes('--chromium')) {
    // Loaded only here: playwright-core is needed for this mode alone.
    const { runChromium } = await import('./wasm-peak-browser.js');
    await runChromium(args);
    return;
  }
  const quick = args.includes('--quick');
  const rounds = Number(arg(args, '--rounds') ?? (quick ? 3 : 7));
  const jsonPath = arg(args, '--json');
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  const isa = (arg(args, '--isa') ?? 'relaxed-simd') as 'relaxed-simd' | 'simd';
  const op: PeakModuleOptions['op'] = isa === 'simd' ? 'mul-add' : 'fma';
  const one = await createWasmKernels({ isa, numThreads: 1 });
  const two = await createWasmKernels({ isa, numThreads: 2 });
  await two.ready();
  if (two.numThreads !== 2) throw new Error('wasm-peak: no shared memory, so no 2-thread kernels');
  console.log(`Node ${process.version}, kernels ${one.isa}; ${rounds} rounds; load average ${(await loadAverage()).join(' ')}`);

  // The sweep: how many independent chains it takes to reach the peak.
  const sweep: Record<string, number> = {};
  for (const o of ['fma', 'mul-add'] as const)
    for (const n of SWEEP) sweep[`${o} ×${n}`] = peakRate({ op: o, accumulators: n }, quick ? 150 : 300);
  console.log('\nSIMD128 peak of one core, GFLOP/s (independent f32x4 chains; best of 3 trials):');
  console.log(
    Object.entries(sweep)
      .map(([k, v]) => `  ${k.padEnd(12)} ${v.toFixed(1)}`)
      .join('\n'),
  );

  const peakOptions: PeakModuleOptions = { op, accumulators: CHAINS };
  const workers = new PeakWorkers(peakModuleBytes(peakOptions), peakFlops(peakOptions, 20_000), 20_000);
  const runs = PRODUCTS.map((p) => ({ p, one: productRunner(one, p), two: productRunner(two, p) }));
  warmUp(one);
  warmUp(two);
  for (const r of runs) {
    r.one();
    r.two();
  }
  await workers.measure(100);

  const rows: Record<string, number[]> = { peak1: [], peak2: [] };
  // The 2-core peak, taken at both ends of a round, tells whether another process held a core meanwhile.
  const quiet: boolean[] = [];
  const ms = quick ? 250 : 400;
  for (let round = 0; round < rounds; round++) {
    rows.peak1.push(peakRate(peakOptions, 150));
    rows.peak2.push(await workers.measure(150));
    for (const r of runs) {
      (rows[`${r.p.name} 1T`] ??= []).push(rate(r.one, 2 * r.p.M * r.p.K * r.p.N, ms));
      (rows[`${r.p.name} 2T`] ??= []).push(rate(r.two, 2 * r.p.M * r.p.K * r.p.N, ms));
    }
    const after = await workers.measure(150);
    quiet.push(Math.min(rows.peak2[round], after) >= QUIET * rows.peak1[round]);
  }
  workers.close();

  const quietRounds = quiet.filter(Boolean).length;
  // Median over rounds of num/den: over the quiet rounds when there are any.
  const perRound = (num: string, den: string) => {
    const ratios = rows[num].map((x, i) => x / rows[den][i]);
    const kept = ratios.filter((_, i) => quiet[i]);
    return median(kept.length > 0 ? kept : ratios);
  };
  const table: string[][] = [];
  table.push([`${op} peak ×${CHAINS}, 1 thread`, best(rows.peak1).toFixed(1), median(rows.peak1).toFixed(1), '', '']);
  table.push([
    `${op} peak ×${CHAINS}, 2 threads`,
    best(rows.peak2).toFixed(1),
    median(rows.peak2).toFixed(1),
    '',
    `${perRound('peak2', 'peak1').toFixed(2)}×`,
  ]);
  const summary: Record<string, number> = {};
  for (const r of runs) {
    const k1 = `${r.p.name} 1T`;
    const k2 = `${r.p.name} 2T`;
    const f1 = perRound(k1, 'peak1');
    const f2 = perRound(k2, 'peak2');
    const scaling = perRound(k2, k1);
    table.push([`${r.p.name}, 1 thread`, best(rows[k1]).toFixed(1), median(rows[k1]).toFixed(1), pct(f1), '']);
    table.push([`${r.p.name}, 2 threads`, best(rows[k2]).toFixed(1), median(rows[k2]).toFixed(1), pct(f2), `${scaling.toFixed(2)}×`]);
    summary[`${r.p.name}: fraction of 1-thread peak`] = f1;
    summary[`${r.p.name}: 2-thread scaling`] = scaling;
  }
  console.log(
    `\nGFLOP/s over all ${rounds} rounds; "of peak" = median of (product / peak of the same round, 1 or 2 threads) and` +
      ` scaling = median of 2-thread / 1-thread, both over the quiet rounds (${quietRounds} of ${rounds}: the 2-core peak` +
      ` ≥ ${QUIET}× the 1-core peak at both ends of the round${quietRounds ? '' : '; none was, so over all rounds, and another process held a core'}).` +
      ` Goals: ≥ 90% of peak, ≥ 1.8×.\n`,
  );
  printTable(['', 'best', 'median', 'of peak', 'scaling'], table);
  const spread = (k: string) => `${((best(rows[k]) / Math.min(...rows[k]) - 1) * 100).toFixed(0)}%`;
  console.log(
    `\nNoise (best / worst round − 1): ${Object.keys(rows)
      .map((k) => `${k} ${spread(k)}`)
      .join(', ')}`,
  );
  const result = { node: process.version, isa: one.isa, rounds, quiet, sweep, rows, summary };
  console.log(JSON.stringify(result));
  if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  one.dispose();
  two.dispose();
}

async function loadAverage(): Promise<string[]> {
  const { loadavg } = await import('node:os');
  return loadavg().map((x) => x.toFixed(2));
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w - 1)}` : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
}
