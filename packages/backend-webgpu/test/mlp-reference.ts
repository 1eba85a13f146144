import { LAYERS, initialParams } from './mlp.js';

/**
 * The MLP step of `mlp.ts` in plain JavaScript (float64), as an independent
 * reference for any backend: same initialisation, same data, same update.
 */
export class ReferenceMlp {
  readonly params: Float64Array[];

  constructor(seed = 1) {
    this.params = initialParams(seed).map((p) => Float64Array.from(p.values));
  }

  /** One SGD step on `x` `[n,784]` with labels `y`; returns the loss before the update. */
  step(x: Float32Array, y: Int32Array, lr: number): number {
    const n = y.length;
    const [w1, b1, w2, b2, w3, b3] = this.params;
    const [d0, d1, d2, d3] = LAYERS;
    // out[n, o] = act(in[n, i] . w[o, i] + b[o])
    const dense = (input: ArrayLike<number>, w: Float64Array, b: Float64Array, inF: number, outF: number, relu: boolean) => {
      const out = new Float64Array(n * outF);
      for (let r = 0; r < n; r++)
        for (let o = 0; o < outF; o++) {
          let s = b[o];
          for (let i = 0; i < inF; i++) s += input[r * inF + i] * w[o * inF + i];
          out[r * outF + o] = relu && s < 0 ? 0 : s;
        }
      return out;
    };
    const h1 = dense(x, w1, b1, d0, d1, true);
    const h2 = dense(h1, w2, b2, d1, d2, true);
    const logits = dense(h2, w3, b3, d2, d3, false);
    let loss = 0;
    const dLogits = new Float64Array(n * d3);
    for (let r = 0; r < n; r++) {
      const row = logits.subarray(r * d3, (r + 1) * d3);
      const m = Math.max(...row);
      const z = row.reduce((a, v) => a + Math.exp(v - m), 0);
      loss -= row[y[r]] - m - Math.log(z);
      for (let c = 0; c < d3; c++) dLogits[r * d3 + c] = (Math.exp(row[c] - m) / z - (c === y[r] ? 1 : 0)) / n;
    }
    // Backward through a dense layer: weight/bias gradients, and the input gradient masked by relu.
    const back = (dOut: Float64Array, input: ArrayLike<number>, w: Float64Array, inF: number, outF: number, mask: Float64Array | null) => {
      const dW = new Float64Array(outF * inF);
      const dB = new Float64Array(outF);
      const dIn = new Float64Array(n * inF);
      for (let r = 0; r < n; r++)
        for (let o = 0; o < outF; o++) {
          const g = dOut[r * outF + o];
          dB[o] += g;
          for (let i = 0; i < inF; i++) {
            dW[o * inF + i] += g * input[r * inF + i];
            dIn[r * inF + i] += g * w[o * inF + i];
          }
        }
      if (mask) for (let k = 0; k < dIn.length; k++) if (mask[k] <= 0) dIn[k] = 0;
      return { dW, dB, dIn };
    };
    const g3 = back(dLogits, h2, w3, d2, d3, h2);
    const g2 = back(g3.dIn, h1, w2, d1, d2, h1);
    const g1 = back(g2.dIn, x, w1, d0, d1, null);
    const grads = [g1.dW, g1.dB, g2.dW, g2.dB, g3.dW, g3.dB];
    this.params.forEach((p, i) => {
      for (let k = 0; k < p.length; k++) p[k] -= lr * grads[i][k];
    });
    return loss / n;
  }
}
