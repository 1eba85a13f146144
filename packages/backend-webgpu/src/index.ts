/**
 * @packageDocumentation
 * `@kindling/backend-webgpu`: Kindling's GPU backend, WGSL compute kernels on
 * WebGPU, in browsers (`navigator.gpu`) and in Node (through the `webgpu`
 * package; see `@kindling/backend-webgpu/node`). Register it with
 * `await initWebGPU()`, then use device `webgpu`.
 */
export {
  initWebGPU,
  webgpuMemory,
  releasePooledMemory,
  synchronize,
  type InitWebGPUOptions,
  type InitWebGPUResult,
  type WebGPUMemory,
} from './init.js';
export { WebGPUBackend } from './backend.js';
export { WEBGPU_DTYPES } from './gpu-memory.js';
export type { RuntimeOptions } from './runtime.js';
export type { PoolStats } from './pool.js';
export type {
  WebGPUAdapter,
  WebGPUBuffer,
  WebGPUComputePipeline,
  WebGPUDevice,
  WebGPUEntryPoint,
  WebGPUPowerPreference,
} from './gpu-types.js';
