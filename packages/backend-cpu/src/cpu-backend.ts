import type { Backend, DType, StorageHandle, TypedArray, View } from '@kindling/tensor';
import { assign, cast, fill, random } from './kernels/copy.js';
import { binary, unary, where } from './kernels/elementwise.js';
import { gather, scatterAdd, topk } from './kernels/indexing.js';
import { matmul } from './kernels/matmul.js';
import { argReduce, reduce } from './kernels/reduce.js';
import { softmax } from './kernels/softmax.js';
import { allocStorage, dataOf, gatherDense, wrap } from './kernels/storage.js';

const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'uint8', 'bool'];

/**
 * Creates a CPU backend: data in typed arrays, kernels in plain TypeScript
 * over strided views. `name` lets tests register a second CPU-backed device.
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
    matmul: (a, b) => matmul(a, b),
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
        matmul(
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
