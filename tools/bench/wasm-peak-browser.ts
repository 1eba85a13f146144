/**
 * wasm-peak.ts --chromium: the peak modules and Kindling's matmul kernel (one
 * thread, relaxed SIMD, the module exactly as it ships) in headless Chromium
 * (`/usr/bin/chromium`, Debian's; playwright-core drives it), launched with and
 * without `--js-flags=--wasm-revectorize` (V8 12 and later; older V8s called it
 * `--experimental-wasm-revectorize`, and Node 20's V8 11.3 has neither), V8's
 * experimental pass that fuses pairs of 128-bit SIMD operations into 256-bit
 * AVX2 ones. `--js-flags=--trace-wasm-revectorize` added to a launch by hand
 * prints what it paired (on the renderer's stdout). Launches
 * alternate between the two (`--repeat` pairs) so load hits both; each reports
 * GFLOP/s and a checksum of the 1024³ product, to see whether the flag changes
 * results.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { kernelModuleBytes } from '../../packages/backend-cpu/src/wasm/kernel-archive.js';
import { type PeakModuleOptions, peakFlops, peakModuleBytes } from './wasm-peak-module.js';

const CHROMIUM = process.env.KINDLING_CHROMIUM ?? '/usr/bin/chromium';
const REVECTORIZE = '--js-flags=--wasm-revectorize';
const ITERS = 20_000;

const PEAKS: { label: string; options: PeakModuleOptions }[] = [
  { label: 'fma ×12', options: { op: 'fma', accumulators: 12 } },
  { label: 'fma ×12, stored', options: { op: 'fma', accumulators: 12, store: true } },
  // 16 and 24 chains spill as 128-bit vectors (15 xmm registers), but paired they are 8 and 12 ymm chains.
  { label: 'fma ×16, stored', options: { op: 'fma', accumulators: 16, store: true } },
  { label: 'fma ×24, stored', options: { op: 'fma', accumulators: 24, store: true } },
  { label: 'mul-add ×12', options: { op: 'mul-add', accumulators: 12 } },
  { label: 'mul-add ×12, stored', options: { op: 'mul-add', accumulators: 12, store: true } },
  { label: 'mul-add ×24, stored', options: { op: 'mul-add', accumulators: 24, store: true } },
];

const PRODUCTS = [
  { name: 'matmul 1024³ A·B', M: 1024, K: 1024, N: 1024, transB: false, bias: false },
  { name: 'Linear 4096→4096, batch 256', M: 256, K: 4096, N: 4096, transB: true, bias: true },
];

interface PageInput {
  peaks: { label: string; bytes: number[]; flops: number }[];
  kernel: number[];
  products: typeof PRODUCTS;
  iters: number;
  ms: number;
}

interface PageOutput {
  userAgent: string;
  peaks: Record<string, number>;
  products: Record<string, number>;
  checksum: number;
}

/** Runs in the page: everything it needs comes in `input` (playwright serialises the function). */
async function pageBench(input: PageInput): Promise<PageOutput> {
  const rate = (run: () => void, flops: number, ms: number) => {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      run();
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < ms);
    return (flops * calls) / (elapsed * 1e6);
  };
  const bestOf3 = (run: () => void, flops: number, ms: number) => Math.max(...[0, 1, 2].map(() => rate(run, flops, ms / 3)));
  const peaks: Record<string, number> = {};
  for (const p of input.peaks) {
    const peak = (await WebAssembly.instantiate(new Uint8Array(p.bytes))).instance.exports.peak as (
      iters: number,
      b: number,
      c: number,
    ) => number;
    // Wasm starts in the baseline compiler; the optimised code replaces it for later calls.
    rate(() => peak(input.iters, 0.9999, 1e-4), p.flops, 300);
    peaks[p.label] = bestOf3(() => peak(input.iters, 0.9999, 1e-4), p.flops, input.ms);
  }
  const memory = new WebAssembly.Memory({ initial: 2048, maximum: 32768 });
  const { instance } = await WebAssembly.instantiate(new Uint8Array(input.kernel), { env: { memory } });
  const raw = instance.exports as Record<string, (...args: number[]) => number>;
  let top = Math.ceil(raw.heapBase() / 64) * 64;
  const alloc = (bytes: number) => {
    const p = top;
    top += Math.ceil(bytes / 64) * 64;
    return p;
  };
  // A fixed pseudo-random fill, so both launches multiply the same numbers.
  let seed = 12345;
  const filled = (n: number) => {
    const p = alloc(n * 4);
    const v = new Float32Array(memory.buffer, p, n);
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      v[i] = seed / 2 ** 32 - 0.5;
    }
    return p;
  };
  const scratch = alloc(raw.matmulScratchBytes());
  const runners = input.products.map((p) => {
    const a = filled(p.M * p.K);
    const b = filled(p.K * p.N);
    const bias = p.bias ? filled(p.N) : 0;
    const out = alloc(p.M * p.N * 4);
    const [rsB, csB] = p.transB ? [1, p.K] : [p.N, 1];
    const run = () => raw.matmul(a, p.K, 1, b, rsB, csB, out, p.M, p.K, p.N, bias, scratch, 0, p.M, 0, p.N);
    return { p, run, out };
  });
  const warm = performance.now();
  while (performance.now() - warm < 500) runners[0].run();
  const products: Record<string, number> = {};
  for (const r of runners) products[r.p.name] = bestOf3(r.run, 2 * r.p.M * r.p.K * r.p.N, 3 * input.ms);
  // The bits of the 1024³ product (Int32 view of the floats), hashed.
  const bits = new Int32Array(memory.buffer, runners[0].out, runners[0].p.M * runners[0].p.N);
  let checksum = 0;
  for (let i = 0; i < bits.length; i++) checksum = (Math.imul(checksum, 31) + bits[i]) | 0;
  return { userAgent: navigator.userAgent, peaks, products, checksum };
}

