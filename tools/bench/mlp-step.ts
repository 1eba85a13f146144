/**
 * The seeds' training step as users write it: `nn.Sequential(Linear(784,128),
 * ReLU(), Linear(128,64), ReLU(), Linear(64,10), LogSoftmax(1))`, `NLLLoss`,
 * `optim.SGD(lr 0.003)`, batch 64, `zeroGrad / forward / loss / backward /
 * step` inside `tidy`, on the `cpu` device. Prints µs/step (best and median
 * of several rounds) and, unless `--no-torch`, PyTorch's step from
 * `torch_mlp.py` measured in the same run, with the ratio.
 *
 *   node tools/run-ts.mjs tools/bench/mlp-step.ts [--quick] [--threads N] [--no-torch] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import { configureCpuKernels, cpuKernelInfo, cpuReady } from '@kindling/backend-cpu';
import { type Tensor, manualSeed, randint, randn, tidy } from '@kindling/tensor';
import * as nn from '@kindling/nn';
import * as optim from '@kindling/optim';
import { median, option, runTorch } from './bench-util.js';

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

export async function main(args: string[] = []): Promise<void> {
  const quick = args.includes('--quick');
  const threads = option(args, '--threads', 0);
  if (threads > 0) configureCpuKernels({ threads });
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
  timeSteps(step, quick ? 20 : 100); // warm-up: JIT, allocator
  const rounds = quick ? 3 : 9;
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) samples.push(timeSteps(step, quick ? 50 : 200));
  const info = cpuKernelInfo();
  const result: Record<string, unknown> = {
    kindling: { isa: info.isa, threads: info.threads, bestUs: Math.min(...samples), medianUs: median(samples), loss: lastLoss },
  };
  console.log(`seeds' MLP step (784-128-64-10, batch ${BATCH}, NLLLoss, SGD), ${rounds} rounds`);
  console.log(
    `  Kindling cpu (${info.isa}, ${info.threads} thread${info.threads > 1 ? 's' : ''}): best ${Math.min(...samples).toFixed(0)} µs, median ${median(samples).toFixed(0)} µs`,
  );
  if (!args.includes('--no-torch')) {
    const torch = runTorch('tools/bench/torch_mlp.py', ['--steps', quick ? '100' : '500'], { OMP_NUM_THREADS: '1' });
    if (torch) {
      const torchUs = Number(torch.ms_per_step) * 1000;
      result.torch = { ...torch, us: torchUs };
      result.ratio = median(samples) / torchUs;
      console.log(`  PyTorch ${torch.torch} (1 thread, BLAS ${torch.blas}): ${torchUs.toFixed(0)} µs`);
      console.log(`  Kindling / PyTorch: ${(median(samples) / torchUs).toFixed(2)}x (target ≤ 2x)`);
    }
  }
  const out = args.indexOf('--json');
  if (out >= 0) writeFileSync(args[out + 1], `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result));
}
