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
 * Tensor storage lives in the memory of WebAssembly SIMD kernels, which run
 * float32 matmul, linear, elementwise ops, reductions and softmax in place;
 * the import waits for them to load. `cpuKernelInfo()` says which path is
 * active, `configureCpuKernels()` switches it.
 */
import { registerBackend } from '@kindling/tensor';
import { cpuBackend } from './cpu-backend.js';
import { startCpuKernels } from './wasm-path.js';

registerBackend(cpuBackend);
// Tensors made after this point live in the WebAssembly kernels' memory, so the import waits for
// the kernels (compiling ~12 KiB of wasm); without SIMD the TypeScript kernels serve ordinary arrays.
await startCpuKernels();

export { cpuBackend, createCpuBackend, cpuData } from './cpu-backend.js';
export { DEFAULT_MIN_MACS, configureCpuKernels, cpuKernelInfo, cpuReady } from './wasm-path.js';
export type { CpuKernelInfo, CpuKernelOptions, CpuKernelStatus } from './wasm-path.js';
export * from './wasm/index.js';
