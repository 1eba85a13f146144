import { describe, expect, it } from 'vitest';
import { availableIsas, download, kernelsFor, randomFloats, upload } from './wasm-helpers.js';

const isas = await availableIsas();

/** C = A·B in float64 with A(m,k) = a[m*rsA + k*csA], B(k,n) = b[k*rsB + n*csB]; also Σ|a||b| per element. */
function naiveMatmul(
  a: Float32Array,
  rsA: number,
  csA: number,
  b: Float32Array,
  rsB: number,
  csB: number,
  M: number,
  K: number,
  N: number,
) {
  const c = new Float64Array(M * N);
  const mag = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      let m = 0;
      for (let k = 0; k < K; k++) {
        const p = a[i * rsA + k * csA] * b[k * rsB + j * csB];
        s += p;
        m += Math.abs(p);
      }
      c[i * N + j] = s;
      mag[i * N + j] = m;
    }
  }
  return { c, mag };
}

function expectClose(actual: Float32Array, expected: Float64Array, mag: Float64Array): void {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (mag[i] + 1e-30) - 2e-6);
  expect(worst).toBeLessThanOrEqual(0);
}

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [7, 13, 5],
  [3, 5, 9],
  [4, 8, 8],
  [64, 784, 128],
  [5, 300, 17],
  [130, 9, 1030],
  [33, 517, 65],
  // Row panels of 5 and 4 rows (assembly/matmul.ts panelRows5): 16 = 4·4, 11 pads a 4-row panel,
  // 151 spans two row blocks (MC = 140) and three k-blocks.
  [16, 20, 24],
  [11, 40, 9],
  [151, 600, 21],
];

describe.each(isas)('wasm matmul (%s)', (isa) => {
  for (const [M, K, N] of SIZES) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`${M}x${K}x${N}${transA ? ' Aᵀ' : ''}${transB ? ' Bᵀ' : ''} matches a naive matmul`, async () => {
          const k = await kernelsFor(isa);
          const a = randomFloats(M * K, M * 31 + K);
          const b = randomFloats(K * N, N * 17 + K);
          // Aᵀ: A is stored K×M; Bᵀ: B is stored N×K.
          const [rsA, csA] = transA ? [1, M] : [K, 1];
          const [rsB, csB] = transB ? [1, K] : [N, 1];
          const pa = upload(k, a);
          const pb = upload(k, b);
          const pc = k.alloc(M * N * 4);
          k.matmul(pa, rsA, csA, pb, rsB, csB, pc, M, K, N);
          const { c, mag } = naiveMatmul(a, rsA, csA, b, rsB, csB, M, K, N);
          expectClose(download(k, pc, M * N), c, mag);
        });
      }
    }
  }

  it('reads operands through general strides (a column slice of a wider matrix)', async () => {
    const k = await kernelsFor(isa);
    const [M, K, N, lda] = [9, 21, 11, 30];
    const a = randomFloats(M * lda, 5);
    const b = randomFloats(K * N * 2, 6);
    const pa = upload(k, a);
    const pb = upload(k, b);
    const pc = k.alloc(M * N * 4);
    // A = a[:, 3:3+K] (row stride 30); B has both strides non-unit: B(k, n) = b[2k + 2Kn].
    k.matmul(pa + 12, lda, 1, pb, 2, 2 * K, pc, M, K, N);
    const { c, mag } = naiveMatmul(a.subarray(3), lda, 1, b, 2, 2 * K, M, K, N);
    expectClose(download(k, pc, M * N), c, mag);
  });

  it('adds a bias per column', async () => {
    const k = await kernelsFor(isa);
    const [M, K, N] = [10, 37, 19];
    const a = randomFloats(M * K, 1);
    const b = randomFloats(K * N, 2);
    const bias = randomFloats(N, 3);
    const pa = upload(k, a);
    const pb = upload(k, b);
    const pbias = upload(k, bias);
    const pc = k.alloc(M * N * 4);
    k.matmul(pa, K, 1, pb, N, 1, pc, M, K, N, { bias: pbias });
    const { c, mag } = naiveMatmul(a, K, 1, b, N, 1, M, K, N);
    expectClose(
      download(k, pc, M * N),
      c.map((v, i) => v + bias[i % N]),
      mag.map((m) => m + 1),
    );
  });

  it('multiplies every entry, zeros included, so 0 · inf is NaN as in PyTorch', async () => {
    const k = await kernelsFor(isa);
    const pa = upload(k, Float32Array.of(0, 1));
    const pb = upload(k, Float32Array.of(Number.POSITIVE_INFINITY, 1));
    const pc = k.alloc(4);
    k.matmul(pa, 2, 1, pb, 1, 1, pc, 1, 2, 1);
    expect(download(k, pc, 1)[0]).toBeNaN();
  });

  it('gives zeros (plus bias) when K is 0', async () => {
    const k = await kernelsFor(isa);
    const bias = upload(k, Float32Array.of(1, -2, 3));
    const pc = upload(k, Float32Array.of(9, 9, 9, 9, 9, 9));
    k.matmul(64, 0, 1, 64, 3, 1, pc, 2, 0, 3, { bias });
    expect(Array.from(download(k, pc, 6))).toEqual([1, -2, 3, 1, -2, 3]);
  });

  it("computes fused linear's x·Wᵀ + b with the weight read transposed in place", async () => {
    const k = await kernelsFor(isa);
    const [rows, inF, outF] = [6, 50, 13];
    const x = randomFloats(rows * inF, 8);
    const w = randomFloats(outF * inF, 9);
    const bias = randomFloats(outF, 10);
    const px = upload(k, x);
    const pw = upload(k, w);
    const pbias = upload(k, bias);
    const out = k.alloc(rows * outF * 4);
    // W is stored [outF, inF]: Wᵀ has strides (1, inF).
    k.matmul(px, inF, 1, pw, 1, inF, out, rows, inF, outF, { bias: pbias });
    const { c, mag } = naiveMatmul(x, inF, 1, w, 1, inF, rows, inF, outF);
    expectClose(
      download(k, out, rows * outF),
      c.map((v, i) => v + bias[i % outF]),
      mag.map((m) => m + 1),
    );
  });
});
