import { KindlingError } from '@kindling/tensor';
import { D } from './descriptor.js';
import { canShareMemory, coreCount, enableNodeRelaxedSimd, hasRelaxedSimd, hasSimd } from './detect.js';
import { ALIGN, WasmHeap } from './heap.js';
import {
  COMPARE_CODES,
  type CreateKernelsOptions,
  type KernelBinaryOp,
  type KernelCompareOp,
  type KernelIsa,
  type KernelReduceOp,
  type KernelUnaryOp,
  type MatmulOperands,
  type MatmulOptions,
  type WasmKernels,
} from './kernels.js';
import { kernelModuleBytes } from './kernel-archive.js';
import { BINARY_CODES, REDUCE_CODES, UNARY_CODES } from './ops.generated.js';
import { MICRO_TILE, type RawKernels } from './raw.js';
import { type KernelTask, taskCode } from './tasks.js';
import type { ThreadPool } from './thread-pool.js';

const PAGE = 65536;
/** Below this many multiply-adds a matmul runs on one thread (dispatch would cost more than it saves). */
const THREAD_MIN_MACS = 1 << 19;
/**
 * From this many elements an axpy runs across the threads: an SGD update of a big
 * weight (the seeds' first layer: 100K floats). At two threads that update took 24 µs on
 * the caller alone, which had to read the half of the gradient the worker's core
 * wrote, and 8 µs split in halves; a 8K-float update is faster on one thread.
 */
const THREAD_MIN_AXPY = 1 << 16;
/** Int32 slots of the axpy task's descriptor (assembly/axpy-part.ts): x, y, n, chunk, alpha (float32 bits). */
const AXPY_DESC_SLOTS = 5;
/** Upper bound of setNumThreads. */
const MAX_THREADS = 64;

/**
 * Loads the fastest float32 kernels this runtime supports: relaxed-SIMD
 * WebAssembly (fused multiply-add) or plain WebAssembly SIMD; with shared
 * memory available, large matmuls are split across worker threads (default:
 * one per core). Rejects where WebAssembly SIMD does not validate: the CPU
 * backend then keeps its TypeScript kernels, which are as fast as any scalar
 * kernels here could be.
 */
export async function createWasmKernels(options: CreateKernelsOptions = {}): Promise<WasmKernels> {
  const isa = await chooseIsa(options);
  const maxPages = Math.min(32768, Math.ceil((options.maxMemoryBytes ?? 2 ** 31) / PAGE));
  const shared = canShareMemory();
  const memory = new WebAssembly.Memory({ initial: Math.min(32, maxPages), maximum: maxPages, shared });
  // Threads need shared memory: without it (pages that are not cross-origin isolated) the pool and
  // its worker source are never loaded, and bundlers keep them in a chunk such pages never fetch.
  const [module, pool] = await Promise.all([
    kernelModuleBytes(isa === 'relaxed-simd' ? 'relaxed' : 'simd', shared).then((bytes) => WebAssembly.compile(bytes)),
    shared ? import('./thread-pool.js').then((m) => m.ThreadPool, threadsUnavailable) : null,
  ]);
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const raw = instance.exports as unknown as RawKernels;
  const kernels = new Kernels(isa, memory, raw, pool ? { module, create: pool.create } : null);
  kernels.setNumThreads(options.numThreads ?? (await coreCount()));
  return kernels;
}

/** A pool that did not load (a bundle chunk missing) costs threads, not the kernels: say so, go on with one. */
function threadsUnavailable(error: unknown): null {
  console.warn(`@kindling/backend-cpu: the worker-thread code did not load (${String(error)}); the kernels run on one thread`);
  return null;
}

async function chooseIsa(options: CreateKernelsOptions): Promise<KernelIsa> {
  const wanted = options.isa ?? 'auto';
  const relaxed = hasRelaxedSimd() || (options.enableRelaxedSimdFlag !== false && wanted !== 'simd' && (await enableNodeRelaxedSimd()));
  if (wanted === 'relaxed-simd' && !relaxed)
    throw new KindlingError('createWasmKernels: isa relaxed-simd requested, but this runtime does not validate relaxed SIMD');
  if (!relaxed && !hasSimd())
    throw new KindlingError('createWasmKernels: this runtime does not validate WebAssembly SIMD, which the kernels need');
  if (wanted !== 'auto') return wanted;
  return relaxed ? 'relaxed-simd' : 'simd';
}

