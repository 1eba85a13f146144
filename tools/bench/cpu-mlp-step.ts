/**
 * One SGD training step of the MNIST MLP (784-128-64-10, ReLU, log-softmax +
 * NLL, batch 64) through `@kindling/tensor` ops and `@kindling/autograd` on the
 * `cpu` device, with float32 matmuls on the TypeScript kernel and on the
 * WebAssembly kernels, in one process. Prints µs/step for both and the ratio.
 *
 *   node tools/run-ts.mjs tools/bench/cpu-mlp-step.ts [--quick] [--rounds N] [--threads N]
 *
 * Rounds alternate between the two paths so that load from other processes
 * (the machine is shared) hits both alike; each path reports its best round
 * and the median. `KINDLING_CPU_WASM=0` keeps the wasm path off entirely.
 */
import { configureCpuKernels, cpuKernelInfo, cpuReady } from '@kindling/backend-cpu';
import { type Tensor, linear, manualSeed, nllLoss, randint, randn, tidy } from '@kindling/tensor';
import { noGrad } from '@kindling/autograd';

const BATCH = 64;
const SIZES = [784, 128, 64, 10];
const LR = 0.01;

interface Layer {
  readonly weight: Tensor;
  readonly bias: Tensor;
}

function makeLayers(): Layer[] {
  const layers: Layer[] = [];
  for (let l = 0; l < 3; l++) {
    const [inF, outF] = [SIZES[l], SIZES[l + 1]];
    const scale = 1 / Math.sqrt(inF);
    layers.push({
      weight: randn([outF, inF]).mul(scale).requiresGrad_(),
      bias: randn([outF]).mul(scale).requiresGrad_(),
    });
  }
  return layers;
}

/** Forward, backward and the SGD update; returns the loss (read back, as a training loop logs it). */
function step(layers: Layer[], x: Tensor, target: Tensor): number {
  const loss = tidy(() => {
    let h = x;
    layers.forEach((layer, i) => {
      h = linear(h, layer.weight, layer.bias);
      if (i < layers.length - 1) h = h.relu();
    });
    const l = nllLoss(h.logSoftmax(1), target);
    l.backward();
    noGrad(() => {
      for (const layer of layers) {
        for (const p of [layer.weight, layer.bias]) p.sub_((p.grad as Tensor).mul(LR));
      }
    });
    return l.itemSync();
  });
  // tidy disposed the gradients with the rest of the step's tensors.
  for (const layer of layers) {
    layer.weight.grad = null;
    layer.bias.grad = null;
  }
  return loss;
}

/** µs per step over `steps` steps. */
function timeSteps(layers: Layer[], x: Tensor, target: Tensor, steps: number): number {
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step(layers, x, target);
  return ((performance.now() - t0) * 1000) / steps;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

export async function main(args: string[] = []): Promise<void> {
  const quick = args.includes('--quick');
  const rounds = option(args, '--rounds', quick ? 3 : 7);
  const threads = option(args, '--threads', 1);
  configureCpuKernels({ threads });
  await cpuReady();
  const wasmInfo = cpuKernelInfo();
  manualSeed(0);
  const layers = makeLayers();
  const x = randn([BATCH, SIZES[0]]);
  const target = randint(0, 10, [BATCH], { dtype: 'int32' });

  const paths = [
    { name: 'TypeScript kernels', wasm: false, steps: quick ? 3 : 10, samples: [] as number[] },
    {
      name: `wasm (${wasmInfo.isa}, ${wasmInfo.threads} thread${wasmInfo.threads > 1 ? 's' : ''})`,
      wasm: true,
      steps: quick ? 20 : 100,
      samples: [] as number[],
    },
  ];
  if (wasmInfo.status !== 'ready') {
    console.log(`wasm kernels ${wasmInfo.status}: timing the TypeScript path only`);
    paths.pop();
  }
  for (const p of paths) {
    configureCpuKernels({ wasm: p.wasm });
    timeSteps(layers, x, target, 3); // warm-up: JIT, scratch growth
  }
  for (let r = 0; r < rounds; r++) {
    for (const p of paths) {
      configureCpuKernels({ wasm: p.wasm });
      p.samples.push(timeSteps(layers, x, target, p.steps));
    }
  }
  configureCpuKernels({ wasm: true });

  console.log(`MLP 784-128-64-10, batch ${BATCH}, one SGD step (forward + backward + update), ${rounds} rounds`);
  for (const p of paths) {
    console.log(
      `  ${p.name.padEnd(36)} best ${Math.min(...p.samples)
        .toFixed(0)
        .padStart(7)} µs/step   median ${median(p.samples).toFixed(0).padStart(7)} µs/step`,
    );
  }
  if (paths.length === 2) {
    const [ts, wasm] = paths;
    console.log(
      `  speed-up (TS / wasm): best ${(Math.min(...ts.samples) / Math.min(...wasm.samples)).toFixed(1)}x, median ${(median(ts.samples) / median(wasm.samples)).toFixed(1)}x`,
    );
  }
  console.log(`  final loss ${step(layers, x, target).toFixed(4)}`);
}
