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
 * float32 matmul, linear, elementwise ops, reductions and softmax in place.
 * They load in the background (tens of milliseconds); `await cpuReady()`
 * before timing anything. `cpuKernelInfo()` says which path is active,
 * `configureCpuKernels()` switches it.
 */
import { onFusedUse, registerBackend } from '@kindling/tensor/backend';
import { cpuBackend } from './cpu-backend.js';
import { startCpuKernels } from './wasm-path.js';
import { requestKernelsFor } from './window-path.js';

registerBackend(cpuBackend);
onFusedUse(requestKernelsFor);
// The kernels load asynchronously (no top-level await: a module worker importing this package would
// drop messages that arrive while its imports are still pending). Tensors made before they are ready
// are ordinary arrays, moved into the kernels' memory the first time a kernel needs them.
void startCpuKernels();

export { cpuBackend, createCpuBackend, cpuData } from './cpu-backend.js';
export { DEFAULT_MIN_MACS, configureCpuKernels, cpuKernelInfo, cpuReady, getNumThreads, setNumThreads } from './wasm-path.js';
export type { CpuKernelInfo, CpuKernelOptions, CpuKernelStatus } from './wasm-path.js';
export * from './wasm/index.js';
