// The WebAssembly fast path of the CPU backend (not yet wired into ../index.ts).
export { createWasmKernels } from './create.js';
export { hasRelaxedSimd, hasSimd } from './detect.js';
export { WasmHeap } from './heap.js';
export type {
  CreateKernelsOptions,
  KernelBinaryOp,
  KernelIsa,
  KernelReduceOp,
  KernelUnaryOp,
  MatmulOptions,
  WasmKernels,
} from './kernels.js';
