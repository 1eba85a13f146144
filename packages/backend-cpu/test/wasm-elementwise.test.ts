import { BINARY_OPS, type UnaryOp, defaultParams, unarySpec } from '@kindling/tensor/backend';
import { describe, expect, it } from 'vitest';
import type { KernelBinaryOp, KernelReduceOp, KernelUnaryOp } from '../src/wasm/index.js';
import { BINARY_CODES, REDUCE_CODES, UNARY_CODES } from '../src/wasm/ops.generated.js';
import { availableIsas, download, kernelsFor, randomFloats, upload } from './wasm-helpers.js';

const isas = await availableIsas();

const SPECIALS = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1.5,
  2.5,
  -2.5,
  1e-3,
  -1e-3,
  20,
  -20,
  88,
  89,
  -87,
  -104,
  1e-40,
  3.4e38,
  -3.4e38,
  Infinity,
  -Infinity,
  Number.NaN,
];

// The ops with a kernel, from the generated code maps: a new kernel is tested without listing it here.
const UNARY_KERNEL_OPS = Object.keys(UNARY_CODES) as KernelUnaryOp[];
const BINARY_KERNEL_OPS = Object.keys(BINARY_CODES) as KernelBinaryOp[];
const REDUCE_KERNEL_OPS = Object.keys(REDUCE_CODES) as KernelReduceOp[];

/** The reference of a unary op: the table's float64 math with its default parameters (kernels take none). */
function unaryReference(op: UnaryOp): (x: number) => number {
  const params = defaultParams(op);
  return (x) => unarySpec(op).math(x, params);
}

/**
 * Allowed error in float32 ulps where the kernel is not correctly rounded:
 * Cephes-style polynomials (exp, log, tanh) and what is built on them, and
 * rsqrt, which rounds twice (sqrt, then divide) like PyTorch's.
 */
const ULPS: Partial<Record<KernelUnaryOp, number>> = { exp: 4, log: 4, sigmoid: 4, tanh: 4, silu: 4, rsqrt: 1 };

/** Reductions of a float64 array, to compare the kernels' with (ReduceOp has no table of math). */
const REDUCE_REF: Record<KernelReduceOp, (values: number[]) => number> = {
  sum: (v) => v.reduce((s, x) => s + x, 0),
  max: (v) => Math.max(...v),
  min: (v) => Math.min(...v),
};

/** True when `actual` is within `ulps` float32 ulps (or 1e-37 absolute) of `expected`, treating NaN and infinities exactly. */
function near(actual: number, expected: number, ulps: number): boolean {
  if (Number.isNaN(expected) || !Number.isFinite(expected))
    return Object.is(actual, expected) || (Number.isNaN(actual) && Number.isNaN(expected));
  const e = Math.fround(expected);
  if (!Number.isFinite(e)) return actual === e;
  const ulp = Math.max(2 ** -149, 2 ** (Math.floor(Math.log2(Math.abs(e) || 2 ** -126)) - 23));
  return Math.abs(actual - e) <= ulps * ulp || Math.abs(actual - e) <= 1e-37;
}

function inputs(n: number): Float32Array {
  const r = randomFloats(n, 42).map((v, i) => v * (i % 3 === 0 ? 30 : 3));
  r.set(SPECIALS.map(Math.fround));
  return r;
}

