/**
 * conv2d forward, input-gradient and weight-gradient speed of the CPU
 * backend's fused kernels (WebAssembly: im2col + the packed GEMM, samples split
 * across threads) on the convolutions of PyTorch's examples/mnist Net (batch 64)
 * and the 60-minute blitz's CIFAR-10 Net (batch 4), at 1 and 2 threads, with
 * PyTorch 2.x's times for the same layers side by side when
 * `~/torch-venv/bin/python3` exists (tools/bench/torch_conv_kernels.py).
 *
 *   node tools/run-ts.mjs tools/bench/conv-kernels.ts [--quick] [--reps N] [--threads 1,2]
 *
 * Times are medians over the repetitions, after warm-up; GFLOP/s counts two
 * flops per multiply-add of the direct convolution (N·Cout·Cin·kh·kw·OH·OW).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { configureCpuKernels, cpuBackend, cpuKernelInfo, cpuReady } from '@kindling/backend-cpu';
import type { StorageHandle, View, Window2d } from '@kindling/tensor/backend';
import { median, repoRoot } from './bench-util.js';

interface Layer {
  readonly name: string;
  readonly n: number;
  readonly cin: number;
  readonly cout: number;
  readonly size: number;
  readonly k: number;
}

const LAYERS: Layer[] = [
  { name: 'mnist conv1 1→32 3×3 28² ×64', n: 64, cin: 1, cout: 32, size: 28, k: 3 },
  { name: 'mnist conv2 32→64 3×3 26² ×64', n: 64, cin: 32, cout: 64, size: 26, k: 3 },
  { name: 'cifar conv1 3→6 5×5 32² ×4', n: 4, cin: 3, cout: 6, size: 32, k: 5 },
  { name: 'cifar conv2 6→16 5×5 14² ×4', n: 4, cin: 6, cout: 16, size: 14, k: 5 },
];

const OPS = ['forward', 'inputGrad', 'weightGrad'] as const;
type Op = (typeof OPS)[number];
type Times = Record<string, Record<Op, number>>;

function randomView(shape: number[]): View {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.random() * 2 - 1;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return { handle: cpuBackend.upload('float32', data), dtype: 'float32', shape, strides, offset: 0 };
}

function timeMs(fn: () => StorageHandle | null, reps: number): number {
  const fused = cpuBackend.fused!;
  void fused;
  for (let i = 0; i < 3; i++) cpuBackend.free(fn() as StorageHandle);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const out = fn();
    times.push(performance.now() - t);
    if (out === null) throw new Error('a fused kernel declined the benchmark layer');
    cpuBackend.free(out);
  }
  return median(times);
}

function measure(layer: Layer, reps: number): Record<Op, number> {
  const fused = cpuBackend.fused!;
  const out = layer.size - layer.k + 1;
  const window: Window2d = { kernel: [layer.k, layer.k], stride: [1, 1], padding: [0, 0], dilation: [1, 1] };
  const x = randomView([layer.n, layer.cin, layer.size, layer.size]);
  const w = randomView([layer.cout, layer.cin, layer.k, layer.k]);
  const b = randomView([layer.cout]);
  const g = randomView([layer.n, layer.cout, out, out]);
  const times = {
    forward: timeMs(() => fused.conv2d!(x, w, b, window, 1), reps),
    inputGrad: timeMs(() => fused.conv2dInputGrad!(g, w, [layer.size, layer.size], window, 1), reps),
    weightGrad: timeMs(() => fused.conv2dWeightGrad!(x, g, window, 1), reps),
  };
  for (const v of [x, w, b, g]) cpuBackend.free(v.handle);
  return times;
}

function gflops(layer: Layer, ms: number): number {
  const out = layer.size - layer.k + 1;
  return (2 * layer.n * layer.cout * layer.cin * layer.k * layer.k * out * out) / ms / 1e6;
}

/** PyTorch 2.x's times from the venv the issues name, or null when it is missing. */
function torchTimes(threads: number[], reps: number): { version: string; threads: Record<string, Times> } | null {
  const python = resolve(homedir(), 'torch-venv/bin/python3');
  if (!existsSync(python)) {
    console.error('(PyTorch 2.x reference skipped: no ~/torch-venv/bin/python3)');
    return null;
  }
  const script = resolve(repoRoot, 'tools/bench/torch_conv_kernels.py');
  const r = spawnSync(python, [script, '--layers', JSON.stringify(LAYERS), '--threads', threads.join(','), '--reps', String(reps)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) {
    console.error(`(PyTorch reference failed: ${r.stderr?.trim().split('\n').pop()})`);
    return null;
  }
  const parsed = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { torch: string; threads: Record<string, Times> };
  return { version: parsed.torch, threads: parsed.threads };
}

export async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const ri = args.indexOf('--reps');
  const reps = ri >= 0 ? Number(args[ri + 1]) : quick ? 5 : 20;
  const ti = args.indexOf('--threads');
  const threads = (ti >= 0 ? args[ti + 1] : '1,2').split(',').map(Number);
  await cpuReady();
  const ours: Record<string, Times> = {};
  for (const t of threads) {
    configureCpuKernels({ threads: t });
    await cpuReady();
    ours[t] = {};
    for (const layer of LAYERS) ours[t][layer.name] = measure(layer, reps);
  }
  const torch = torchTimes(threads, reps);
  console.log(`Kindling ${cpuKernelInfo().isa} vs PyTorch ${torch?.version ?? '(none)'}: median ms (GFLOP/s), ${reps} reps`);
  for (const t of threads) {
    console.log(`\n${t} thread${t > 1 ? 's' : ''}`);
    console.log(`| layer | op | Kindling | PyTorch | ratio |\n|---|---|---|---|---|`);
    for (const layer of LAYERS) {
      for (const op of OPS) {
        const ms = ours[t][layer.name][op];
        const ref = torch?.threads[t]?.[layer.name]?.[op];
        const cell = (v: number) => `${v.toFixed(3)} (${gflops(layer, v).toFixed(1)})`;
        const ratio = ref ? `${(ms / ref).toFixed(2)}×` : '–';
        console.log(`| ${layer.name} | ${op} | ${cell(ms)} | ${ref ? cell(ref) : '–'} | ${ratio} |`);
      }
    }
  }
}
