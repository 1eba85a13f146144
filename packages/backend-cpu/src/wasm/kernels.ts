import type { BINARY_CODES, REDUCE_CODES, UNARY_CODES } from './ops.generated.js';
import type { KernelTask } from './tasks.js';

/** The instruction set the kernels were compiled for: relaxed SIMD (fused multiply-add) or plain WebAssembly SIMD. */
export type KernelIsa = 'relaxed-simd' | 'simd';

/** Unary float32 ops the kernels implement: the ops of the table's `UnaryOp` with a function in `assembly/unary-ops.ts`. */
export type KernelUnaryOp = keyof typeof UNARY_CODES;
/** Binary float32 ops the kernels implement: the ops of the table's `BinaryOp` with a function in `assembly/binary-ops.ts`. */
export type KernelBinaryOp = keyof typeof BINARY_CODES;
/** Comparisons the kernels implement, into bool bytes. */
export type KernelCompareOp = 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne';
/** Their codes in `assembly/compare.ts`. */
export const COMPARE_CODES: Record<KernelCompareOp, number> = { lt: 0, le: 1, gt: 2, ge: 3, eq: 4, ne: 5 };
/** Reductions the kernels implement: the `ReduceOp`s with a namespace in `assembly/reduce-ops.ts`. */
export type KernelReduceOp = keyof typeof REDUCE_CODES;

/**
 * A product's operands as {@link WasmKernels.matmul} and the WebAssembly export
 * take them: A's address and its row and column strides, B's likewise, the
 * output's address, then M, K and N.
 */
export type MatmulOperands = readonly [
  a: number,
  aRowStride: number,
  aColStride: number,
  b: number,
  bRowStride: number,
  bColStride: number,
  out: number,
  M: number,
  K: number,
  N: number,
];

/** Epilogue options of {@link WasmKernels.matmul}. */
export interface MatmulOptions {
  /** Byte address of `N` floats added to every row of the result (0 or absent: none): fused `linear`'s bias. */
  readonly bias?: number;
}

/**
 * The part of a `WebAssembly.Memory` the kernels expose, written out here
 * because TypeScript declares `WebAssembly` only in its DOM lib: published
 * signatures naming it would not compile for a consumer without that lib.
 * A `WebAssembly.Memory` is one.
 */
export interface WasmMemory {
  /** The memory's bytes (a `SharedArrayBuffer` when shared); a new buffer after every `grow`. */
  readonly buffer: ArrayBuffer;
  /** Adds `delta` 64 KiB pages; returns the previous size in pages. */
  grow(delta: number): number;
}

/**
 * Float32 kernels over one WebAssembly memory. Tensor storage lives in that
 * memory as (pointer, byte size) blocks from {@link WasmKernels.alloc}; kernels
 * read and write it in place, so nothing is copied per op. Pointers are byte
 * addresses; sizes and strides count elements. Typed-array views from
 * `f32View` become stale when the memory grows (any `alloc` may grow it), so
 * take a fresh view after allocating.
 */
export interface WasmKernels {
  /** The instruction set the kernels were built for. */
  readonly isa: KernelIsa;
  /** The memory every pointer addresses (shared when threads are possible). */
  readonly memory: WasmMemory;
  /** Threads large kernels are split across, including the calling thread. */
  readonly numThreads: number;
  /** Most threads `setNumThreads` accepts: 1 without shared memory, else 64. */
  readonly maxThreads: number;

  /** Uses `n` threads (clamped to [1, maxThreads]) for large kernels from now on; more than the cores oversubscribes. */
  setNumThreads(n: number): void;
  /** Resolves once every requested worker is running (kernels work before that, on fewer threads). */
  ready(): Promise<void>;
  /** Stops the workers; the kernels keep working on the calling thread. */
  dispose(): void;

  /** A 64-byte-aligned block of at least `bytes` bytes (contents unspecified). */
  alloc(bytes: number): number;
  /** Like `alloc`, zero-filled. */
  allocZeroed(bytes: number): number;
  /** Returns a block to the allocator. */
  free(ptr: number): void;
  /** Live bytes, heap span, memory size and free-list length. */
  heapStats(): { bytesInUse: number; heapBytes: number; memoryBytes: number; freeBlocks: number };
  /** A Float32Array over `n` floats at `ptr` (valid until the memory next grows). */
  f32View(ptr: number, n: number): Float32Array;

