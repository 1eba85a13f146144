// Autograd installed, the suite also checks gradients against PyTorch's.
import '@kindling/autograd';
import { tensor } from '@kindling/tensor';
import { runConformanceSuite } from '@kindling/conformance';
import { afterEach, describe, expect, it } from 'vitest';
import { setupWebGPU } from './setup-gpu.js';

// The suite registers its tests synchronously against a registered backend,
// so the (asynchronous) WebGPU init runs first, at the top level.
await setupWebGPU();

/**
 * Kernel errors found on the GPU (out-of-range indices) are reported by the
 * next read; reading after every test pins them on the test that caused them.
 */
afterEach(async () => {
  const probe = tensor([0], { device: 'webgpu' });
  try {
    await probe.read();
  } finally {
    probe.dispose();
  }
});

runConformanceSuite({ device: 'webgpu', describe, it, expect });
