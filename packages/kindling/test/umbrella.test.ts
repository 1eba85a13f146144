import { describe, expect, it } from 'vitest';
import * as kd from '../src/index.js';

describe('kindling umbrella', () => {
  it('runs the autograd example: the gradient of mean(x²) is x/2', () => {
    kd.manualSeed(0);
    const x = kd.randn(2, 2, { requiresGrad: true });
    const z = x.pow(2).mean();
    z.backward();
    const expected = Array.from(x.readSync()).map((v) => v / 2);
    Array.from((x.grad as kd.Tensor).readSync()).forEach((g, i) => {
      expect(g).toBeCloseTo(expected[i], 6);
    });
  });

  it('runs the README training example: the loss falls, and a saved model loads into a fresh one', async () => {
    kd.manualSeed(0);
    const { nn, optim, data } = kd;
    const x = kd.randn(256, 20);
    const y = x.narrow(1, 0, 1).gt(0).squeeze(1).cast('int32');
    const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 64, shuffle: true });
    const model = new nn.Sequential(new nn.Linear(20, 16), new nn.ReLU(), new nn.Linear(16, 2), new nn.LogSoftmax(1));
    const criterion = new nn.NLLLoss();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 5; epoch++) {
      let total = 0;
      for await (const [xb, yb] of loader) {
        optimizer.zeroGrad();
        const loss = criterion.forward(model.forward(xb), yb);
        loss.backward();
        optimizer.step();
        total += await loss.item();
      }
      losses.push(total);
    }
    expect(losses[4]).toBeLessThan(losses[0] / 2);

    const bytes = await kd.checkpoint.save(model.stateDict());
    const fresh = new nn.Sequential(new nn.Linear(20, 16), new nn.ReLU(), new nn.Linear(16, 2), new nn.LogSoftmax(1));
    fresh.loadStateDict(kd.checkpoint.load(bytes).stateDict);
    const same = kd.noGrad(() => fresh.forward(x).sub(model.forward(x)).abs().max());
    expect(await same.item()).toBe(0);
  });

  it('exposes the torch-like namespaces', () => {
    expect(typeof kd.autograd.grad).toBe('function');
    expect(typeof kd.noGrad).toBe('function');
    expect(typeof kd.nn.Linear).toBe('function');
    expect(typeof kd.nn.F.crossEntropy).toBe('function');
    expect(typeof kd.optim.Adam).toBe('function');
    expect(typeof kd.data.MNIST).toBe('function');
    expect(typeof kd.checkpoint.save).toBe('function');
    expect(kd.listBackends()).toContain('cpu');
  });

  it('sets and reports the CPU threads like torch.set_num_threads / get_num_threads', async () => {
    await kd.cpuReady();
    const before = kd.getNumThreads();
    try {
      kd.setNumThreads(1);
      expect(kd.getNumThreads()).toBe(1);
      kd.setNumThreads(2);
      expect(kd.getNumThreads()).toBe(2);
      expect(() => kd.setNumThreads(0)).toThrow('setNumThreads: n must be a positive integer, got 0');
    } finally {
      kd.setNumThreads(before);
    }
  });
});
