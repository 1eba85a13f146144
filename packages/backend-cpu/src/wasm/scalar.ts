import { FLAG_ACCUMULATE, FLAG_BIAS, FLAG_RELU, type RawKernels } from './raw.js';

// The pure-TypeScript fallback for runtimes without WebAssembly SIMD: the same
// entry points as the wasm module, over the same memory, so callers never branch.

const f = Math.fround;
const UNARY: ((x: number) => number)[] = [
  (x) => -x,
  Math.abs,
  Math.sqrt,
  (x) => 1 / Math.sqrt(x),
  (x) => 1 / x,
  (x) => (Number.isNaN(x) ? x : Math.max(x, 0)),
  Math.exp,
  Math.log,
  (x) => 1 / (1 + Math.exp(-x)),
  Math.tanh,
  Math.floor,
  Math.ceil,
  (x) => {
    const r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  Math.trunc,
];
// Math.max/min already propagate NaN, as torch.maximum/minimum do.
const nanMax = Math.max;
const nanMin = Math.min;
const BINARY: ((a: number, b: number) => number)[] = [(a, b) => a + b, (a, b) => a - b, (a, b) => a * b, (a, b) => a / b, nanMax, nanMin];

/** Scalar implementations of the kernel entry points over `memory`. */
export function createScalarKernels(memory: WebAssembly.Memory): RawKernels {
  let buffer = memory.buffer;
  let heap = new Float32Array(buffer);
  const mem = (): Float32Array => {
    if (memory.buffer !== buffer) {
      buffer = memory.buffer;
      heap = new Float32Array(buffer);
    }
    return heap;
  };
  return {
    heapBase: () => 64,
    matmulScratchBytes: () => 0,
    matmul(a, rsA, csA, b, rsB, csB, c, _M, K, N, bias, flags, _scratch, m0, m1, n0, n1) {
      const h = mem();
      const ai = a >> 2;
      const bi = b >> 2;
      const ci = c >> 2;
      const acc = new Float64Array(n1 - n0);
      for (let i = m0; i < m1; i++) {
        acc.fill(0);
        for (let k = 0; k < K; k++) {
          const aik = h[ai + i * rsA + k * csA];
          const row = bi + k * rsB;
          for (let j = n0; j < n1; j++) acc[j - n0] += aik * h[row + j * csB];
        }
        for (let j = n0; j < n1; j++) {
          const p = ci + i * N + j;
          let v = f(acc[j - n0]);
          if (flags & FLAG_ACCUMULATE) v = f(v + h[p]);
          if (flags & FLAG_BIAS) v = f(v + h[(bias >> 2) + j]);
          if (flags & FLAG_RELU) v = UNARY[5](v);
          h[p] = v;
        }
      }
    },
    unary(op, x, out, n) {
      const h = mem();
      const fn = UNARY[op];
      for (let i = 0; i < n; i++) h[(out >> 2) + i] = fn(h[(x >> 2) + i]);
    },
    binary(op, a, aRow, aStep, b, bRow, bStep, out, rows, cols) {
      const h = mem();
      const fn = BINARY[op];
      for (let r = 0; r < rows; r++) {
        const pa = (a >> 2) + r * aRow;
        const pb = (b >> 2) + r * bRow;
        const po = (out >> 2) + r * cols;
        for (let c = 0; c < cols; c++) h[po + c] = fn(h[pa + c * aStep], h[pb + c * bStep]);
      }
    },
    reluBackward(grad, y, out, n) {
      const h = mem();
      for (let i = 0; i < n; i++) h[(out >> 2) + i] = h[(y >> 2) + i] <= 0 ? 0 : h[(grad >> 2) + i];
    },
    axpy(alpha, x, y, n) {
      const h = mem();
      const a = Math.fround(alpha);
      for (let i = 0; i < n; i++) h[(y >> 2) + i] += Math.fround(a * h[(x >> 2) + i]);
    },
    affineBytes(x, out, n, scale, shift) {
      const h = mem();
      const bytes = new Uint8Array(h.buffer, x, n);
      const s = Math.fround(scale);
      const t = Math.fround(shift);
      for (let i = 0; i < n; i++) h[(out >> 2) + i] = Math.fround(bytes[i] * s) + t;
    },
    reduceRows(op, x, rows, cols, out) {
      const h = mem();
      for (let r = 0; r < rows; r++) {
        const p = (x >> 2) + r * cols;
        let acc = op === 0 ? 0 : op === 1 ? -Infinity : Infinity;
        for (let c = 0; c < cols; c++) acc = op === 0 ? acc + h[p + c] : op === 1 ? nanMax(acc, h[p + c]) : nanMin(acc, h[p + c]);
        h[(out >> 2) + r] = acc;
      }
    },
    reduceCols(op, x, rows, cols, out) {
      const h = mem();
      for (let c = 0; c < cols; c++) {
        let acc = op === 0 ? 0 : op === 1 ? -Infinity : Infinity;
        for (let r = 0; r < rows; r++) {
          const v = h[(x >> 2) + r * cols + c];
          acc = op === 0 ? acc + v : op === 1 ? nanMax(acc, v) : nanMin(acc, v);
        }
        h[(out >> 2) + c] = acc;
      }
    },
    softmaxRows(x, out, rows, cols, log) {
      const h = mem();
      for (let r = 0; r < rows; r++) {
        const px = (x >> 2) + r * cols;
        const po = (out >> 2) + r * cols;
        let m = -Infinity;
        for (let c = 0; c < cols; c++) m = nanMax(m, h[px + c]);
        let s = 0;
        for (let c = 0; c < cols; c++) s += Math.exp(h[px + c] - m);
        const ls = Math.log(s);
        for (let c = 0; c < cols; c++) h[po + c] = log ? h[px + c] - m - ls : Math.exp(h[px + c] - m) / s;
      }
    },
  };
}
