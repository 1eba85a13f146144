/**
 * The kernel entry points exactly as the WebAssembly module exports them
 * (assembly/index.ts): pointers are byte addresses into the shared heap,
 * strides and sizes count float32 elements. The scalar fallback implements the
 * same signatures in TypeScript.
 */
export interface RawKernels {
  heapBase(): number;
  matmulScratchBytes(): number;
  matmul(
    a: number,
    rsA: number,
    csA: number,
    b: number,
    rsB: number,
    csB: number,
    c: number,
    M: number,
    K: number,
    N: number,
    bias: number,
    flags: number,
    scratch: number,
    m0: number,
    m1: number,
    n0: number,
    n1: number,
  ): void;
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
  axpy(alpha: number, x: number, y: number, n: number): void;
  affineBytes(x: number, out: number, n: number, scale: number, shift: number): void;
  reduceRows(op: number, x: number, rows: number, cols: number, out: number): void;
  reduceCols(op: number, x: number, rows: number, cols: number, out: number): void;
  softmaxRows(x: number, out: number, rows: number, cols: number, log: number): void;
}

/** matmul flag: C += A·B instead of C = A·B. */
export const FLAG_ACCUMULATE = 1;
/** matmul flag: add bias[n] to every row. */
export const FLAG_BIAS = 2;
/** matmul flag: clamp at zero after the bias. */
export const FLAG_RELU = 4;
/** Rows and columns of the micro-kernel's tile (assembly/matmul.ts MR, NR). */
export const MICRO_TILE = { rows: 4, cols: 8 } as const;

/** Unary op codes (assembly/elementwise.ts U_*), by the Backend's op names. */
export const UNARY_CODES = {
  neg: 0,
  abs: 1,
  sqrt: 2,
  rsqrt: 3,
  reciprocal: 4,
  relu: 5,
  exp: 6,
  log: 7,
  sigmoid: 8,
  tanh: 9,
  floor: 10,
  ceil: 11,
  round: 12,
  trunc: 13,
} as const;

/** Binary op codes (assembly/elementwise.ts B_*). */
export const BINARY_CODES = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 } as const;

/** Reduction op codes (assembly/reduce.ts R_*). */
export const REDUCE_CODES = { sum: 0, max: 1, min: 2 } as const;