  /**
   * `out = A·B` (`+ bias` on every row) with A `M×K` (element (m, k) at
   * `a + 4*(m*aRowStride + k*aColStride)`), B `K×N` likewise, out contiguous
   * `M×N`. Transposed operands are just swapped strides: Aᵀ stored `K×M` is
   * `(aRowStride, aColStride) = (1, M)`, so fused `linear` is A·Wᵀ + b.
   */
  matmul(...args: [...MatmulOperands, options?: MatmulOptions]): void;
  /** `out[i] = op(x[i])` for `n` contiguous floats (`out` may be `x`). */
  unary(op: KernelUnaryOp, x: number, out: number, n: number): void;
  /**
   * `out[r, c] = op(a[r*aRowStride + c*aColStep], b[r*bRowStride + c*bColStep])` into a
   * contiguous `rows×cols` out; column steps are 1 or 0 (broadcast), row strides any.
   */
  binary(
    op: KernelBinaryOp,
    a: number,
    aRowStride: number,
    aColStep: 0 | 1,
    b: number,
    bRowStride: number,
    bColStep: 0 | 1,
    out: number,
    rows: number,
    cols: number,
  ): void;
  /**
   * `out[r, c] = a[...] op b[...]` as bool bytes (0/1), operands walked as in
   * {@link WasmKernels.binary}; NaN compares false except for `ne`.
   */
  compare(
    op: KernelCompareOp,
    a: number,
    aRowStride: number,
    aColStep: 0 | 1,
    b: number,
    bRowStride: number,
    bColStep: 0 | 1,
    out: number,
    rows: number,
    cols: number,
  ): void;
  /**
   * `dst[r, idx[r, j]] += src[r, j]` over `rows` contiguous rows (dst rows of
   * `dstCols` floats; int32 idx and src rows of `cols`). Returns false,
   * having written nothing, when an index is outside `[0, dstCols)`.
   */
  scatterAddRows(dst: number, dstCols: number, idx: number, src: number, rows: number, cols: number): boolean;
  /** `out[i] = y[i] <= 0 ? 0 : grad[i]`: relu's backward from its output `y` (a NaN output passes the gradient, as in PyTorch). */
  reluBackward(grad: number, y: number, out: number, n: number): void;
  /** `y[i] += alpha * x[i]` for `n` contiguous floats (SGD steps, gradient accumulation). */
  axpy(alpha: number, x: number, y: number, n: number): void;
  /**
   * `out[i] = f32(x[i]) * scale + shift` for `n` bytes at `x` into `n` floats at
   * `out` (ToTensor + Normalize); `scale` and `shift` are rounded to float32 and
   * the multiply and add round separately, as the unfused ops do.
   */
  affineBytes(x: number, out: number, n: number, scale: number, shift: number): void;
  /** `out[r] = op(x[r, :])` over a contiguous `rows×cols` x (a full reduction is `rows = 1`). */
  reduceRows(op: KernelReduceOp, x: number, rows: number, cols: number, out: number): void;
  /** `out[c] = op(x[:, c])` over a contiguous `rows×cols` x. */
  reduceCols(op: KernelReduceOp, x: number, rows: number, cols: number, out: number): void;
  /** Softmax (or log-softmax) of each row of a contiguous `rows×cols` x into out (may be x). */
  softmax(x: number, out: number, rows: number, cols: number, log: boolean): void;
  /**
   * Runs parts `0..parts-1` (at most 65535) of `task` (`tasks.ts`) over the
   * int32 descriptor at `desc` (`assembly/window.ts` lays it out), on up to
   * `threads` threads (default all; a part is never split). Thread `tid`
   * (0 = the caller) uses the descriptor's workspace slice `tid`.
   */
  runTask(task: KernelTask, desc: number, parts: number, threads?: number): void;
}

/** How {@link createWasmKernels} picks its implementation. */
export interface CreateKernelsOptions {
  /** `auto` (default) takes the fastest that validates; the others force one (rejecting if unavailable). */
  readonly isa?: 'auto' | KernelIsa;
  /**
   * In Node versions whose V8 ships relaxed SIMD behind a flag (Node 20), turn the
   * flag on with `v8.setFlagsFromString` before compiling. Default true.
   */
  readonly enableRelaxedSimdFlag?: boolean;
  /** Threads for large kernels; default: the machine's cores. */
  readonly numThreads?: number;
  /** Upper bound on the heap, in bytes (default 2 GiB). */
  readonly maxMemoryBytes?: number;
}
