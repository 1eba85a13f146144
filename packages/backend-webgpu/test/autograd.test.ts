import { noGrad } from '@kindling/autograd';
import { gather, linear, logSoftmax, sum, tensor } from '@kindling/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectClose } from './helpers.js';
import { createMlp, syntheticMnist, trainStep } from './mlp.js';
import { setupWebGPU } from './setup-gpu.js';

beforeAll(async () => {
  await setupWebGPU();
});

describe('autograd on webgpu', () => {
  test('backward through the MNIST MLP gives the hand-written gradients', async () => {
    const device = 'webgpu';
    const batch = 32;
    const { images, labels } = syntheticMnist(batch, 8);
    const x = tensor(images, { device, shape: [batch, 784] });
    const y = tensor(labels, { device });

    // Autograd: forward, NLL loss, backward; then an SGD step by hand under noGrad.
    const auto = createMlp(device, 3);
    for (const p of auto.params) p.requiresGrad_(true);
    const [w1, b1, w2, b2, w3, b3] = auto.params;
    // No tidy here: the graph keeps its saved tensors until backward.
    const h1 = linear(x, w1, b1).relu();
    const h2 = linear(h1, w2, b2).relu();
    const logp = logSoftmax(linear(h2, w3, b3), 1);
    const loss = sum(gather(logp, 1, y.unsqueeze(1))).mul(-1 / batch);
    loss.backward();
    noGrad(() => {
      for (const p of auto.params) p.sub_(p.grad!, { alpha: 0.003 });
    });

    // The same step with hand-written gradients.
    const manual = createMlp(device, 3);
    const manualLoss = trainStep(manual, x, y, 0.003);

    expect(await loss.item()).toBeCloseTo(await manualLoss.item(), 6);
    for (let i = 0; i < 6; i++) {
      expectClose(Array.from(await auto.params[i].read()), Array.from(await manual.params[i].read()), 1e-5, 1e-7);
    }
  });
});
