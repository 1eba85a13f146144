/**
 * The CNN targets of the convolution issue, side by side with PyTorch in one run:
 *
 * - the training step of `mnist-cnn` (examples/mnist's Net, batch 64, Adadelta)
 *   and of the blitz's CIFAR-10 Net (batch 4, SGD momentum) at 1 and 2 threads,
 *   against `torch_cnn.py` under PyTorch 2.x (`~/torch-venv`), `--repeat` times
 *   (each repeat times Kindling, then PyTorch, and takes the ratio of the two
 *   medians; target ≤ 1.2×, issue 21; the convolution issue asked ≤ 1.5×);
 * - conv2d forward and backward GFLOP/s of those nets' four conv layers;
 * - with `--epoch`, one `mnist-cnn` epoch on the real MNIST end to end
 *   (`kindling-train train --preset mnist-cnn --epochs 1` against
 *   `torch_cnn.py --sections epoch`, each a child process from a cold start).
 *
 * Debian's PyTorch 1.13 (`/usr/bin/python3`) is a second column where installed (`--no-debian` skips it).
 *
 *   node tools/run-ts.mjs tools/bench/cnn-step.ts [--quick] [--repeat 3] [--threads 1,2]
 *       [--no-layers] [--epoch] [--data ../shared/data/mnist] [--no-torch] [--no-debian] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import { cpuKernelInfo, cpuReady, setNumThreads } from '@kindling/backend-cpu';
import { manualSeed } from '@kindling/tensor';
import { type CnnName, cnnStep } from './cnn-models.js';
import { CONV_LAYERS, type LayerRates, kindlingLayerRates } from './cnn-layers.js';
import { runEpochs } from './cnn-epoch.js';
import { debianPython, median, option, runTorch, torchVenvPython } from './bench-util.js';

const NETS: readonly CnnName[] = ['mnist-cnn', 'blitz'];
const LABEL: Record<CnnName, string> = { 'mnist-cnn': 'mnist-cnn step, batch 64', blitz: 'blitz Net step, batch 4' };
/** Steps per timed round (about 0.3-1 s each on the 2-core dev machine), as in `torch_cnn.py`. */
const STEPS: Record<CnnName, [quick: number, full: number]> = { 'mnist-cnn': [3, 10], blitz: [50, 300] };

type PerThreads = Record<string, { best: number; median: number }>;

/** ms per step of each net at each thread count; rounds alternate between thread counts. */
function kindlingSteps(threads: readonly number[], quick: boolean): Record<CnnName, PerThreads> {
  const out = {} as Record<CnnName, PerThreads>;
  for (const net of NETS) {
    manualSeed(0);
    const step = cnnStep(net);
    const steps = STEPS[net][quick ? 0 : 1];
    const samples = new Map<number, number[]>(threads.map((n) => [n, []]));
    for (const n of threads) {
      setNumThreads(n);
      for (let i = 0; i < Math.max(3, steps / 2); i++) step(); // warm-up: JIT, allocator
    }
    for (let r = 0; r < (quick ? 3 : 7); r++) {
      for (const n of threads) {
        setNumThreads(n);
        const t0 = performance.now();
        for (let i = 0; i < steps; i++) step();
        samples.get(n)?.push((performance.now() - t0) / steps);
      }
    }
    out[net] = Object.fromEntries([...samples].map(([n, s]) => [String(n), { best: Math.min(...s), median: median(s) }]));
  }
  return out;
}

const fmt = (x: number | undefined, digits = 2): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));