describe.each(isas)('wasm elementwise (%s)', (isa) => {
  for (const op of UNARY_KERNEL_OPS) {
    it(`unary ${op} matches the op table's math within ${ULPS[op] ?? 0.5} ulps, specials included`, async () => {
      const k = await kernelsFor(isa);
      const x = inputs(203);
      const px = upload(k, x);
      const out = k.alloc(x.length * 4);
      k.unary(op, px, out, x.length);
      const got = download(k, out, x.length);
      const reference = unaryReference(op);
      const bad = [...x].map((v, i) => [v, got[i], reference(v)]).filter(([, g, e]) => !near(g, e, ULPS[op] ?? 0.5));
      expect(bad).toEqual([]);
    });
  }

  it('unary works in place', async () => {
    const k = await kernelsFor(isa);
    const p = upload(k, Float32Array.of(-1, 2, -3, 4, -5));
    k.unary('relu', p, p, 5);
    expect(Array.from(download(k, p, 5))).toEqual([0, 2, 0, 4, 0]);
  });

  const [rows, cols] = [5, 11];
  const a = randomFloats(rows * cols, 1);
  a[3] = Number.NaN;
  const b = randomFloats(rows * cols, 2);
  // (row stride, column step) of b: full, row vector (bias), column vector (keepdim), scalar.
  const layouts: [string, number, 0 | 1][] = [
    ['full', cols, 1],
    ['row-broadcast', 0, 1],
    ['column-broadcast', 1, 0],
    ['scalar', 0, 0],
  ];
  for (const op of BINARY_KERNEL_OPS) {
    // Correctly rounded: the table's float64 math rounded once to float32.
    const reference = BINARY_OPS[op].math;
    for (const [name, bRow, bStep] of layouts) {
      for (const swap of [false, true]) {
        it(`binary ${op} with ${swap ? 'a' : 'b'} ${name} equals the op table's math exactly`, async () => {
          const k = await kernelsFor(isa);
          const pa = upload(k, a);
          const pb = upload(k, b);
          const out = k.alloc(rows * cols * 4);
          if (swap) k.binary(op, pb, bRow, bStep, pa, cols, 1, out, rows, cols);
          else k.binary(op, pa, cols, 1, pb, bRow, bStep, out, rows, cols);
          const got = download(k, out, rows * cols);
          for (let r = 0; r < rows; r++) {
            for (let c = 0; c < cols; c++) {
              const av = a[r * cols + c];
              const bv = b[r * bRow + c * bStep];
              const e = Math.fround(swap ? reference(bv, av) : reference(av, bv));
              expect(got[r * cols + c]).toBe(e);
            }
          }
        });
      }
    }
  }
});

describe.each(isas)('wasm gradient helpers (%s)', (isa) => {
  it('reluBackward passes the gradient where the relu output is positive', async () => {
    const k = await kernelsFor(isa);
    const y = upload(k, Float32Array.of(0, 1, 0, 2, 3, 0, 0.5));
    const g = upload(k, Float32Array.of(1, 2, 3, 4, 5, 6, 7));
    const out = k.alloc(28);
    k.reluBackward(g, y, out, 7);
    expect(Array.from(download(k, out, 7))).toEqual([0, 2, 0, 4, 5, 0, 7]);
  });

  it('reluBackward passes the gradient through NaN outputs, like threshold_backward', async () => {
    const k = await kernelsFor(isa);
    // Eight elements: the SIMD body and the scalar tail both see a NaN and a -0.
    const y = upload(k, Float32Array.of(Number.NaN, -0, -1, 2, Number.NaN, -0, 3, -2, Number.NaN));
    const g = upload(k, Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9));
    const out = k.alloc(36);
    k.reluBackward(g, y, out, 9);
    expect(Array.from(download(k, out, 9))).toEqual([1, 0, 0, 4, 5, 0, 7, 0, 9]);
  });

  it('axpy adds a scaled vector in place', async () => {
    const k = await kernelsFor(isa);
    const x = upload(k, Float32Array.of(1, 2, 3, 4, 5, 6, 7));
    const y = upload(k, Float32Array.of(1, 1, 1, 1, 1, 1, 1));
    k.axpy(-0.5, x, y, 7);
    expect(Array.from(download(k, y, 7))).toEqual([0.5, 0, -0.5, -1, -1.5, -2, -2.5]);
  });

  it('affineBytes converts every byte value to f32(x) * scale + shift, rounded as a multiply then an add', async () => {
    const k = await kernelsFor(isa);
    // All 256 byte values plus 7 more, so the 16-byte SIMD body and the scalar tail both run.
    const n = 263;
    const x = k.alloc(n);
    const bytes = new Uint8Array(k.memory.buffer, x, n);
    for (let i = 0; i < n; i++) bytes[i] = (i * 37) % 256;
    const [scale, shift] = [1 / (255 * 0.3081), -0.1307 / 0.3081];
    const out = k.alloc(n * 4);
    k.affineBytes(x, out, n, scale, shift);
    const expected = Array.from(new Uint8Array(k.memory.buffer, x, n), (b) =>
      Math.fround(Math.fround(b * Math.fround(scale)) + Math.fround(shift)),
    );
    expect(Array.from(download(k, out, n))).toEqual(expected);
  });
});

