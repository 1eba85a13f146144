import type { DType, TypedArray } from '@kindling/tensor';
import {
  type Backend,
  type RandomKey,
  type RandomKind,
  type StorageHandle,
  allocArray,
  arrayTypeOf,
  philoxFill,
} from '@kindling/tensor/backend';
import { assign, binary, cast, fill, unary, where } from './elementwise.js';
import { gather, scatterAdd } from './indexing.js';
import { matmul } from './matmul.js';
import { argReduce, reduce, topk } from './reductions.js';
import { TemplateStorage, converter, dense, produce, storageOf } from './storage.js';

/*
 * The backend itself: one object with every primitive of the `Backend`
 * interface of @kindling/tensor (its doc comments are the contract; the
 * conformance suite checks it). Every op of Kindling, from `mean` to
 * `crossEntropyLoss`, lowers to these, so a backend that passes the suite
 * runs all of them. Read this file top to bottom, then the kernels it names.
 *
 * Shared rules: inputs are strided views (strided.ts), outputs are fresh
 * contiguous storages, kernels are synchronous to call (a GPU backend
 * enqueues the work and returns the handle at once; only `read` waits), and
 * sizes count elements.
 */

/** Every dtype of Kindling: a backend that leaves one out lists what it has, and ops on the others fail by name. */
const DTYPES: readonly DType[] = ['float16', 'float32', 'float64', 'int32', 'uint8', 'bool'];

/**
 * A copy of `data` as a storage of `dtype`. The frontend passes float16 as a
 * Float32Array of any floats, so the copy goes through the dtype's
 * conversion: that is where half-precision rounding happens on the way in.
 */
function upload(dtype: DType, data: TypedArray): StorageHandle {
  return produce(dtype, [data.length], [{ strides: [1], offset: 0 }], (at) => data[at[0]]);
}

/**
 * `size` draws of the counter-based Philox stream `key`. Element i is a pure
 * function of `(seed, offset + i)` (the recipe is in @kindling/tensor's
 * philox.ts), which is why every backend, and every order of computing the
 * elements, gives the same numbers. `philoxFill` computes them on the host;
 * a GPU backend ports its few lines to a shader. Uniforms carry 24 random
 * bits, exact in float32; `bits` are non-negative 31-bit integers.
 */
function random(kind: RandomKind, dtype: DType, size: number, key: RandomKey): StorageHandle {
  const draws = new Float64Array(size);
  philoxFill(kind, key, draws);
  const store = converter(dtype);
  const out = allocArray(dtype, size);
  for (let i = 0; i < size; i++) out[i] = store(draws[i]);
  return new TemplateStorage(out);
}

/**
 * Creates the template backend under device name `name`. Register it with
 * `registerBackend` (importing this package registers one as `template`);
 * tensors then live on it with `{ device: name }`.
 */
export function createTemplateBackend(name = 'template'): Backend {
  return {
    name,
    dtypes: DTYPES,
    // float16 sits in 4-byte Float32Array slots: `memory()` should report what is really held.
    bytesPerElement: (dtype) => arrayTypeOf(dtype).BYTES_PER_ELEMENT,

    // Storage lifetime and transfer. `alloc` must give zeros: `zeros()` is an `alloc` and nothing else.
    alloc: (dtype, size) => new TemplateStorage(allocArray(dtype, size)),
    upload,
    // Called exactly once per handle, when the last tensor using it is disposed or collected.
    free: (handle) => storageOf(handle).free(),
    // `read` returns a new array (callers may write into it), elements in row-major order.
    read: async (view) => dense(view),
    // Offered because the data is in host memory: `readSync()`, `toString()` and `to()` need it.
    readSync: dense,

    // Elementwise (elementwise.ts): the op table's math on every element.
    unary,
    binary,
    where,

    // Along dims (reductions.ts).
    reduce,
    argReduce,
    topk,

    matmul,

    // Conversion and in-place writes: the only primitives that write into an existing storage are
    // `assign`, `fill` and `scatterAdd`, through views (`x.t().add_(y)` ends in an `assign`).
    cast,
    assign,
    fill,

    // Indexing (indexing.ts).
    gather,
    scatterAdd,

    random,

    // No `fused` kernels: every op runs as its lowering to the primitives above. A backend adds
    // `fused.softmax`, `fused.linear`... only for speed, and the suite checks they match the lowering.
  };
}
