/**
 * Matmul throughput (float32 GFLOP/s), side by side in one process: Kindling's
 * WebAssembly kernels (relaxed SIMD and plain SIMD on one thread, and on all
 * threads), the plain-TS CPU backend through `@kindling/tensor` (when it is
 * registered), TF.js's cpu and wasm backends, and PyTorch (a python3 child
 * process, tools/bench/torch_matmul.py). Prints a table, then one JSON line.
 *
 *   node tools/run-ts.mjs tools/bench/matmul.ts [--quick] [--median] [--json out.json]
 *
 * The table shows each implementation's best trial (noise from other processes
 * only slows trials down); `--median` shows medians instead, and the JSON has both.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createWasmKernels, type WasmKernels } from '../../packages/backend-cpu/src/wasm/index.js';

interface Case {
  readonly name: string;
  readonly M: number;
  readonly K: number;
  readonly N: number;
  /** A stored K×M (Aᵀ·B). */
  readonly transA: boolean;
  /** B stored N×K (A·Bᵀ, a Linear layer's weight). */
  readonly transB: boolean;
}

const CASES: Case[] = [
  { name: '64x784x128 A·B', M: 64, K: 784, N: 128, transA: false, transB: false },
  { name: '64x128x784 A·Bᵀ', M: 64, K: 128, N: 784, transA: false, transB: true },
  { name: '784x64x128 Aᵀ·B', M: 784, K: 64, N: 128, transA: true, transB: false },
  { name: '256x256x256 A·B', M: 256, K: 256, N: 256, transA: false, transB: false },
  { name: '1024x1024x1024 A·B', M: 1024, K: 1024, N: 1024, transA: false, transB: false },
];

type Runner = (c: Case) => Promise<(() => void) | null>;
type Results = Record<string, Record<string, number | null>>;

let trialMs = 40;
let budgetMs = 1200;

interface Rate {
  readonly best: number;
  readonly median: number;
  readonly trials: number;
}

/**
 * GFLOP/s over short trials (at least `trialMs` each; at least 3 and until
 * `budgetMs` have passed) after warm-up: the best trial, since other processes
 * only ever slow a trial down and short trials can fall between their bursts,
 * and the median.
 */
function measure(c: Case, run: () => void): Rate {
  // At least 100 ms (and one run) of warm-up, so V8 has tiered the code up before timing.
  const warm = performance.now();
  do run();
  while (performance.now() - warm < 100);
  const rates: number[] = [];
  const begin = performance.now();
  while (rates.length < 3 || (performance.now() - begin < budgetMs && rates.length < 25)) {
    let reps = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      run();
      reps++;
      elapsed = performance.now() - start;
    } while (elapsed < trialMs);
    rates.push((2 * c.M * c.K * c.N * reps) / (elapsed * 1e6));
  }
  rates.sort((x, y) => x - y);
  return { best: rates[rates.length - 1], median: rates[rates.length >> 1], trials: rates.length };
}

function filled(k: WasmKernels, n: number): number {
  const p = k.alloc(n * 4);
  const v = k.f32View(p, n);
  for (let i = 0; i < n; i++) v[i] = Math.random() - 0.5;
  return p;
}

/**
 * Runs the kernels' matmul for half a second first: V8 starts wasm in its
 * baseline compiler and swaps in optimised code only on a later call, which
 * would otherwise penalise whichever case is measured first.
 */
function warmUp(kernels: WasmKernels): void {
  const n = 256;
  const a = filled(kernels, n * n);
  const out = kernels.alloc(n * n * 4);
  const start = performance.now();
  while (performance.now() - start < 500) kernels.matmul(a, n, 1, a, 1, n, out, n, n, n);
  kernels.free(a);
  kernels.free(out);
}

function wasmRunner(kernels: WasmKernels): Runner {
  warmUp(kernels);
  return async (c) => {
    const a = filled(kernels, c.M * c.K);
    const b = filled(kernels, c.K * c.N);
    const out = kernels.alloc(c.M * c.N * 4);
    const [rsA, csA] = c.transA ? [1, c.M] : [c.K, 1];
    const [rsB, csB] = c.transB ? [1, c.K] : [c.N, 1];
    return () => kernels.matmul(a, rsA, csA, b, rsB, csB, out, c.M, c.K, c.N);
  };
}

/** The plain-TS backend through @kindling/tensor, or null while it is not registered yet. */
async function plainTsRunner(): Promise<Runner | null> {
  const t = await import('@kindling/tensor');
  const cpu = await import('@kindling/backend-cpu');
  if (!t.hasBackend('cpu')) return null;
  return async (c) => {
    const a = c.transA ? t.transpose(t.randn([c.K, c.M], { device: 'cpu' }), 0, 1) : t.randn([c.M, c.K], { device: 'cpu' });
    const b = c.transB ? t.transpose(t.randn([c.N, c.K], { device: 'cpu' }), 0, 1) : t.randn([c.K, c.N], { device: 'cpu' });
    // The backend's TypeScript kernel: the WebAssembly path is switched off around each call.
    return () => {
      cpu.configureCpuKernels({ wasm: false });
      t.matmul(a, b).dispose();
      cpu.configureCpuKernels({ wasm: true });
    };
  };
}

