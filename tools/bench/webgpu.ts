/**
 * WebGPU benchmark: matmul throughput (GFLOP/s) at a few sizes and the time of
 * one training step of the seed's MNIST MLP (784-128-64-10, batch 64), on
 * whatever adapter WebGPU finds (SwiftShader on machines without a GPU).
 *
 *   node tools/run-ts.mjs tools/bench/webgpu.ts [--quick]
 */
import { existsSync } from 'node:fs';
import { type Tensor, matmul, randn, randint, tidy } from '@kindling/tensor';
import { initNodeWebGPU, synchronize, webgpuMemory } from '../../packages/backend-webgpu/src/node.js';
import { createMlp, trainStep } from '../../packages/backend-webgpu/test/mlp.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

async function time(fn: () => Tensor | undefined, reps: number): Promise<number> {
  // Warm-up compiles pipelines and fills the buffer pool.
  tidy(() => {
    fn();
  });
  await synchronize();
  const start = performance.now();
  for (let i = 0; i < reps; i++) {
    tidy(() => {
      fn();
    });
  }
  await synchronize();
  return (performance.now() - start) / reps;
}

export async function main(args: string[] = []): Promise<void> {
  const quick = args.includes('--quick');
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const { backend } = await initNodeWebGPU();
  const info = backend?.runtime.device.adapterInfo;
  console.log(`adapter: ${[info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' / ') || 'unknown'}`);
  const device = 'webgpu';

  console.log('\nmatmul (float32)');
  const sizes = quick ? [128, 256] : [128, 256, 512, 1024];
  for (const n of sizes) {
    const a = randn([n, n], { device });
    const b = randn([n, n], { device });
    const reps = Math.max(2, Math.round((quick ? 2e8 : 1e9) / (2 * n ** 3)));
    const ms = await time(() => matmul(a, b), Math.min(reps, 50));
    console.log(`  ${n}x${n} @ ${n}x${n}: ${ms.toFixed(2)} ms, ${((2 * n ** 3) / (ms * 1e6)).toFixed(2)} GFLOP/s`);
    a.dispose();
    b.dispose();
  }

  console.log('\nMNIST MLP training step (784-128-64-10, batch 64, SGD)');
  const model = createMlp(device);
  const x = randn([64, 784], { device });
  const y = randint(0, 10, [64], { device });
  const steps = quick ? 5 : 20;
  const ms = await time(() => trainStep(model, x, y, 0.003), steps);
  console.log(`  ${ms.toFixed(2)} ms per step (${steps} steps)`);
  const mem = webgpuMemory();
  console.log(
    `\nGPU memory: ${(mem.allocatedBytes / 2 ** 20).toFixed(1)} MiB allocated, ${(mem.pooledBytes / 2 ** 20).toFixed(1)} MiB pooled, ` +
      `${mem.pipelines} pipelines, ${mem.submissions} submissions`,
  );
  backend?.runtime.destroy();
}
