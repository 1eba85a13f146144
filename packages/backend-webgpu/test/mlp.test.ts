import '@kindling/backend-cpu';
import { hasBackend, tensor } from '@kindling/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { createMlp, syntheticMnist, trainStep } from './mlp.js';
import { setupWebGPU } from './setup-gpu.js';

beforeAll(async () => {
  await setupWebGPU();
});

/** Losses of `steps` SGD steps (batch 64, lr 0.003 as in the seed) on `device`. */
async function lossCurve(device: string, steps: number): Promise<number[]> {
  const batch = 64;
  const { images, labels } = syntheticMnist(batch * 4);
  const model = createMlp(device);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const start = (s % 4) * batch;
    const x = tensor(images.subarray(start * 784, (start + batch) * 784), { device, shape: [batch, 784] });
    const y = tensor(labels.subarray(start, start + batch), { device });
    const loss = trainStep(model, x, y, 0.003);
    losses.push((await loss.item()) as number);
    for (const t of [x, y, loss]) t.dispose();
  }
  return losses;
}

describe('MNIST MLP (784-128-64-10) training', () => {
  test('cpu and webgpu follow the same loss curve', async () => {
    expect(hasBackend('cpu')).toBe(true);
    const steps = 30;
    const cpu = await lossCurve('cpu', steps);
    const gpu = await lossCurve('webgpu', steps);
    for (let i = 0; i < steps; i++) {
      expect(Math.abs(gpu[i] - cpu[i]), `step ${i}: webgpu ${gpu[i]} vs cpu ${cpu[i]}`).toBeLessThan(1e-4 * Math.max(1, cpu[i]));
    }
    // SGD makes progress on the training batches.
    expect(gpu[steps - 1]).toBeLessThan(gpu[0]);
  }, 300_000);
});