class Kernels implements WasmKernels {
  private readonly heap: WasmHeap;
  private scratch = 0;
  private readonly scratchBytes: number;
  readonly maxThreads: number;
  private readonly pool: ThreadPool | null;
  private threads = 1;
  /** The axpy task's descriptor (0 without a pool). */
  private readonly axpyDesc: number;
  private starting: Promise<void> = Promise.resolve();

  constructor(
    readonly isa: KernelIsa,
    readonly memory: WebAssembly.Memory,
    private readonly raw: RawKernels,
    threads: { module: WebAssembly.Module; create: typeof ThreadPool.create } | null,
  ) {
    this.heap = new WasmHeap(memory, Math.max(ALIGN, raw.heapBase()));
    if (raw.descriptorSlots() !== D.LENGTH)
      throw new KindlingError(
        `createWasmKernels: the module's descriptor has ${raw.descriptorSlots()} slots, src/wasm/descriptor.ts ${D.LENGTH}`,
      );
    this.scratchBytes = Math.ceil(raw.matmulScratchBytes() / ALIGN) * ALIGN;
    this.maxThreads = threads ? MAX_THREADS : 1;
    this.pool = threads ? threads.create(threads.module, memory, (bytes) => this.heap.allocZeroed(bytes), this.scratchBytes) : null;
    this.axpyDesc = this.pool ? this.heap.allocZeroed(AXPY_DESC_SLOTS * 4) : 0;
    this.allocScratch();
  }

  // One scratch area (packed panels) per thread, contiguous.
  private allocScratch(): void {
    if (this.scratch) this.heap.free(this.scratch);
    this.scratch = this.heap.alloc(Math.max(1, this.scratchBytes * this.threads));
    this.pool?.setScratch(this.scratch);
  }

  get numThreads(): number {
    return this.threads;
  }

  setNumThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new KindlingError(`setNumThreads: expected a positive integer, got ${n}`);
    this.threads = Math.min(n, this.maxThreads);
    this.allocScratch();
    const pool = this.pool;
    const workers = this.threads - 1;
    // A failed start surfaces from ready() without blocking later resizes; kernels run on fewer threads meanwhile.
    if (pool) this.starting = this.starting.catch(() => undefined).then(() => pool.resize(workers));
  }

  async ready(): Promise<void> {
    await this.starting;
    await this.pool?.ready();
  }

  dispose(): void {
    this.pool?.dispose();
    this.threads = 1;
  }

  alloc(bytes: number): number {
    return this.heap.alloc(bytes);
  }

  allocZeroed(bytes: number): number {
    return this.heap.allocZeroed(bytes);
  }

  free(ptr: number): void {
    this.heap.free(ptr);
  }

  heapStats(): { bytesInUse: number; heapBytes: number; memoryBytes: number; freeBlocks: number } {
    return this.heap.stats();
  }

  f32View(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }

  matmul(...args: [...MatmulOperands, options?: MatmulOptions]): void {
    const operands = args.slice(0, 10) as unknown as MatmulOperands;
    const [, , , , , , , M, K, N] = operands;
    const bias = args[10]?.bias ?? 0;
    if (M === 0 || N === 0) return;
    const raw = this.raw;
    const threads = this.pool && M * K * N >= THREAD_MIN_MACS ? this.threads : 1;
    // Every part packs all of the operand it does not split: a column split repacks A
    // (M×K) per part, a row split repacks B (K×N), so split the dimension of the bigger
    // one (rows for a 1000-sample evaluation batch against a 128-unit layer).
    const split: 0 | 1 = N >= M ? 1 : 0;
    const tile = split === 1 ? MICRO_TILE.cols : MICRO_TILE.rows;
    const extent = split === 1 ? N : M;
    // One part per thread: each part repacks the operand it does not split (the whole
    // 64x784 batch in the seeds' first layer), which two parts per thread did twice (fwd1
    // 140 -> 135 µs, dW1 132 -> 128 at two threads). A worker that has not started its
    // part when the caller finishes its own loses it to the caller (parts are claimed).
    const chunk = Math.max(tile, Math.ceil(extent / threads / tile) * tile);
    const parts = Math.ceil(extent / chunk);
    if (threads === 1 || parts === 1 || !this.pool) {
      raw.matmul(...operands, bias, this.scratch, 0, M, 0, N);
      return;
    }
    const scratch = this.scratch;
    this.pool.runMatmul([...operands, bias], split, extent, chunk, parts, (lo, hi) =>
      split === 1 ? raw.matmul(...operands, bias, scratch, 0, M, lo, hi) : raw.matmul(...operands, bias, scratch, lo, hi, 0, N),
    );
  }

  unary(op: KernelUnaryOp, x: number, out: number, n: number): void {
    this.raw.unary(UNARY_CODES[op], x, out, n);
  }

  binary(
    op: KernelBinaryOp,
    a: number,
    aRow: number,
    aStep: 0 | 1,
    b: number,
    bRow: number,
    bStep: 0 | 1,
    out: number,
    rows: number,
    cols: number,
  ): void {
    this.raw.binary(BINARY_CODES[op], a, aRow, aStep, b, bRow, bStep, out, rows, cols);
  }

  compare(
    op: KernelCompareOp,
    a: number,
    aRow: number,
    aStep: 0 | 1,
    b: number,
    bRow: number,
    bStep: 0 | 1,
    out: number,
    rows: number,
    cols: number,
  ): void {
    this.raw.compare(COMPARE_CODES[op], a, aRow, aStep, b, bRow, bStep, out, rows, cols);
  }

  scatterAddRows(dst: number, dstCols: number, idx: number, src: number, rows: number, cols: number): boolean {
    return this.raw.scatterAddRows(dst, dstCols, idx, src, rows, cols) !== 0;
  }

  reluBackward(grad: number, y: number, out: number, n: number): void {
    this.raw.reluBackward(grad, y, out, n);
  }

  axpy(alpha: number, x: number, y: number, n: number): void {
    const threads = this.pool && n >= THREAD_MIN_AXPY ? this.threads : 1;
    if (threads === 1) {
      this.raw.axpy(alpha, x, y, n);
      return;
    }
    // Contiguous parts, one per thread, of whole cache lines (16 floats); every element
    // gets the single-threaded arithmetic, so the result is the same bit for bit.
    const chunk = Math.ceil(n / threads / 16) * 16;
    const desc = this.axpyDesc;
    new Int32Array(this.memory.buffer, desc, AXPY_DESC_SLOTS).set([x, y, n, chunk]);
    new Float32Array(this.memory.buffer, desc + 16, 1)[0] = alpha;
    this.runTask('axpyPart', desc, Math.ceil(n / chunk));
  }

  affineBytes(x: number, out: number, n: number, scale: number, shift: number): void {
    this.raw.affineBytes(x, out, n, scale, shift);
  }

  reduceRows(op: KernelReduceOp, x: number, rows: number, cols: number, out: number): void {
    this.raw.reduceRows(REDUCE_CODES[op], x, rows, cols, out);
  }

  reduceCols(op: KernelReduceOp, x: number, rows: number, cols: number, out: number): void {
    this.raw.reduceCols(REDUCE_CODES[op], x, rows, cols, out);
  }

  softmax(x: number, out: number, rows: number, cols: number, log: boolean): void {
    this.raw.softmaxRows(x, out, rows, cols, log ? 1 : 0);
  }

  runTask(task: KernelTask, desc: number, parts: number, threads = this.threads): void {
    if (!Number.isInteger(parts) || parts < 0 || parts > 0xffff)
      throw new KindlingError(`runTask: parts must be an integer in [0, 65535], got ${parts}`);
    const run = this.raw[task];
    const scratch = this.scratch;
    if (!this.pool || Math.min(threads, this.threads, parts) <= 1) {
      for (let p = 0; p < parts; p++) run(desc, scratch, 0, p);
      return;
    }
    this.pool.runTask(taskCode(task), desc, parts, (p) => run(desc, scratch, 0, p));
  }
}
