/**
 * One SGD training step of the MNIST MLP (784-128-64-10, ReLU, log-softmax +
 * NLL, batch 64) written directly against Kindling's WebAssembly kernels: the
 * floor the backend can reach once autograd and nn run on them. Forward uses the
 * matmul with a bias epilogue (A·Wᵀ + b) and relu; backward needs all three matmul layouts
 * (dX = dY·W, dW = dYᵀ·X). Compared with PyTorch (tools/bench/torch_mlp.py).
 *
 *   node tools/run-ts.mjs tools/bench/mlp-kernels.ts [--quick]
 *
 * The step through `@kindling/nn` + `@kindling/autograd` (and the 5-epoch MNIST
 * run) belongs next to this once those packages train on the CPU backend.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createWasmKernels, type WasmKernels } from '../../packages/backend-cpu/src/wasm/index.js';

const B = 64;
const SIZES = [784, 128, 64, 10];

interface Layer {
  readonly inF: number;
  readonly outF: number;
  readonly w: number;
  readonly b: number;
  readonly dw: number;
  readonly db: number;
  /** Output activations [B, outF]. */
  readonly y: number;
  /** Gradient w.r.t. the output [B, outF]. */
  readonly dy: number;
}

function randomBlock(k: WasmKernels, n: number, scale: number): number {
  const p = k.alloc(n * 4);
  const v = k.f32View(p, n);
  for (let i = 0; i < n; i++) v[i] = (Math.random() * 2 - 1) * scale;
  return p;
}

/** A training step over fixed data; returns it as a closure. */
function makeStep(k: WasmKernels): () => number {
  const x = randomBlock(k, B * SIZES[0], 1);
  const labels = Int32Array.from({ length: B }, () => Math.floor(Math.random() * 10));
  const layers: Layer[] = [];
  for (let l = 0; l < 3; l++) {
    const [inF, outF] = [SIZES[l], SIZES[l + 1]];
    layers.push({
      inF,
      outF,
      w: randomBlock(k, outF * inF, 1 / Math.sqrt(inF)),
      b: randomBlock(k, outF, 1 / Math.sqrt(inF)),
      dw: k.alloc(outF * inF * 4),
      db: k.alloc(outF * 4),
      y: k.alloc(B * outF * 4),
      dy: k.alloc(B * outF * 4),
    });
  }
  const logp = k.alloc(B * 10 * 4);
  const lr = 0.01;
  return () => {
    let input = x;
    layers.forEach((L, i) => {
      // Y = X·Wᵀ + b: W [outF, inF] read transposed through its strides.
      k.matmul(input, L.inF, 1, L.w, 1, L.inF, L.y, B, L.inF, L.outF, { bias: L.b });
      if (i < 2) k.unary('relu', L.y, L.y, B * L.outF);
      input = L.y;
    });
    const last = layers[2];
    k.softmax(last.y, logp, B, 10, true);
    // dLogits = (softmax - onehot) / B, from the log-probabilities.
    k.unary('exp', logp, last.dy, B * 10);
    const lp = k.f32View(logp, B * 10);
    const dz = k.f32View(last.dy, B * 10);
    let loss = 0;
    for (let i = 0; i < B; i++) {
      loss -= lp[i * 10 + labels[i]];
      dz[i * 10 + labels[i]] -= 1;
    }
    for (let i = 0; i < B * 10; i++) dz[i] /= B;
    for (let l = 2; l >= 0; l--) {
      const L = layers[l];
      const xIn = l === 0 ? x : layers[l - 1].y;
      // dW = dYᵀ·X: dY [B, outF] read as Aᵀ; db = column sums of dY.
      k.matmul(L.dy, 1, L.outF, xIn, L.inF, 1, L.dw, L.outF, B, L.inF);
      k.reduceCols('sum', L.dy, B, L.outF, L.db);
      if (l > 0) {
        const prev = layers[l - 1];
        k.matmul(L.dy, L.outF, 1, L.w, L.inF, 1, prev.dy, B, L.outF, L.inF); // dX = dY·W
        k.reluBackward(prev.dy, prev.y, prev.dy, B * prev.outF);
      }
    }
    for (const L of layers) {
      k.axpy(-lr, L.dw, L.w, L.outF * L.inF);
      k.axpy(-lr, L.db, L.b, L.outF);
    }
    return loss / B;
  };
}

/** Median ms per step; also checks the step trains (the loss on the fixed batch falls). */
function msPerStep(step: () => number, quick: boolean): number {
  const first = step();
  let last = first;
  for (let i = 0; i < 20; i++) last = step();
  if (!(last < first)) throw new Error(`mlp-kernels: the loss did not fall (${first} -> ${last})`);
  const trials: number[] = [];
  for (let t = 0; t < 5; t++) {
    const n = quick ? 20 : 100;
    const start = performance.now();
    for (let i = 0; i < n; i++) step();
    trials.push((performance.now() - start) / n);
  }
  trials.sort((a, b) => a - b);
  return trials[2];
}

function torchMs(threads: number): number | null {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const script = fileURLToPath(new URL('./torch_mlp.py', import.meta.url));
  const r = spawnSync(python, [script, '--threads', String(threads)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
  });
  return r.status === 0 ? JSON.parse(r.stdout).ms_per_step : null;
}

export async function main(args: string[] = []): Promise<void> {
  const quick = args.includes('--quick');
  const cores = cpus().length;
  const results: Record<string, number | null> = {};
  for (const [name, options] of [
    ['wasm 1T', { numThreads: 1 }],
    [`wasm ${cores}T`, {}],
    ['wasm simd (no relaxed) 1T', { isa: 'simd', numThreads: 1 }],
  ] as const) {
    const k = await createWasmKernels(options);
    await k.ready();
    results[`${name} (${k.isa})`] = msPerStep(makeStep(k), quick);
    k.dispose();
  }
  results['torch 1T'] = torchMs(1);
  if (cores > 1) results[`torch ${cores}T`] = torchMs(cores);
  console.log('MLP 784-128-64-10 training step, batch 64 (ms/step, median of 5)');
  for (const [name, ms] of Object.entries(results)) console.log(`  ${name.padEnd(40)} ${ms == null ? 'n/a' : ms.toFixed(3)}`);
  console.log(JSON.stringify({ bench: 'mlp-kernels', unit: 'ms/step', node: process.version, cores, results }));
}
