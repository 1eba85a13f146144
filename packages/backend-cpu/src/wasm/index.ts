// The WebAssembly kernel library of the CPU backend (float32 matmul uses it via ../wasm-path.ts).
export { createWasmKernels } from './create.js';
export { hasRelaxedSimd, hasSimd } from './detect.js';
export { WasmHeap } from './heap.js';
export type {
  CreateKernelsOptions,
  KernelBinaryOp,
  KernelIsa,
  KernelReduceOp,
  KernelUnaryOp,
  MatmulOperands,
  MatmulOptions,
  WasmKernels,
  WasmMemory,
} from './kernels.js';
export { TASKS } from './tasks.js';
export type { KernelTask } from './tasks.js';
