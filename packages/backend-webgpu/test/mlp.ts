import { type Tensor, arange, gather, linear, logSoftmax, matmul, softmax, sum, tensor, tidy } from '@kindling/tensor';

/**
 * The MNIST MLP of the project's seed (784-128-64-10, ReLU, LogSoftmax, NLL
 * loss, SGD) with hand-written gradients, so it runs on any backend with only
 * tensor ops: the same code on `cpu` and `webgpu` must give the same losses.
 */
export interface Mlp {
  params: Tensor[]; // w1 b1 w2 b2 w3 b3
}

export const LAYERS = [784, 128, 64, 10] as const;

/** Deterministic host values in [-bound, bound) (torch's default Linear init range). */
function uniformHost(n: number, bound: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s >>> 8) / 16777216) * 2 * bound - bound;
  }
  return out;
}

/** Initial parameter values (w1 b1 w2 b2 w3 b3, row-major), the same on every device. */
export function initialParams(seed = 1): { values: Float32Array; shape: number[] }[] {
  const out: { values: Float32Array; shape: number[] }[] = [];
  for (let l = 0; l < 3; l++) {
    const fanIn = LAYERS[l];
    const fanOut = LAYERS[l + 1];
    const bound = 1 / Math.sqrt(fanIn);
    out.push({ values: uniformHost(fanOut * fanIn, bound, seed * 7 + l), shape: [fanOut, fanIn] });
    out.push({ values: uniformHost(fanOut, bound, seed * 13 + l), shape: [fanOut] });
  }
  return out;
}

/** Parameters initialised identically on every device. */
export function createMlp(device: string, seed = 1): Mlp {
  return { params: initialParams(seed).map((p) => tensor(p.values, { device, shape: p.shape })) };
}

/** A synthetic MNIST-shaped data set: `n` images in [0, 1) with labels 0..9 that depend on the pixels. */
export function syntheticMnist(n: number, seed = 5): { images: Float32Array; labels: Int32Array } {
  const images = uniformHost(n * 784, 0.5, seed).map((v) => v + 0.5);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // The brightest of ten pixel bands is the label, so the task is learnable.
    let best = 0;
    let bestSum = -1;
    for (let c = 0; c < 10; c++) {
      let s = 0;
      for (let p = c * 78; p < c * 78 + 78; p++) s += images[i * 784 + p];
      if (s > bestSum) {
        bestSum = s;
        best = c;
      }
    }
    labels[i] = best;
  }
  return { images, labels };
}

/**
 * One SGD step on a batch (`x` `[N,784]` float32, `y` `[N]` int32): forward,
 * NLL loss, manual backward, in-place update. Returns the loss (a 0-d tensor).
 */
export function trainStep(model: Mlp, x: Tensor, y: Tensor, lr: number): Tensor {
  const [w1, b1, w2, b2, w3, b3] = model.params;
  const n = x.shape[0];
  return tidy(() => {
    const h1 = linear(x, w1, b1).relu();
    const h2 = linear(h1, w2, b2).relu();
    const logits = linear(h2, w3, b3);
    const logp = logSoftmax(logits, 1);
    const picked = gather(logp, 1, y.unsqueeze(1));
    const loss = sum(picked).mul(-1 / n);
    // d loss / d logits = (softmax - onehot) / N
    const onehot = arange(10, { device: x.device }).unsqueeze(0).eq(y.unsqueeze(1)).float();
    const dLogits = softmax(logits, 1)
      .sub(onehot)
      .mul(1 / n);
    const dW3 = matmul(dLogits.t(), h2);
    const db3 = sum(dLogits, 0);
    const dZ2 = matmul(dLogits, w3).mul(h2.gt(0).float());
    const dW2 = matmul(dZ2.t(), h1);
    const db2 = sum(dZ2, 0);
    const dZ1 = matmul(dZ2, w2).mul(h1.gt(0).float());
    const dW1 = matmul(dZ1.t(), x);
    const db1 = sum(dZ1, 0);
    const grads = [dW1, db1, dW2, db2, dW3, db3];
    model.params.forEach((p, i) => {
      p.sub_(grads[i], { alpha: lr });
    });
    return loss;
  });
}