describe.each(isas)('wasm reductions and softmax (%s)', (isa) => {
  const rows = 7;
  const cols = 1029;
  const x = randomFloats(rows * cols, 3).map((v) => v * 10);

  it('sums, maxes and mins each row', async () => {
    const k = await kernelsFor(isa);
    const px = upload(k, x);
    const out = k.alloc(rows * 4);
    for (const op of REDUCE_KERNEL_OPS) {
      k.reduceRows(op, px, rows, cols, out);
      const got = download(k, out, rows);
      for (let r = 0; r < rows; r++) {
        const e = REDUCE_REF[op](Array.from(x.subarray(r * cols, (r + 1) * cols)));
        expect(got[r]).toBeCloseTo(e, op === 'sum' ? 3 : 6);
      }
    }
  });

  it('reduces a whole array as one row, with NaN propagating through max and identities when empty', async () => {
    const k = await kernelsFor(isa);
    const data = Float32Array.of(1, 2, Number.NaN, 4, 5);
    const px = upload(k, data);
    const out = k.alloc(16);
    k.reduceRows('max', px, 1, 5, out);
    expect(download(k, out, 1)[0]).toBeNaN();
    k.reduceRows('sum', px, 1, 2, out);
    expect(download(k, out, 1)[0]).toBe(3);
    k.reduceRows('sum', px, 1, 0, out);
    expect(download(k, out, 1)[0]).toBe(0);
    k.reduceRows('max', px, 1, 0, out);
    expect(download(k, out, 1)[0]).toBe(-Infinity);
  });

  it('sums a long row accurately', async () => {
    const k = await kernelsFor(isa);
    const n = 1_000_003;
    const data = new Float32Array(n).fill(0.1);
    const px = upload(k, data);
    const out = k.alloc(4);
    k.reduceRows('sum', px, 1, n, out);
    expect(Math.abs(download(k, out, 1)[0] - n * Math.fround(0.1)) / n).toBeLessThan(1e-6);
  });

  it('reduces each column (a bias gradient)', async () => {
    const k = await kernelsFor(isa);
    const [r, c] = [64, 13];
    const data = randomFloats(r * c, 4);
    const px = upload(k, data);
    const out = k.alloc(c * 4);
    for (const op of REDUCE_KERNEL_OPS) {
      k.reduceCols(op, px, r, c, out);
      const got = download(k, out, c);
      for (let j = 0; j < c; j++) {
        const e = REDUCE_REF[op](Array.from({ length: r }, (_, i) => data[i * c + j]));
        expect(got[j]).toBeCloseTo(e, 5);
      }
    }
  });

  for (const log of [false, true]) {
    it(`${log ? 'log-softmax' : 'softmax'} of each row matches a float64 reference`, async () => {
      const k = await kernelsFor(isa);
      const [r, c] = [4, 10];
      const data = randomFloats(r * c, 5).map((v) => v * 50);
      data[5] = 1000; // large logits must not overflow
      const px = upload(k, data);
      const out = k.alloc(r * c * 4);
      k.softmax(px, out, r, c, log);
      const got = download(k, out, r * c);
      for (let i = 0; i < r; i++) {
        const row = Array.from(data.subarray(i * c, (i + 1) * c));
        const m = Math.max(...row);
        const s = row.reduce((acc, v) => acc + Math.exp(v - m), 0);
        for (let j = 0; j < c; j++) {
          const e = log ? row[j] - m - Math.log(s) : Math.exp(row[j] - m) / s;
          expect(Math.abs(got[i * c + j] - e)).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(e)));
        }
      }
      k.softmax(px, px, r, c, log);
      expect(download(k, px, r * c)).toEqual(got);
    });
  }
});