async function tfjsRunner(backend: 'cpu' | 'wasm'): Promise<Runner> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await import('@tensorflow/tfjs-backend-wasm');
  return async (c) => {
    await tf.setBackend(backend);
    await tf.ready();
    const a = c.transA ? tf.randomNormal([c.K, c.M]) : tf.randomNormal([c.M, c.K]);
    const b = c.transB ? tf.randomNormal([c.N, c.K]) : tf.randomNormal([c.K, c.N]);
    return () => tf.matMul(a, b, c.transA, c.transB).dispose();
  };
}

function torchResults(
  quick: boolean,
  threads: number,
): { results: Record<string, number>; best: Record<string, number>; blas: string } | null {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const script = fileURLToPath(new URL('./torch_matmul.py', import.meta.url));
  const args = [script, '--threads', String(threads), ...(quick ? ['--quick'] : [])];
  const r = spawnSync(python, args, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads) } });
  if (r.status !== 0) {
    console.error(`(PyTorch reference skipped: ${r.stderr?.trim().split('\n').pop() ?? r.error?.message})`);
    return null;
  }
  return JSON.parse(r.stdout);
}

export async function main(args: string[] = []): Promise<void> {
  const quick = args.includes('--quick');
  if (quick) {
    trialMs = 20;
    budgetMs = 400;
  }
  const jsonPath = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
  const statistic: keyof Rate = args.includes('--median') ? 'median' : 'best';
  const cores = cpus().length;

  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  const tfjsWasm = `tfjs-wasm simd=${await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')} threads=${await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')}`;
  const relaxed = await createWasmKernels({ numThreads: 1 });
  const simd = await createWasmKernels({ isa: 'simd', numThreads: 1 });
  const threaded = await createWasmKernels();
  await threaded.ready();
  const columns: [string, Runner | null][] = [
    [`wasm ${relaxed.isa} 1T`, wasmRunner(relaxed)],
    ['wasm simd 1T', relaxed.isa === 'simd' ? null : wasmRunner(simd)],
    [`wasm ${threaded.isa} ${threaded.numThreads}T`, wasmRunner(threaded)],
    ['TS kernel', await plainTsRunner()],
    ['tfjs-cpu', await tfjsRunner('cpu')],
    ['tfjs-wasm', await tfjsRunner('wasm')],
  ];
  const results: Results = {};
  const medians: Results = {};
  for (const c of CASES) {
    results[c.name] = {};
    medians[c.name] = {};
    for (const [name, runner] of columns) {
      const run = runner ? await runner(c) : null;
      const rate = run ? measure(c, run) : null;
      results[c.name][name] = rate ? rate[statistic] : null;
      medians[c.name][name] = rate ? rate.median : null;
    }
  }
  const torch1 = torchResults(quick, 1);
  const torchN = cores > 1 ? torchResults(quick, cores) : null;
  const torchKey = statistic === 'best' ? 'best' : 'results';
  for (const c of CASES) {
    results[c.name]['torch 1T'] = torch1?.[torchKey][c.name] ?? null;
    medians[c.name]['torch 1T'] = torch1?.results[c.name] ?? null;
    if (cores > 1) {
      results[c.name][`torch ${cores}T`] = torchN?.[torchKey][c.name] ?? null;
      medians[c.name][`torch ${cores}T`] = torchN?.results[c.name] ?? null;
    }
  }

  const names = Object.keys(results[CASES[0].name]);
  const base = `wasm ${relaxed.isa} 1T`;
  const header = ['case', ...names, `${base} / tfjs-wasm`, `${base} / torch 1T`];
  const rows = CASES.map((c) => {
    const r = results[c.name];
    const ratio = (x: number | null | undefined, y: number | null | undefined) => (x && y ? `${(x / y).toFixed(1)}x` : 'n/a');
    return [
      c.name,
      ...names.map((n) => (r[n] == null ? 'n/a' : r[n]!.toFixed(1))),
      ratio(r[base], r['tfjs-wasm']),
      ratio(r[base], r['torch 1T']),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((s, i) => (i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join(' | ')} |`;
  console.log(
    `matmul float32, GFLOP/s (${statistic} of 3-25 trials of >=${trialMs} ms), node ${process.version}, ${cores} cores, ${tfjsWasm}${torch1 ? `, torch BLAS=${torch1.blas}` : ''}`,
  );
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? ':' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|')}|`);
  for (const r of rows) console.log(line(r));
  const json = {
    bench: 'matmul',
    unit: 'GFLOP/s',
    statistic,
    node: process.version,
    cores,
    tfjsWasm,
    torchBlas: torch1?.blas ?? null,
    results,
    medians,
  };
  console.log(JSON.stringify(json));
  if (jsonPath) {
    const tmp = `${jsonPath}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(json, null, 2)}\n`);
    renameSync(tmp, jsonPath);
  }
  threaded.dispose();
}