export async function runChromium(args: string[]): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`wasm-peak --chromium: no ${CHROMIUM} (apt-get install chromium, or set KINDLING_CHROMIUM)`);
  const repeat = Number(args[args.indexOf('--repeat') + 1] || 2);
  const input: PageInput = {
    peaks: PEAKS.map((p) => ({ label: p.label, bytes: [...peakModuleBytes(p.options)], flops: peakFlops(p.options, ITERS) })),
    kernel: [...(await kernelModuleBytes('relaxed', false))],
    products: PRODUCTS,
    iters: ITERS,
    ms: args.includes('--quick') ? 150 : 300,
  };
  const results: Record<string, PageOutput[]> = { default: [], revectorize: [] };
  for (let r = 0; r < repeat; r++) {
    for (const label of ['default', 'revectorize'] as const) {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: label === 'revectorize' ? [REVECTORIZE] : [],
      });
      try {
        const page = await browser.newPage();
        results[label].push(await page.evaluate(pageBench, input));
      } finally {
        await browser.close();
      }
    }
  }
  const version = results.default[0].userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? results.default[0].userAgent;
  console.log(`Headless ${version}, 1 thread, GFLOP/s, best launch of ${repeat} (each the best of 3 trials):\n`);
  const rows = [...PEAKS.map((p) => ['peaks', p.label] as const), ...PRODUCTS.map((p) => ['products', p.name] as const)];
  console.log(`| ${'what'.padEnd(28)} | default | ${REVECTORIZE} |`);
  console.log(`| :${'-'.repeat(27)} | ------: | ${'-'.repeat(REVECTORIZE.length - 1)}: |`);
  for (const [kind, key] of rows) {
    const cell = (label: string) => Math.max(...results[label].map((o) => o[kind][key])).toFixed(1);
    console.log(`| ${key.padEnd(28)} | ${cell('default').padStart(7)} | ${cell('revectorize').padStart(REVECTORIZE.length)} |`);
  }
  const sums = new Set([...results.default, ...results.revectorize].map((o) => o.checksum));
  console.log(`\n1024³ product bit-identical across launches and flags: ${sums.size === 1 ? 'yes' : `no (${[...sums].join(', ')})`}`);
  console.log(JSON.stringify({ chromium: version, results }));
}
