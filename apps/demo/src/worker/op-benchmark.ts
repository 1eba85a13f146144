import { synchronize } from '@kindling/backend-webgpu';
import { NLLLoss } from '@kindling/nn';
import { Adam } from '@kindling/optim';
import { type Tensor, conv2d, matmul, randint, randn, softmax, tidy } from '@kindling/tensor';
import { modelChoice } from '../model/model-choices.js';
import { buildModel } from '../model/model-spec.js';
import type { OpTiming } from './protocol.js';

const ROUNDS = 5;
/** Each round lasts about this long, so fast ops are averaged over many calls and slow ones (software GPUs) do not take minutes. */
const ROUND_MS = 40;
const MAX_CALLS_PER_ROUND = 20;

interface Case {
  op: string;
  shape: string;
  /** Builds the inputs once; returns the call to time and a cleanup. */
  setUp(device: string): { call: () => void; dispose: () => void };
}

function tensorsCase(op: string, shape: string, make: (device: string) => Tensor[], fn: (...inputs: Tensor[]) => Tensor): Case {
  return {
    op,
    shape,
    setUp(device) {
      const inputs = make(device);
      return {
        call: () => tidy(() => void fn(...inputs)),
        dispose: () => {
          for (const t of inputs) t.dispose();
        },
      };
    },
  };
}

const CASES: readonly Case[] = [
  tensorsCase(
    'matmul',
    '[64, 784] × [784, 128]',
    (d) => [randn([64, 784], { device: d }), randn([784, 128], { device: d })],
    (a, b) => matmul(a, b),
  ),
  tensorsCase(
    'matmul',
    '[1000, 784] × [784, 128]',
    (d) => [randn([1000, 784], { device: d }), randn([784, 128], { device: d })],
    (a, b) => matmul(a, b),
  ),
  tensorsCase(
    'conv2d',
    '[8, 32, 26, 26] ⋆ [64, 32, 3, 3] (the MNIST CNN’s second convolution)',
    (d) => [randn([8, 32, 26, 26], { device: d }), randn([64, 32, 3, 3], { device: d }), randn([64], { device: d })],
    (x, w, b) => conv2d(x, w, b),
  ),
  tensorsCase(
    'relu',
    '[64, 128]',
    (d) => [randn([64, 128], { device: d })],
    (a) => a.relu(),
  ),
  tensorsCase(
    'softmax',
    '[1000, 10]',
    (d) => [randn([1000, 10], { device: d })],
    (a) => softmax(a, 1),
  ),
  tensorsCase(
    'sum',
    '[1000, 784] over dim 1',
    (d) => [randn([1000, 784], { device: d })],
    (a) => a.sum(1),
  ),
  {
    op: 'training step',
    shape: 'batch 64, MLP 784-128-64-10, NLLLoss, Adam',
    setUp(device) {
      const classes = Array.from({ length: 10 }, (_, i) => String(i));
      const model = buildModel(modelChoice('medium').spec({ dataset: 'mnist', classes })).to(device);
      const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
      const lossFn = new NLLLoss();
      const x = randn([64, 784], { device });
      const y = randint(0, 10, [64], { device });
      return {
        call: () => {
          optimizer.zeroGrad();
          tidy(() => {
            lossFn.forward(model.forward(x), y).backward();
            optimizer.step();
          });
        },
        dispose: () => {
          for (const t of [x, y, ...model.parameters()]) t.dispose();
        },
      };
    },
  },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Milliseconds for `calls` calls, including waiting for the GPU to finish them. */
async function timeCalls(call: () => void, calls: number, device: string): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < calls; i++) call();
  if (device === 'webgpu') await synchronize();
  return performance.now() - start;
}

/**
 * Times a few ops on the current device. WebGPU queues work and returns at
 * once, so each round ends with `synchronize()` and the time is per call
 * including the wait. The first call compiles pipelines and is not counted;
 * the second sets how many calls a round makes.
 */
export async function benchmarkOps(device: string): Promise<OpTiming[]> {
  const results: OpTiming[] = [];
  for (const c of CASES) {
    const { call, dispose } = c.setUp(device);
    try {
      await timeCalls(call, 1, device);
      const single = await timeCalls(call, 1, device);
      const calls = Math.max(1, Math.min(MAX_CALLS_PER_ROUND, Math.floor(ROUND_MS / Math.max(single, 0.001))));
      const rounds: number[] = [];
      for (let round = 0; round < ROUNDS; round++) rounds.push((await timeCalls(call, calls, device)) / calls);
      results.push({ op: c.op, shape: c.shape, device, ms: median(rounds) });
    } finally {
      dispose();
    }
  }
  return results;
}
