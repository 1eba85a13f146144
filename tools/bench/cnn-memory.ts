/**
 * Memory over 1,000 CNN training steps: the `mnist-cnn` step (batch 64,
 * Adadelta) and the blitz Net step (batch 4, SGD momentum) of `cnn-models.ts`,
 * each step on a freshly drawn random batch, as a training loop allocates one.
 * Samples every 100 steps the process's resident set, V8's heap, the
 * WebAssembly kernels' memory and heap (bytes in use), and the live tensors and
 * storages `memory()` counts; memory is flat when step 1000 holds no more live
 * tensors, storages or kernel heap bytes than step 100, and the resident set
 * grew by less than 5%.
 *
 *   node tools/run-ts.mjs tools/bench/cnn-memory.ts [--steps 1000] [--net mnist-cnn|blitz|both] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import { cpuKernelInfo, cpuReady } from '@kindling/backend-cpu';
import { manualSeed, memory } from '@kindling/tensor';
// Internal to the CPU backend (not exported): the benchmark runs on the sources, so it can read the kernels' heap.
import { activeKernels } from '../../packages/backend-cpu/src/wasm-path.js';
import { type CnnName, cnnStep } from './cnn-models.js';
import { option } from './bench-util.js';

const MiB = 1024 * 1024;

interface Sample {
  step: number;
  rssMiB: number;
  jsHeapMiB: number;
  wasmMemoryMiB: number;
  wasmHeapInUseMiB: number;
  tensors: number;
  storages: number;
  storageMiB: number;
}

function sample(step: number): Sample {
  const m = process.memoryUsage();
  const heap = activeKernels()?.heapStats();
  const cpu = memory().cpu ?? { tensors: 0, storages: 0, bytes: 0 };
  return {
    step,
    rssMiB: m.rss / MiB,
    jsHeapMiB: m.heapUsed / MiB,
    wasmMemoryMiB: (heap?.memoryBytes ?? 0) / MiB,
    wasmHeapInUseMiB: (heap?.bytesInUse ?? 0) / MiB,
    tensors: cpu.tensors,
    storages: cpu.storages,
    storageMiB: cpu.bytes / MiB,
  };
}

function run(net: CnnName, steps: number): { samples: Sample[]; flat: boolean; seconds: number } {
  manualSeed(0);
  const step = cnnStep(net, true);
  const samples: Sample[] = [];
  const t0 = performance.now();
  for (let i = 1; i <= steps; i++) {
    step();
    if (i % 100 === 0) samples.push(sample(i));
  }
  const seconds = (performance.now() - t0) / 1000;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const flat =
    last.tensors <= first.tensors &&
    last.storages <= first.storages &&
    last.wasmHeapInUseMiB <= first.wasmHeapInUseMiB &&
    last.rssMiB <= first.rssMiB * 1.05;
  return { samples, flat, seconds };
}

export async function main(args: string[] = []): Promise<void> {
  const steps = option(args, '--steps', 1000);
  const ni = args.indexOf('--net');
  const which = ni >= 0 ? args[ni + 1] : 'both';
  const nets: CnnName[] = which === 'both' ? ['blitz', 'mnist-cnn'] : [which as CnnName];
  await cpuReady();
  const info = cpuKernelInfo();
  if (info.status !== 'ready') console.error(`(WebAssembly kernels ${info.status}: timing the TypeScript kernels)`);
  const result: Record<string, unknown> = { bench: 'cnn-memory', steps, isa: info.isa, threads: info.threads };
  for (const net of nets) {
    const r = run(net, steps);
    result[net] = r;
    console.log(
      `\n${net}: ${steps} training steps on fresh random batches in ${r.seconds.toFixed(1)} s (${info.isa}, ${info.threads} threads)\n`,
    );
    console.log('| step | RSS MiB | JS heap MiB | wasm memory MiB | wasm heap in use MiB | live tensors | storages | storage MiB |');
    console.log('| --: | --: | --: | --: | --: | --: | --: | --: |');
    for (const s of r.samples) {
      const cells = [s.rssMiB, s.jsHeapMiB, s.wasmMemoryMiB, s.wasmHeapInUseMiB].map((x) => x.toFixed(1));
      console.log(`| ${s.step} | ${cells.join(' | ')} | ${s.tensors} | ${s.storages} | ${s.storageMiB.toFixed(1)} |`);
    }
    console.log(`\nflat from step 100 to step ${steps}: ${r.flat ? 'yes' : 'NO'}`);
  }
  const out = args.indexOf('--json');
  if (out >= 0) writeFileSync(args[out + 1], `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    JSON.stringify({ bench: 'cnn-memory', flat: Object.fromEntries(nets.map((n) => [n, (result[n] as { flat: boolean }).flat])) }),
  );
}
