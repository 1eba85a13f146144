import { type DType, type TypedArray, itemSize } from '@kindling/tensor';
import { type Backend, type StorageHandle, type View, roundToFloat16 } from '@kindling/tensor/backend';
import { assign, cast, fill, random } from './kernels/copy.js';
import { crossEntropy } from './kernels/cross-entropy.js';
import { binary, unary, where } from './kernels/elementwise.js';
import { gather, scatterAdd, topk } from './kernels/indexing.js';
import { matmul } from './kernels/matmul.js';
import type { WasmKernels } from './wasm/kernels.js';
import { roundView, roundedOutput } from './kernels/half.js';
import { argReduce, reduce } from './kernels/reduce.js';
import { softmax } from './kernels/softmax.js';
import { CPU_MAX_STORAGE_BYTES, allocStorage, dataOf, freeStorage, gatherDense, newStorage } from './kernels/storage.js';
import { reluBackward } from './kernels/relu-backward.js';
import { logSoftmaxBackward } from './kernels/log-softmax-backward.js';
import {
  wasmAffine,
  wasmAxpy,
  wasmBinary,
  wasmCompare,
  wasmReduce,
  wasmReluBackward,
  wasmScatterAdd,
  wasmSoftmax,
  wasmUnary,
} from './kernels/wasm-elementwise.js';
import { wasmMatmul } from './kernels/wasm-matmul.js';
import { wasmRandom } from './kernels/wasm-random.js';
import { activeKernels, kernelsForMatmul } from './wasm-path.js';
import { type WindowKernels, windowKernels } from './window-path.js';

const DTYPES: readonly DType[] = ['float16', 'float32', 'float64', 'int32', 'uint8', 'bool'];

/**
 * Float32 products run on the WebAssembly kernels once they have loaded, unless
 * tiny (`minMacs` of `configureCpuKernels`) or empty; everything else (other
 * dtypes, no SIMD) on the TypeScript kernel.
 */
function matmulAuto(a: View, b: View, bias: View | null = null): StorageHandle {
  if (a.dtype === 'float32') {
    let macs = b.shape[b.shape.length - 1];
    for (const d of a.shape) macs *= d;
    const kernels = kernelsForMatmul(macs);
    const out = kernels ? wasmMatmul(kernels, a, b, bias) : null;
    if (out) return out;
  }
  return matmul(a, b, bias);
}

/**
 * Runs a WebAssembly kernel when the SIMD kernels are active; null (also when
 * the kernel declines the layout) means the TypeScript kernel answers. Takes
 * the kernel and its arguments, so no closure is made per op.
 */
function fast<A extends unknown[], R = StorageHandle>(kernel: (k: WasmKernels, ...args: A) => R | null, ...args: A): R | null {
  const k = activeKernels();
  return k === null ? null : kernel(k, ...args);
}

/** Runs a sliding-window kernel when the SIMD kernels and the window module have loaded; null lowers the op. */
function windowFast<A extends unknown[], R>(pick: (w: WindowKernels) => (k: WasmKernels, ...args: A) => R | null, ...args: A): R | null {
  const w = windowKernels();
  const k = activeKernels();
  return w === null || k === null ? null : pick(w)(k, ...args);
}

/**
 * Creates a CPU backend: data in typed arrays, kernels in plain TypeScript
 * over strided views, except float32 matmul and linear, which run on the
 * WebAssembly SIMD kernels once they have loaded (see `cpuReady`). float16
 * is kept in Float32Array slots and rounded after every kernel (`kernels/half.ts`).
 * `name` lets tests register a second CPU-backed device.
 */