export async function main(args: string[] = []): Promise<void> {
  const quick = args.includes('--quick');
  const repeat = option(args, '--repeat', quick ? 1 : 3);
  const ti = args.indexOf('--threads');
  const threads = (ti >= 0 ? args[ti + 1] : '1,2').split(',').map(Number);
  const withTorch = !args.includes('--no-torch');
  const venv = withTorch ? torchVenvPython() : null;
  if (withTorch && !venv) console.error('(PyTorch 2.x not found in ~/torch-venv: only Debian 1.13 is compared)');
  await cpuReady();
  const info = cpuKernelInfo();
  if (info.status !== 'ready') console.error(`(WebAssembly kernels ${info.status}: timing the TypeScript kernels)`);
  const torchArgs = ['--threads', threads.join(','), ...(quick ? ['--quick'] : [])];
  const result: Record<string, unknown> = { bench: 'cnn-step', node: process.version, isa: info.isa, threads, repeats: [] };

  // Steps: each repeat is Kindling then PyTorch 2.x, so a ratio never spans two loads of the machine.
  const repeats: { kindling: Record<CnnName, PerThreads>; torch: Record<CnnName, PerThreads> | null }[] = [];
  let torch2: Record<string, unknown> | null = null;
  for (let r = 0; r < repeat; r++) {
    const kindling = kindlingSteps(threads, quick);
    torch2 = venv ? runTorch('tools/bench/torch_cnn.py', ['--sections', 'step', ...torchArgs], {}, venv) : null;
    repeats.push({ kindling, torch: (torch2?.step as Record<CnnName, PerThreads>) ?? null });
    console.error(`(repeat ${r + 1}/${repeat} done)`);
  }
  const withDebian = withTorch && !args.includes('--no-debian');
  const torch1 = withDebian ? runTorch('tools/bench/torch_cnn.py', ['--sections', 'step', ...torchArgs], {}, debianPython) : null;
  result.repeats = repeats;
  result.torch = { version: torch2?.torch, library: torch2?.library, debian: torch1 };

  const v2 = String(torch2?.torch ?? '2.x');
  const v1 = String(torch1?.torch ?? '1.13');
  console.log(`\nCNN training steps, ms per step (median of rounds; ratio = Kindling / PyTorch ${v2}, per repeat, median first)`);
  console.log(
    `Kindling: ${info.isa}; PyTorch ${v2}: ${String(torch2?.library ?? '–')}; PyTorch ${v1}: ${String(torch1?.library ?? '–')}\n`,
  );
  console.log(`| step | threads | Kindling | PyTorch ${v2} | ratio (target ≤ 1.2×) | PyTorch ${v1} |`);
  console.log('| :-- | --: | --: | --: | :-- | --: |');
  const summary: Record<string, unknown> = {};
  for (const net of NETS) {
    for (const n of threads) {
      const k = repeats.map((x) => x.kindling[net][String(n)].median);
      const t = repeats.map((x) => x.torch?.[net][String(n)].median ?? Number.NaN);
      const ratios = k.map((v, i) => v / t[i]);
      const d = (torch1?.step as Record<CnnName, PerThreads> | undefined)?.[net][String(n)].median;
      summary[`${net}/${n}`] = { kindlingMs: median(k), torchMs: median(t), ratio: median(ratios), ratios, debianMs: d };
      const ratioText = Number.isFinite(median(ratios)) ? `${fmt(median(ratios))}× (${ratios.map((x) => fmt(x)).join(', ')})` : '–';
      console.log(`| ${LABEL[net]} | ${n} | ${fmt(median(k))} | ${fmt(median(t))} | ${ratioText} | ${fmt(d)} |`);
    }
  }
  result.steps = summary;

  if (!args.includes('--no-layers')) {
    const kl: Record<string, Record<string, LayerRates>> = {};
    for (const layer of CONV_LAYERS) {
      kl[layer.name] = {};
      for (const n of threads) {
        setNumThreads(n);
        kl[layer.name][String(n)] = kindlingLayerRates(layer, quick);
      }
    }
    const layerArgs = ['--sections', 'layers', ...torchArgs];
    const tl = (venv ? runTorch('tools/bench/torch_cnn.py', layerArgs, {}, venv)?.layers : undefined) as typeof kl | undefined;
    const dl = (withDebian ? runTorch('tools/bench/torch_cnn.py', layerArgs, {}, debianPython)?.layers : undefined) as
      | typeof kl
      | undefined;
    result.layers = { kindling: kl, torch: tl, debian: dl };
    console.log('\nconv2d GFLOP/s, best trial (backward: weight and bias gradients, plus the input gradient after the first layer)\n');
    console.log(
      `| layer | threads | Kindling fwd | PyTorch ${v2} fwd | PyTorch ${v1} fwd | Kindling bwd | PyTorch ${v2} bwd | PyTorch ${v1} bwd |`,
    );
    console.log('| :-- | --: | --: | --: | --: | --: | --: | --: |');
    for (const layer of CONV_LAYERS) {
      for (const n of threads) {
        const [k, t, d] = [kl, tl, dl].map((src) => src?.[layer.name]?.[String(n)]);
        const cells = (dir: 'forward' | 'backward') => [k, t, d].map((x) => fmt(x?.[dir].best, 1)).join(' | ');
        console.log(`| ${layer.label} | ${n} | ${cells('forward')} | ${cells('backward')} |`);
      }
    }
  }

  if (args.includes('--epoch')) {
    const di = args.indexOf('--data');
    result.epoch = runEpochs(di >= 0 ? args[di + 1] : null, threads[threads.length - 1], venv);
  }

  const out = args.indexOf('--json');
  if (out >= 0) writeFileSync(args[out + 1], `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify({ bench: 'cnn-step', steps: summary }));
}
