import { type DType, tensor } from '@kindling/tensor';
import { NON_FINITE_LOGITS } from '@kindling/conformance';
import { beforeAll, describe, expect, test } from 'vitest';
import type { RuntimeOptions } from '../src/runtime.js';
import { expectClose, f32, hostLinear, seeded } from './helpers.js';
import { setupWebGPU } from './setup-gpu.js';

// Kernel variants a device picks at runtime (software-adapter paths, the matmul kind), each run
// on a second backend over the same device, and non-finite values through the fused kernels.

const gpu = { device: 'webgpu' } as const;

beforeAll(async () => {
  await setupWebGPU();
});

/** A second backend on the same device with other kernel variants (software paths, matmul kind). */
async function variantBackend(options: RuntimeOptions) {
  const { WebGPUBackend } = await import('../src/backend.js');
  const { GpuRuntime } = await import('../src/runtime.js');
  const shared = tensor([0], gpu).storage.backend as InstanceType<typeof WebGPUBackend>;
  return new WebGPUBackend(new GpuRuntime(shared.runtime.device, options));
}

describe('matmul kernel variants', () => {
  test.each(['tiled', 'direct'] as const)('the %s variant matches the host, with the bias epilogue', async (variant) => {
    const backend = await variantBackend({ matmul: variant });
    const [m, k, n] = [70, 33, 66];
    const a = seeded(m * k, 21);
    const w = seeded(n * k, 22);
    const bias = seeded(n, 23);
    const view = (h: object, shape: number[], strides: number[]) => ({ handle: h, dtype: 'float32' as const, shape, strides, offset: 0 });
    const ha = backend.upload('float32', Float32Array.from(a));
    const hw = backend.upload('float32', Float32Array.from(w));
    const hb = backend.upload('float32', Float32Array.from(bias));
    const expected = hostLinear(a, w, m, k, n);
    // Plain product with a transposed (strided) right operand.
    const h = backend.matmul(view(ha, [m, k], [k, 1]), view(hw, [k, n], [1, k]));
    expectClose(Array.from(await backend.read(view(h, [m, n], [n, 1]))), expected, 1e-5, 1e-5);
    const fused = backend.fused.linear!(view(ha, [m, k], [k, 1]), view(hw, [n, k], [k, 1]), view(hb, [n], [1]));
    const withBias = expected.map((v, i) => v + f32(bias[i % n]));
    expectClose(Array.from(await backend.read(view(fused, [m, n], [n, 1]))), withBias, 1e-5, 1e-5);
    for (const x of [ha, hw, hb, h, fused]) backend.free(x);
  });
});

describe('software and GPU kernel variants', () => {
  test.each([true, false])(
    'crossEntropy with software=%s matches the definition on short and long rows, strided views',
    async (software) => {
      const backend = await variantBackend({ software });
      for (const [rows, classes] of [
        [3, 300],
        [70, 7],
        [2, 64],
      ]) {
        const v = seeded(rows * classes, rows + classes, -6, 6);
        const t = Array.from({ length: rows }, (_, i) => (i * 7 + 3) % classes);
        // Logits [rows, classes] as the transpose of a stored [classes, rows], one element in; targets every other int.
        const hx = backend.upload('float32', Float32Array.from([99, ...v]));
        const targets = new Int32Array(2 * rows + 1);
        t.forEach((c, i) => {
          targets[1 + 2 * i] = c;
        });
        const ht = backend.upload('int32', targets);
        const logits = { handle: hx, dtype: 'float32' as const, shape: [rows, classes], strides: [1, rows], offset: 1 };
        const out = backend.fused.crossEntropy!(logits, { handle: ht, dtype: 'int32', shape: [rows], strides: [2], offset: 1 });
        const got = Array.from(await backend.read({ handle: out, dtype: 'float32', shape: [rows], strides: [1], offset: 0 }));
        const expected = t.map((c, i) => {
          const row = Array.from({ length: classes }, (_, j) => f32(v[j * rows + i]));
          const m = Math.max(...row);
          return m + Math.log(row.reduce((a, b) => a + Math.exp(b - m), 0)) - row[c];
        });
        expectClose(got, expected, 1e-5, 1e-5);
        for (const h of [hx, ht, out]) backend.free(h);
      }
    },
  );

  test.each([true, false])('softmax with software=%s matches the definition on long and short rows', async (software) => {
    const backend = await variantBackend({ software });
    for (const [rows, len] of [
      [3, 300],
      [5, 7],
    ]) {
      const v = seeded(rows * len, rows + len, -4, 4);
      const h = backend.upload('float32', Float32Array.from(v));
      for (const log of [false, true]) {
        // Softmax along dim 0 of the transposed [len, rows] view: a strided axis.
        const view = { handle: h, dtype: 'float32' as const, shape: [len, rows], strides: [1, len], offset: 0 };
        const out = backend.fused.softmax!(view, 0, log);
        const got = Array.from(await backend.read({ handle: out, dtype: 'float32', shape: [len, rows], strides: [rows, 1], offset: 0 }));
        const expected: number[] = [];
        for (let j = 0; j < len; j++)
          for (let r = 0; r < rows; r++) {
            const row = v.slice(r * len, (r + 1) * len).map(f32);
            const m = Math.max(...row);
            const z = row.reduce((a, b) => a + Math.exp(b - m), 0);
            expected.push(log ? row[j] - m - Math.log(z) : Math.exp(row[j] - m) / z);
          }
        expectClose(got, expected, 1e-5, 1e-6);
        backend.free(out);
      }
      backend.free(h);
    }
  });
});