export function createCpuBackend(name = 'cpu'): Backend {
  return {
    name,
    dtypes: DTYPES,
    bytesPerElement: (dtype) => (dtype === 'float16' ? 4 : itemSize(dtype)),
    maxStorageBytes: CPU_MAX_STORAGE_BYTES,
    alloc: allocStorage,
    upload: (dtype: DType, data: TypedArray): StorageHandle => {
      const s = newStorage(dtype, data.length);
      s.data.set(data);
      return roundedOutput(s, dtype);
    },
    free: freeStorage,
    read: async (view: View) => gatherDense(view),
    readSync: gatherDense,
    unary: (op, x, outDtype, params) => roundedOutput(fast(wasmUnary, op, x, outDtype) ?? unary(op, x, outDtype, params), outDtype),
    binary: (op, a, b, outDtype) =>
      roundedOutput(fast(wasmBinary, op, a, b, outDtype) ?? fast(wasmCompare, op, a, b, outDtype) ?? binary(op, a, b, outDtype), outDtype),
    where: (cond, a, b, outDtype) => roundedOutput(where(cond, a, b, outDtype), outDtype),
    reduce: (op, x, axes, outDtype) => roundedOutput(fast(wasmReduce, op, x, axes, outDtype) ?? reduce(op, x, axes, outDtype), outDtype),
    argReduce,
    matmul: (a, b) => roundedOutput(matmulAuto(a, b), a.dtype),
    cast: (x, dtype) => roundedOutput(cast(x, dtype), dtype),
    assign: (dst, src) => {
      assign(dst, src);
      roundView(dst);
    },
    fill: (dst, value) => fill(dst, dst.dtype === 'float16' ? roundToFloat16(value) : value),
    gather,
    scatterAdd: (dst, dim, index, src) => {
      const k = activeKernels();
      if (k !== null && wasmScatterAdd(k, dst, dim, index, src)) return;
      scatterAdd(dst, dim, index, src);
      roundView(dst);
    },
    topk,
    random: (kind, dtype, size, key) => roundedOutput(fast(wasmRandom, kind, dtype, size, key) ?? random(kind, dtype, size, key), dtype),
    fused: {
      axpy: (y, x, alpha) => {
        const k = activeKernels();
        return k !== null && wasmAxpy(k, y, x, alpha);
      },
      affine: (x, scale, shift, dtype) => fast(wasmAffine, x, scale, shift, dtype),
      reluBackward: (grad, output) => roundedOutput(fast(wasmReluBackward, grad, output) ?? reluBackward(grad, output), grad.dtype),
      logSoftmaxBackward: (grad, output) => logSoftmaxBackward(grad, output, (y) => fast(wasmUnary, 'exp', y, y.dtype)),
      softmax: (x, axis, log) => roundedOutput(fast(wasmSoftmax, x, axis, log) ?? softmax(x, axis, log), x.dtype),
      linear: (x, weight, bias) =>
        roundedOutput(
          matmulAuto(x, { ...weight, shape: [weight.shape[1], weight.shape[0]], strides: [weight.strides[1], weight.strides[0]] }, bias),
          x.dtype,
        ),
      crossEntropy,
      // Sliding windows and batch norm: float32 on the WebAssembly kernels once their module has loaded
      // (window-path.ts); null lowers the op to primitives.
      im2col: (x, window) => windowFast((w) => w.wasmIm2col, x, window),
      col2im: (cols, size, window) => windowFast((w) => w.wasmCol2im, cols, size, window),
      conv2d: (x, weight, bias, window, groups) => windowFast((w) => w.wasmConv2d, x, weight, bias, window, groups),
      conv2dInputGrad: (grad, weight, size, window, groups) => windowFast((w) => w.wasmConv2dInputGrad, grad, weight, size, window, groups),
      conv2dWeightGrad: (x, grad, window, groups) => windowFast((w) => w.wasmConv2dWeightGrad, x, grad, window, groups),
      maxPool2d: (x, window, ceilMode) => windowFast((w) => w.wasmMaxPool2d, x, window, ceilMode),
      avgPool2d: (x, window, ceilMode, countIncludePad, divisor) =>
        windowFast((w) => w.wasmAvgPool2d, x, window, ceilMode, countIncludePad, divisor),
      channelMoments: (x) => windowFast((w) => w.wasmChannelMoments, x),
      channelAffine: (x, mean, invStd, weight, bias) => windowFast((w) => w.wasmChannelAffine, x, mean, invStd, weight, bias),
    },
  };
}

/** The CPU backend registered as device `cpu` when this package is imported. */
export const cpuBackend: Backend = createCpuBackend();

/** @internal The typed array behind a CPU storage handle (for zero-copy interop). */
export function cpuData(handle: StorageHandle): TypedArray {
  return dataOf(handle);
}
