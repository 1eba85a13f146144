import '@kindling/autograd';
// Autograd installed, the suite also checks gradients against PyTorch's.
import '@kindling/autograd';
import { tensor } from '@kindling/tensor';
import { runConformanceSuite } from '@kindling/conformance';
import { initWebGPU } from '../../src/index.js';
import { createHarness } from './harness.js';

/** Runs the whole backend conformance suite on `webgpu` in this page and publishes the counts. */
async function main(): Promise<void> {
  const w = window as unknown as { __kindlingResult?: unknown };
  try {
    await initWebGPU();
    // Kernel errors found on the GPU surface at the next read: read after each test to pin them on it.
    const afterEach = async () => {
      const probe = tensor([0], { device: 'webgpu' });
      try {
        await probe.read();
      } finally {
        probe.dispose();
      }
    };
    const { describe, it, expect, run } = createHarness({ afterEach });
    runConformanceSuite({ device: 'webgpu', describe, it, expect });
    w.__kindlingResult = await run();
  } catch (e) {
    w.__kindlingResult = { passed: 0, failed: 1, failures: [], fatal: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
void main();
