// The CPU backend's conformance run. It lives here rather than in packages/backend-cpu because
// the suite's gradient checks need @kindling/autograd, whose own tests run on the CPU backend:
// a test dependency of backend-cpu on autograd would close a cycle turbo refuses.
import { configureCpuKernels, cpuKernelInfo, cpuReady, hasSimd } from '@kindling/backend-cpu';
import '@kindling/autograd';
import { runConformanceSuite } from '@kindling/conformance';
import { describe, expect, it } from 'vitest';

// The suite should check the fast float32 matmul, not the TypeScript kernel it starts on,
// also for the small shapes that normally stay on the TypeScript kernel.
configureCpuKernels({ minMacs: 1 });
await cpuReady();

it('runs float32 matmuls on the WebAssembly kernels (where SIMD exists and KINDLING_CPU_WASM is not 0)', () => {
  const { status } = cpuKernelInfo();
  expect(status).toBe(hasSimd() ? (process.env.KINDLING_CPU_WASM === '0' ? 'disabled' : 'ready') : 'unavailable');
});

// Every op and its gradient against PyTorch fixtures, the Backend contract, errors, memory and random streams.
runConformanceSuite({ device: 'cpu', describe, it, expect });
