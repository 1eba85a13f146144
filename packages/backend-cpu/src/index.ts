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
 */
import { registerBackend } from '@kindling/tensor';
import { cpuBackend } from './cpu-backend.js';

registerBackend(cpuBackend);

export { cpuBackend, createCpuBackend, cpuData } from './cpu-backend.js';
export * from './wasm/index.js';
