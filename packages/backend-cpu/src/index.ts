/**
 * @packageDocumentation
 * `@kindling/backend-cpu`: the CPU backend. Importing the package registers it
 * as device `cpu`:
 *
 * ```ts
 * import '@kindling/backend-cpu';
 * import { tensor } from '@kindling/tensor';
 * console.log(tensor([1, 2, 3]).mul(2).toString());
 * ```
 *
 * Float32 matmul and linear switch to WebAssembly SIMD kernels once they have
 * loaded (asynchronously, started by the import); `await cpuReady()` to wait
 * for that, `cpuKernelInfo()` says which path is active.
 */
import { registerBackend } from '@kindling/tensor';
import { cpuBackend } from './cpu-backend.js';
import { startCpuKernels } from './wasm-path.js';

registerBackend(cpuBackend);
// Loading the WebAssembly kernels is asynchronous; matmuls use the TypeScript kernels until it is done.
void startCpuKernels();

export { cpuBackend, createCpuBackend, cpuData } from './cpu-backend.js';
export { DEFAULT_MIN_MACS, configureCpuKernels, cpuKernelInfo, cpuReady } from './wasm-path.js';
export type { CpuKernelInfo, CpuKernelOptions, CpuKernelStatus } from './wasm-path.js';
export * from './wasm/index.js';
