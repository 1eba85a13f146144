/*
 * Sliding-window ops on the host, in float64, written as the definitions
 * (one loop per index, no im2col): the reference the larger random
 * conformance cases compare a backend's kernels with. Arrays are NCHW,
 * row-major.
 */

/** A 2-D convolution's shapes and window. */
export interface ConvGeometry {
  n: number;
  cin: number;
  h: number;
  w: number;
  cout: number;
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

/** `[outH, outW]` of a convolution (floor mode). */
export function convOutSize(g: ConvGeometry): [number, number] {
  const out = (d: 0 | 1, size: number) => Math.floor((size + 2 * g.padding[d] - g.dilation[d] * (g.kernel[d] - 1) - 1) / g.stride[d]) + 1;
  return [out(0, g.h), out(1, g.w)];
}

/**
 * Calls `visit(xIndex, wIndex, outIndex)` for every product a convolution
 * adds up (padding skipped): forward, input and weight gradients are this
 * one walk with the roles of the three arrays exchanged.
 */
function forEachTerm(g: ConvGeometry, visit: (xi: number, wi: number, oi: number) => void): void {
  const [oh, ow] = convOutSize(g);
  const [kh, kw] = g.kernel;
  const cinG = g.cin / g.groups;
  const coutG = g.cout / g.groups;
  for (let n = 0; n < g.n; n++) {
    for (let co = 0; co < g.cout; co++) {
      const group = Math.floor(co / coutG);
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
          const oi = ((n * g.cout + co) * oh + y) * ow + x;
          for (let ci = 0; ci < cinG; ci++) {
            const c = group * cinG + ci;
            for (let i = 0; i < kh; i++) {
              const iy = y * g.stride[0] - g.padding[0] + i * g.dilation[0];
              if (iy < 0 || iy >= g.h) continue;
              for (let j = 0; j < kw; j++) {
                const ix = x * g.stride[1] - g.padding[1] + j * g.dilation[1];
                if (ix < 0 || ix >= g.w) continue;
                visit(((n * g.cin + c) * g.h + iy) * g.w + ix, ((co * cinG + ci) * kh + i) * kw + j, oi);
              }
            }
          }
        }
      }
    }
  }
}

/** `conv2d(x, weight, bias)`: `[N, Cout, outH, outW]`. */
export function hostConv2d(g: ConvGeometry, x: ArrayLike<number>, weight: ArrayLike<number>, bias: ArrayLike<number> | null): number[] {
  const [oh, ow] = convOutSize(g);
  const out = new Array<number>(g.n * g.cout * oh * ow).fill(0);
  forEachTerm(g, (xi, wi, oi) => {
    out[oi] += x[xi] * weight[wi];
  });
  if (bias) for (let i = 0; i < out.length; i++) out[i] += bias[Math.floor(i / (oh * ow)) % g.cout];
  return out;
}

/** The gradient of `conv2d` with respect to its input, for the upstream gradient `grad`. */
export function hostConv2dInputGrad(g: ConvGeometry, grad: ArrayLike<number>, weight: ArrayLike<number>): number[] {
  const out = new Array<number>(g.n * g.cin * g.h * g.w).fill(0);
  forEachTerm(g, (xi, wi, oi) => {
    out[xi] += grad[oi] * weight[wi];
  });
  return out;
}

/** The gradient of `conv2d` with respect to its weight. */
export function hostConv2dWeightGrad(g: ConvGeometry, x: ArrayLike<number>, grad: ArrayLike<number>): number[] {
  const out = new Array<number>(g.cout * (g.cin / g.groups) * g.kernel[0] * g.kernel[1]).fill(0);
  forEachTerm(g, (xi, wi, oi) => {
    out[wi] += x[xi] * grad[oi];
  });
  return out;
}

/** The gradient of `conv2d` with respect to its bias: the upstream gradient summed per output channel. */
export function hostConv2dBiasGrad(g: ConvGeometry, grad: ArrayLike<number>): number[] {
  const plane = grad.length / (g.n * g.cout);
  const out = new Array<number>(g.cout).fill(0);
  for (let i = 0; i < grad.length; i++) out[Math.floor(i / plane) % g.cout] += grad[i];
  return out;
}

/** A pooling window over `[N, C, H, W]` (no dilation, floor mode). */
export interface PoolGeometry {
  shape: [number, number, number, number];
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
}

/** Pooling over every window: `reduce(values, flatIndices)` gives each output element. */
function pool(g: PoolGeometry, x: ArrayLike<number>, reduce: (values: number[], at: number[]) => number): number[] {
  const [n, c, h, w] = g.shape;
  const oh = Math.floor((h + 2 * g.padding[0] - g.kernel[0]) / g.stride[0]) + 1;
  const ow = Math.floor((w + 2 * g.padding[1] - g.kernel[1]) / g.stride[1]) + 1;
  const out: number[] = [];
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        const values: number[] = [];
        const at: number[] = [];
        for (let i = 0; i < g.kernel[0]; i++) {
          for (let j = 0; j < g.kernel[1]; j++) {
            const iy = y * g.stride[0] - g.padding[0] + i;
            const ix = xo * g.stride[1] - g.padding[1] + j;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            values.push(x[p * h * w + iy * w + ix]);
            at.push(iy * w + ix);
          }
        }
        out.push(reduce(values, at));
      }
    }
  }
  return out;
}

/** `maxPool2dWithIndices`: each window's maximum and the flat `h*W + w` of its first occurrence. */
export function hostMaxPool2d(g: PoolGeometry, x: ArrayLike<number>): [values: number[], indices: number[]] {
  const first = (values: number[]) => values.reduce((best, v, k) => (v > values[best] ? k : best), 0);
  return [pool(g, x, (values) => values[first(values)]), pool(g, x, (values, at) => at[first(values)])];
}

/** `avgPool2d` counting the padding (PyTorch's default). */
export function hostAvgPool2d(g: PoolGeometry, x: ArrayLike<number>): number[] {
  const size = g.kernel[0] * g.kernel[1];
  return pool(g, x, (values) => values.reduce((a, b) => a + b, 0) / size);
}

/** Batch norm in training over `[N, C, ...]` with batch statistics (biased variance), no affine. */
export function hostBatchNorm(shape: readonly number[], x: ArrayLike<number>, eps: number): number[] {
  const [n, c] = shape;
  const inner = x.length / (n * c);
  const out = new Array<number>(x.length);
  for (let ch = 0; ch < c; ch++) {
    const at = (k: number) => Math.floor(k / inner) * c * inner + ch * inner + (k % inner);
    let sum = 0;
    for (let k = 0; k < n * inner; k++) sum += x[at(k)];
    const mean = sum / (n * inner);
    let sq = 0;
    for (let k = 0; k < n * inner; k++) sq += (x[at(k)] - mean) ** 2;
    const invStd = 1 / Math.sqrt(sq / (n * inner) + eps);
    for (let k = 0; k < n * inner; k++) out[at(k)] = (x[at(k)] - mean) * invStd;
  }
  return out;
}
