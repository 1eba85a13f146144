import { webgpuMemory } from '@kindling/backend-webgpu';
import { memory } from '@kindling/tensor';
import type { MemoryReport } from './protocol.js';

/** Chromium's non-standard heap figure, where it exists. */
function jsHeapBytes(): number | undefined {
  const perf = performance as Performance & { memory?: { usedJSHeapSize?: number } };
  return perf.memory?.usedJSHeapSize;
}

export function memoryReport(): MemoryReport {
  const gpu = webgpuMemory();
  const heap = jsHeapBytes();
  return {
    tensors: memory(),
    gpu: {
      allocatedBytes: gpu.allocatedBytes,
      inUseBytes: gpu.inUseBytes,
      pooledBytes: gpu.pooledBytes,
      buffers: gpu.buffers,
      pipelines: gpu.pipelines,
      submissions: gpu.submissions,
    },
    ...(heap === undefined ? {} : { jsHeapBytes: heap }),
  };
}
