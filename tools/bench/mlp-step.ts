/**
 * The seeds' training step as users write it: `nn.Sequential(Linear(784,128),
 * ReLU(), Linear(128,64), ReLU(), Linear(64,10), LogSoftmax(1))`, `NLLLoss`,
 * `optim.SGD(lr 0.003)`, batch 64, `zeroGrad / forward / loss / backward /
 * step` inside `tidy`, on the `cpu` device. Prints µs/step (best and median
 * of several rounds) and, unless `--no-torch`, PyTorch's step from
 * `torch_mlp.py` measured right after in the same run at the same thread
 * count, with the ratio: PyTorch 2.x from `~/torch-venv` when present, and
 * Debian's 1.13 as well when both exist (unless `--no-debian`). `--threads 1,2` measures each
 * thread count in turn (default: the backend's default); `--repeat R` repeats
 * the Kindling/PyTorch pairs R times and reports the median and best ratio.
 *
 * `--profile out.cpuprofile` profiles 3000 steps after the warm-up of each
 * thread count and prints where the time goes (`step-profile.ts`); the
 * benchmark's own timings are taken first, unprofiled.
 *
 *   node tools/run-ts.mjs tools/bench/mlp-step.ts [--quick] [--threads 1,2] [--repeat R] [--no-torch] [--no-debian] [--json out.json] [--profile out.cpuprofile]
 */
import { writeFileSync } from 'node:fs';
import { configureCpuKernels, cpuKernelInfo, cpuReady } from '@kindling/backend-cpu';
import { type Tensor, manualSeed, randint, randn, tidy } from '@kindling/tensor';
import * as nn from '@kindling/nn';
import * as optim from '@kindling/optim';
import { median, option, runTorch, torchPythons } from './bench-util.js';
import { profileSteps, summarizeProfile } from './step-profile.js';

const BATCH = 64;

function seedsModel(): nn.Sequential {
  return new nn.Sequential(
    new nn.Linear(784, 128),
    new nn.ReLU(),
    new nn.Linear(128, 64),
    new nn.ReLU(),
    new nn.Linear(64, 10),
    new nn.LogSoftmax(1),
  );
}

/** µs per step over `steps` steps. */
function timeSteps(step: () => void, steps: number): number {
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  return ((performance.now() - t0) * 1000) / steps;
}

/** The thread counts of `--threads 1,2` (empty: leave the backend's default). */
function threadCounts(args: readonly string[]): number[] {
  const i = args.indexOf('--threads');
  return i < 0 ? [] : args[i + 1].split(',').map(Number);
}

interface Pair {
  threads: number;
  kindling: { isa: string; bestUs: number; medianUs: number; loss: number };
  /** PyTorch's step per version (`2.13.0+cpu`, `1.13.1`...), in µs, with the ratio Kindling median / PyTorch. */
  torch: Array<{ version: string; blas: unknown; us: number; ratio: number }>;
}

export async function main(args: string[] = []): Promise<void> {
  const quick = args.includes('--quick');
  const repeat = option(args, '--repeat', 1);
  const counts = threadCounts(args);
  await cpuReady();
  manualSeed(0);
  const model = seedsModel();
  const criterion = new nn.NLLLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.003 });
  const x = randn([BATCH, 784]);
  const y = randint(0, 10, [BATCH]);
  let lastLoss = 0;
  const step = () => {
    optimizer.zeroGrad();
    lastLoss = tidy(() => {
      const loss = criterion.forward(model.forward(x), y) as Tensor;
      loss.backward();
      optimizer.step();
      return loss.itemSync();
    });
  };
  const rounds = quick ? 3 : 9;
  const pythons = args.includes('--no-torch') ? [] : torchPythons().slice(0, args.includes('--no-debian') ? 1 : undefined);
  const pairs: Pair[] = [];
  console.log(`seeds' MLP step (784-128-64-10, batch ${BATCH}, NLLLoss, SGD), ${rounds} rounds per measurement`);
  for (let r = 0; r < repeat; r++) {
    for (const threads of counts.length ? counts : [0]) {
      if (threads > 0) {
        configureCpuKernels({ threads });
        await cpuReady();
      }
      timeSteps(step, quick ? 20 : 100); // warm-up: JIT, allocator, workers
      const samples: number[] = [];
      for (let i = 0; i < rounds; i++) samples.push(timeSteps(step, quick ? 50 : 200));
      const info = cpuKernelInfo();
      const kindling = { isa: info.isa, bestUs: Math.min(...samples), medianUs: median(samples), loss: lastLoss };
      const pair: Pair = { threads: info.threads, kindling, torch: [] };
      const t = String(info.threads);
      console.log(
        `  Kindling cpu (${info.isa}, ${t} thread${info.threads > 1 ? 's' : ''}): best ${kindling.bestUs.toFixed(0)} µs, median ${kindling.medianUs.toFixed(0)} µs`,
      );
      for (const python of pythons) {
        const torch = runTorch(
          'tools/bench/torch_mlp.py',
          ['--steps', quick ? '100' : '500', '--threads', t],
          { OMP_NUM_THREADS: t },
          python,
        );
        if (!torch) continue;
        const us = Number(torch.ms_per_step) * 1000;
        const ratio = kindling.medianUs / us;
        pair.torch.push({ version: String(torch.torch), blas: torch.blas, us, ratio });
        console.log(
          `  PyTorch ${torch.torch} (${t} thread${t === '1' ? '' : 's'}, BLAS ${torch.blas}): ${us.toFixed(0)} µs; Kindling / PyTorch ${ratio.toFixed(2)}x`,
        );
      }
      pairs.push(pair);
      const profileAt = args.indexOf('--profile');
      if (profileAt >= 0 && r === 0) {
        const file = args[profileAt + 1].replace(/(\.cpuprofile)?$/, `-${t}t.cpuprofile`);
        const { profile, usPerStep } = await profileSteps(step, quick ? 500 : 3000, file);
        console.log(`  profile (${file}, ${usPerStep.toFixed(0)} µs/step while profiled):\n${summarizeProfile(profile, usPerStep)}`);
      }
    }
  }
  // The summary per thread count and PyTorch version: median and best of the per-pair ratios.
  const summary: Record<string, { ratios: number[]; median: number; best: number }> = {};
  for (const p of pairs) {
    for (const t of p.torch) {
      const key = `${p.threads} thread${p.threads > 1 ? 's' : ''}, PyTorch ${t.version}`;
      summary[key] ??= { ratios: [], median: 0, best: 0 };
      summary[key].ratios.push(t.ratio);
    }
  }
  for (const [key, s] of Object.entries(summary)) {
    s.median = median(s.ratios);
    s.best = Math.min(...s.ratios);
    if (repeat > 1)
      console.log(
        `  ${key}: Kindling / PyTorch median ${s.median.toFixed(2)}x, best ${s.best.toFixed(2)}x (${s.ratios.map((v) => v.toFixed(2)).join(', ')})`,
      );
  }
  // Top-level kindling/torch/ratio: the first measurement against the newest PyTorch (what cpu-targets.ts reads).
  const first = pairs[0];
  const result: Record<string, unknown> = {
    kindling: { ...first.kindling, threads: first.threads },
    pairs,
    summary,
  };
  if (first.torch.length) {
    result.torch = first.torch[0];
    result.ratio = first.torch[0].ratio;
  }
  const out = args.indexOf('--json');
  if (out >= 0) writeFileSync(args[out + 1], `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result));
}
