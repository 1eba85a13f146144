import type { Backend, DType, StorageHandle, TypedArray, View } from '@kindling/tensor';
import { assign, cast, fill, random } from './kernels/copy.js';
import { binary, unary, where } from './kernels/elementwise.js';
import { gather, scatterAdd, topk } from './kernels/indexing.js';
import { type MatmulEpilogue, matmul } from './kernels/matmul.js';
import { argReduce, reduce } from './kernels/reduce.js';
import { softmax } from './kernels/softmax.js';
import { allocStorage, dataOf, gatherDense, wrap } from './kernels/storage.js';
import { wasmMatmul } from './kernels/wasm-matmul.js';
import { kernelsForMatmul } from './wasm-path.js';

const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'uint8', 'bool'];

/**
 * Float32 products run on the WebAssembly kernels once they have loaded, unless
 * tiny (`minMacs` of `configureCpuKernels`) or empty; everything else (other
 * dtypes, no SIMD) on the TypeScript kernel.
 */
function matmulAuto(a: View, b: View, epilogue?: MatmulEpilogue): StorageHandle {
  if (a.dtype === 'float32') {
    let macs = b.shape[b.shape.length - 1];
    for (const d of a.shape) macs *= d;
    const kernels = kernelsForMatmul(macs);
    const out = kernels ? wasmMatmul(kernels, a, b, epilogue) : null;
    if (out) return out;
  }
  return matmul(a, b, epilogue);
}

/**
 * Creates a CPU backend: data in typed arrays, kernels in plain TypeScript
 * over strided views, except float32 matmul and linear, which run on the
 * WebAssembly SIMD kernels once they have loaded (see `cpuReady`). `name`
 * lets tests register a second CPU-backed device.
 */
export function createCpuBackend(name = 'cpu'): Backend {
  return {
    name,
    dtypes: DTYPES,
    alloc: allocStorage,
    upload: (_dtype: DType, data: TypedArray): StorageHandle => wrap(data.slice() as TypedArray),
    // Typed arrays are garbage-collected; dropping the handle is all freeing takes.
    free: () => {},
    read: async (view: View) => gatherDense(view),
    readSync: gatherDense,
    unary,
    binary,
    where,
    reduce,
    argReduce,
    matmul: (a, b) => matmulAuto(a, b),
    cast,
    assign,
    fill,
    gather,
    scatterAdd,
    topk,
    random,
    fused: {
      softmax,
      linear: (x, weight, bias, activation) =>
        matmulAuto(
          x,
          { ...weight, shape: [weight.shape[1], weight.shape[0]], strides: [weight.strides[1], weight.strides[0]] },
          { bias, relu: activation === 'relu' },
        ),
    },
  };
}

/** The CPU backend registered as device `cpu` when this package is imported. */
export const cpuBackend: Backend = createCpuBackend();

/** @internal The typed array behind a CPU storage handle (for zero-copy interop). */
export function cpuData(handle: StorageHandle): TypedArray {
  return dataOf(handle);
}