describe('NaN and infinities through the fused kernels', () => {
  const NAN = Number.NaN;
  const INF = Number.POSITIVE_INFINITY;
  /** Rows with NaN, +inf, all -inf, two +inf, one -inf among finite values; PyTorch gives NaN rows for the first four. */
  const ROWS = NON_FINITE_LOGITS;
  /** Each row padded to `length` with -inf (which adds exp(-inf) = 0 and keeps an all -inf row all -inf) or with 0. */
  const padded = (length: number) =>
    ROWS.map((row) => [...row, ...new Array<number>(length - row.length).fill(row.every((v) => v === -INF) ? -INF : 0)]);

  /** The lowering's arithmetic in float64: max (NaN wins), x - max, exp, sum, then exp/sum or x - max - log(sum). */
  function lowered(row: number[]): { shifted: number[]; sum: number } {
    const max = row.reduce((m, v) => (Number.isNaN(m) || Number.isNaN(v) ? NAN : Math.max(m, v)), -INF);
    const shifted = row.map((v) => v - max);
    return { shifted, sum: shifted.reduce((a, v) => a + Math.exp(v), 0) };
  }

  const view = (h: object, shape: number[], dtype: DType = 'float32') => ({
    handle: h,
    dtype,
    shape,
    strides: shape.length === 2 ? [shape[1], 1] : [1],
    offset: 0,
  });

  test.each([true, false])('softmax and logSoftmax rows with NaN or infinities equal the lowering (software=%s)', async (software) => {
    const backend = await variantBackend({ software });
    // Short rows take the thread-per-row kernel; 40-long rows the workgroup one unless software.
    for (const length of [3, 40]) {
      const rows = padded(length);
      const h = backend.upload('float32', Float32Array.from(rows.flat()));
      for (const log of [false, true]) {
        const out = backend.fused.softmax!(view(h, [rows.length, length]), 1, log);
        const got = Array.from(await backend.read(view(out, [rows.length, length])));
        const expected = rows.flatMap((row) => {
          const { shifted, sum } = lowered(row);
          return shifted.map((v) => (log ? v - Math.log(sum) : Math.exp(v) / sum));
        });
        expectClose(got, expected, 1e-5, 1e-6);
        backend.free(out);
      }
      backend.free(h);
    }
  });

  test.each([true, false])('crossEntropy of rows with NaN or infinities equals the lowering (software=%s)', async (software) => {
    const backend = await variantBackend({ software });
    for (const length of [3, 40]) {
      const rows = [...padded(length), [INF, 1, ...new Array<number>(length - 2).fill(0)]];
      const targets = [0, 1, 0, 2, 1, 0];
      const hx = backend.upload('float32', Float32Array.from(rows.flat()));
      const ht = backend.upload('int32', Int32Array.from(targets));
      const out = backend.fused.crossEntropy!(view(hx, [rows.length, length]), view(ht, [rows.length], 'int32'));
      const got = Array.from(await backend.read(view(out, [rows.length])));
      // -logSoftmax(x)[target]: NaN for every row but the one with a single -inf.
      const expected = rows.map((row, i) => {
        const { shifted, sum } = lowered(row);
        return -(shifted[targets[i]] - Math.log(sum));
      });
      expect(expected.map(Number.isNaN)).toEqual([true, true, true, true, false, true]);
      expectClose(got, expected, 1e-5, 1e-6);
      for (const x of [hx, ht, out]) backend.free(x);
    }
  });

  test.each(['tiled', 'direct'] as const)('the %s matmul and linear add every product: 0 * inf is NaN', async (variant) => {
    const backend = await variantBackend({ matmul: variant });
    // Kernel-sized, with partial tiles: x's column 5 is zero and weight[3, 5] is inf, so output column 3 is NaN;
    // x[2, 7] is NaN (row 2 is NaN) and bias[9] is inf (column 9 is inf except where NaN).
    const [n, k, m] = [70, 33, 66];
    const x = seeded(n * k, 31).map((v, i) => (i % k === 5 ? 0 : i === 2 * k + 7 ? NAN : v));
    const w = seeded(m * k, 32).map((v, i) => (i === 3 * k + 5 ? INF : v));
    const bias = seeded(m, 33).map((v, j) => (j === 9 ? INF : v));
    const hx = backend.upload('float32', Float32Array.from(x));
    const hw = backend.upload('float32', Float32Array.from(w));
    const hb = backend.upload('float32', Float32Array.from(bias));
    const product = hostLinear(x, w, n, k, m);
    expect(Number.isNaN(product[3]) && Number.isNaN(product[2 * m]) && Number.isFinite(product[9])).toBe(true);
    const wt = { handle: hw, dtype: 'float32' as const, shape: [k, m], strides: [1, k], offset: 0 };
    const h = backend.matmul(view(hx, [n, k]), wt);
    expectClose(Array.from(await backend.read(view(h, [n, m]))), product, 1e-5, 1e-5);
    const fused = backend.fused.linear!(view(hx, [n, k]), view(hw, [m, k]), view(hb, [m]));
    const withBias = product.map((v, i) => v + f32(bias[i % m]));
    expectClose(Array.from(await backend.read(view(fused, [n, m]))), withBias, 1e-5, 1e-5);
    for (const t of [hx, hw, hb, h, fused]) backend.free(t);
  });
});
