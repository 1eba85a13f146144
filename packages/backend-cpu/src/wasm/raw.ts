import type { MatmulOperands } from './kernels.js';
import type { KernelTask } from './tasks.js';

/** A task export (tasks.ts): computes part `part` of the job described at `desc`. */
export type RawTask = (desc: number, scratch: number, tid: number, part: number) => void;

/**
 * The kernel entry points exactly as the WebAssembly module exports them
 * (assembly/index.ts): pointers are byte addresses into the shared heap,
 * strides and sizes count float32 elements, and `op` is a code from
 * `ops.generated.ts`.
 */
export type RawKernels = RawEntryPoints & Record<KernelTask, RawTask>;

interface RawEntryPoints {
  heapBase(): number;
  /** Int32 slots of a task descriptor (assembly/window.ts D_LENGTH). */
  descriptorSlots(): number;
  matmulScratchBytes(): number;
  /** `bias` 0 means none; the last four arguments are the rows and columns of the output this call computes. */
  matmul(...args: [...MatmulOperands, bias: number, scratch: number, m0: number, m1: number, n0: number, n1: number]): void;
  unary(op: number, x: number, out: number, n: number): void;
  binary(
    op: number,
    a: number,
    aRow: number,
    aStep: number,
    b: number,
    bRow: number,
    bStep: number,
    out: number,
    rows: number,
    cols: number,
  ): void;
  reluBackward(grad: number, y: number, out: number, n: number): void;
  compare(
    op: number,
    a: number,
    aRow: number,
    aStep: number,
    b: number,
    bRow: number,
    bStep: number,
    out: number,
    rows: number,
    cols: number,
  ): void;
  scatterAddRows(dst: number, dstCols: number, idx: number, src: number, rows: number, cols: number): number;
  axpy(alpha: number, x: number, y: number, n: number): void;
  affineBytes(x: number, out: number, n: number, scale: number, shift: number): void;
  reduceRows(op: number, x: number, rows: number, cols: number, out: number): void;
  reduceCols(op: number, x: number, rows: number, cols: number, out: number): void;
  softmaxRows(x: number, out: number, rows: number, cols: number, log: number): void;
}

/** Row and column granularity of the packed panels (assembly/matmul.ts: 5- and 4-row panels, so any multiple of 4 rows; NR columns): thread splits follow them. */
export const MICRO_TILE = { rows: 4, cols: 8 } as const;
