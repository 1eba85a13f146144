import '@kindling/backend-cpu';
import { hasBackend, tensor } from '@kindling/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { createMlp, syntheticMnist, trainStep } from './mlp.js';
import { ReferenceMlp } from './mlp-reference.js';
import { setupWebGPU } from './setup-gpu.js';

const BATCH = 64;
const LR = 0.003; // the seed's SGD learning rate

beforeAll(async () => {
  await setupWebGPU();
});

/** Batch `s` of a small synthetic MNIST-shaped subset (4 batches, cycled). */
function batchAt(s: number) {
  const { images, labels } = syntheticMnist(BATCH * 4);
  const start = (s % 4) * BATCH;
  return { x: images.subarray(start * 784, (start + BATCH) * 784), y: labels.subarray(start, start + BATCH) };
}

/** Losses of `steps` SGD steps of the MLP on `device`. */
async function lossCurve(device: string, steps: number): Promise<number[]> {
  const model = createMlp(device);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { x: xs, y: ys } = batchAt(s);
    const x = tensor(xs, { device, shape: [BATCH, 784] });
    const y = tensor(ys, { device });
    const loss = trainStep(model, x, y, LR);
    losses.push(await loss.item());
    for (const t of [x, y, loss]) t.dispose();
  }
  return losses;
}

function expectSameCurve(actual: number[], expected: number[], what: string): void {
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `step ${i}: ${what} ${actual[i]} vs ${expected[i]}`).toBeLessThan(
      1e-4 * Math.max(1, expected[i]),
    );
  }
}

describe('MNIST MLP (784-128-64-10, ReLU, LogSoftmax, NLL, SGD lr 0.003) training', () => {
  test('webgpu follows the float64 host reference', async () => {
    const steps = 8;
    const reference = new ReferenceMlp();
    const expected = Array.from({ length: steps }, (_, s) => reference.step(batchAt(s).x, batchAt(s).y, LR));
    const gpu = await lossCurve('webgpu', steps);
    expectSameCurve(gpu, expected, 'webgpu vs host');
    // The same batch again four steps later: the loss went down.
    expect(gpu[4]).toBeLessThan(gpu[0]);
  }, 300_000);

  test('cpu and webgpu follow the same loss curve', async () => {
    expect(hasBackend('cpu'), "importing '@kindling/backend-cpu' registers device cpu").toBe(true);
    const steps = 30;
    const cpu = await lossCurve('cpu', steps);
    const gpu = await lossCurve('webgpu', steps);
    expectSameCurve(gpu, cpu, 'webgpu vs cpu');
    // The last visit of batch 0 has a lower loss than the first.
    const last = Math.floor((steps - 1) / 4) * 4;
    expect(gpu[last]).toBeLessThan(gpu[0]);
  }, 300_000);
});
