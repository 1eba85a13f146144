/**
 * The eight matrix products of one seeds' training step (784-128-64-10, batch
 * 64: three forward layers, then each layer's weight gradient dYᵀ·X and the
 * input gradients dY·W of the upper two), each timed alone on the WebAssembly
 * kernels with the layouts the step hands them (weights `[out, in]`, so the
 * forward reads Wᵀ through strides). Their sum is the floor of the step at a
 * thread count: what the matmul costs before any JavaScript or other kernel.
 *
 *   node tools/run-ts.mjs tools/bench/step-products.ts [--threads 1,2] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import { type WasmKernels, createWasmKernels } from '../../packages/backend-cpu/src/wasm/index.js';
import { median } from './bench-util.js';

const B = 64;

/** Name, M, K, N and the element strides of A (rows, cols) and B (rows, cols). */
type Product = readonly [name: string, m: number, k: number, n: number, aRow: number, aCol: number, bRow: number, bCol: number];

const PRODUCTS: readonly Product[] = [
  ['forward 1: X·W1ᵀ', B, 784, 128, 784, 1, 1, 784],
  ['forward 2: H1·W2ᵀ', B, 128, 64, 128, 1, 1, 128],
  ['forward 3: H2·W3ᵀ', B, 64, 10, 64, 1, 1, 64],
  ['dW3 = dYᵀ·H2', 10, B, 64, 1, 10, 64, 1],
  ['dH2 = dY·W3', B, 10, 64, 10, 1, 64, 1],
  ['dW2 = dYᵀ·H1', 64, B, 128, 1, 64, 128, 1],
  ['dH1 = dY·W2', B, 64, 128, 64, 1, 128, 1],
  ['dW1 = dYᵀ·X', 128, B, 784, 1, 128, 784, 1],
];

/** Median µs of one call over 9 rounds, after a warm-up that lets V8 tier the kernels up. */
function timeProduct(k: WasmKernels, [, m, kk, n, aRow, aCol, bRow, bCol]: Product): number {
  const a = k.allocZeroed(m * kk * 4);
  const b = k.allocZeroed(kk * n * 4);
  const c = k.alloc(m * n * 4);
  k.f32View(a, m * kk).forEach((_, i, v) => {
    v[i] = Math.random();
  });
  k.f32View(b, kk * n).forEach((_, i, v) => {
    v[i] = Math.random();
  });
  const calls = Math.max(50, Math.round(2e8 / (m * kk * n)));
  const run = () => k.matmul(a, aRow, aCol, b, bRow, bCol, c, m, kk, n);
  for (let i = 0; i < calls; i++) run();
  const rounds: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) run();
    rounds.push(((performance.now() - t0) * 1000) / calls);
  }
  for (const p of [a, b, c]) k.free(p);
  return median(rounds);
}

export async function main(args: string[] = []): Promise<void> {
  const at = args.indexOf('--threads');
  const counts = at >= 0 ? args[at + 1].split(',').map(Number) : [1, 2];
  const results: Record<string, Record<string, number>> = {};
  for (const threads of counts) {
    const k = await createWasmKernels({ numThreads: threads });
    await k.ready();
    const row: Record<string, number> = {};
    let total = 0;
    let flop = 0;
    console.log(`the seeds' step's products on ${threads} thread(s) (${k.isa}), µs and GFLOP/s:`);
    for (const p of PRODUCTS) {
      const us = timeProduct(k, p);
      const f = 2 * p[1] * p[2] * p[3];
      row[p[0]] = us;
      total += us;
      flop += f;
      console.log(`  ${p[0].padEnd(20)} ${us.toFixed(1).padStart(7)} µs ${(f / us / 1e3).toFixed(1).padStart(6)} GFLOP/s`);
    }
    row.total = total;
    console.log(`  ${'all eight'.padEnd(20)} ${total.toFixed(1).padStart(7)} µs ${(flop / total / 1e3).toFixed(1).padStart(6)} GFLOP/s`);
    results[`${threads}`] = row;
    k.dispose();
  }
  const json = args.indexOf('--json');
  if (json >= 0) writeFileSync(args[json + 1], JSON.stringify({ bench: 'step-products', unit: 'µs', results }, null, 2));
}
