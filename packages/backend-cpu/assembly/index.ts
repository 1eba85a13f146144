// The kernel module's exports. Memory is imported (env.memory) and managed by
// the TypeScript heap in src/wasm; every pointer here is a byte address into it.
export { matmul, matmulScratchBytes } from './matmul';
export { unary, binary, reluBackward, axpy, affineBytes } from './elementwise';
export { reduceRows, reduceCols } from './reduce';
export { softmaxRows } from './softmax';

/** First byte the TypeScript allocator may hand out (after static data). */
export function heapBase(): usize {
  return (__heap_base + 63) & ~63;
}
