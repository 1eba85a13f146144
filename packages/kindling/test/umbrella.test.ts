import { describe, expect, it } from 'vitest';
import * as kd from '../src/index.js';

describe('kindling umbrella', () => {
  it('runs the README example', () => {
    kd.manualSeed(0);
    const x = kd.randn(2, 2, { requiresGrad: true });
    const z = x.pow(2).mean();
    z.backward();
    const expected = Array.from(x.dataSync()).map((v) => v / 2);
    Array.from((x.grad as kd.Tensor).dataSync()).forEach((g, i) => {
      expect(g).toBeCloseTo(expected[i], 6);
    });
  });

  it('exposes the torch-like namespaces', () => {
    expect(typeof kd.autograd.grad).toBe('function');
    expect(typeof kd.noGrad).toBe('function');
    expect(kd.listBackends()).toContain('cpu');
  });
});
