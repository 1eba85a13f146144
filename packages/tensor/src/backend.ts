import type { DType, TypedArray } from './dtype.js';
import type { BinaryOp, UnaryOp, UnaryParams } from './ops/op-table.js';

/**
 * A backend-owned piece of device memory. Kindling never looks inside: the CPU
 * backend may keep a typed array or a slice of WebAssembly memory, the WebGPU
 * backend a `GPUBuffer`. The frontend only passes handles back to the backend
 * that made them.
 */
export type StorageHandle = object;

/**
 * A strided window onto a storage: element `[i0, i1, ...]` lives at
 * `offset + i0*strides[0] + i1*strides[1] + ...` (in elements, not bytes).
 * A stride of 0 repeats an element, which is how broadcasting reaches kernels.
 */
export interface View {
  readonly handle: StorageHandle;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export type { BinaryOp, UnaryOp, UnaryParams } from './ops/op-table.js';

/** Reductions over a set of axes. */
export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'any' | 'all';

/** Distributions of the `random` primitive. */
export type RandomKind =
  /** uniform in [0, 1) */
  | 'uniform'
  /** standard normal */
  | 'normal'
  /** uniform non-negative 31-bit integers, as int32 */
  | 'bits';

/**
 * The key of a counter-based random stream (Philox4x32-10). Element `i` of a
 * random op is a pure function of `(seed, offset + i)`, so every backend that
 * follows the recipe in `philox.ts` produces the same numbers.
 */
export interface RandomKey {
  readonly seed: readonly [number, number];
  readonly offset: number;
}

/**
 * What a backend must implement. Every Kindling op lowers to these primitives;
 * the contract each one keeps is spelled out here and checked by the
 * conformance suite (`@kindling/tensor/testing`).
 *
 * Shared rules:
 * - Inputs are arbitrary strided views (strides may be 0, i.e. broadcast, and
 *   views may be non-contiguous); outputs are fresh contiguous storages.
 * - Kernels are synchronous to call. An asynchronous device enqueues work and
 *   returns the handle at once; only `read` waits.
 * - Sizes and offsets count elements, never bytes.
 */
export interface Backend {
  /** Device name tensors report, e.g. `cpu` or `webgpu`. */
  readonly name: string;
  /** Dtypes the backend stores; others are rejected with a clear error. */
  readonly dtypes: readonly DType[];
  /**
   * Bytes one element of `dtype` takes in this backend's storages, when that
   * differs from `itemSize(dtype)` (e.g. float16 kept in 4-byte slots), so
   * `memory()` reports what the device really holds.
   */
  bytesPerElement?(dtype: DType): number;

  /** A zero-filled storage of `size` elements. */
  alloc(dtype: DType, size: number): StorageHandle;
  /**
   * A storage holding a copy of `data` (whose element type matches `dtype`;
   * float16 arrives as a Float32Array, which the backend rounds to half).
   */
  upload(dtype: DType, data: TypedArray): StorageHandle;
  /** Releases a storage. Called exactly once per handle. */
  free(handle: StorageHandle): void;
  /** The view's elements, in row-major order, as a new host array. */
  read(view: View): Promise<TypedArray>;
  /** Synchronous `read`, for backends that hold data in host memory. */
  readSync?(view: View): TypedArray;

  /**
   * `out[i] = op(x[i])`, computed in `outDtype` (x is converted first), with
   * the op's parameters (`UNARY_OPS` in `ops/unary-table.ts` lists the ops, their
   * math and defaults; `params` always holds every one). Bool ops
   * (`isnan`, `logicalNot`) look at `x` in its own dtype.
   */
  unary<K extends UnaryOp>(op: K, x: View, outDtype: DType, params: UnaryParams<K>): StorageHandle;
  /**
   * `out[i] = op(a[i], b[i])`. `a` and `b` share one shape and one dtype; the
   * result has `outDtype` (the operand dtype, or `bool` for comparisons).
   * Integer `add`/`sub`/`mul` wrap like int32 arithmetic; `div` is only asked of
   * floating operands; `remainder` and `floorDivide` round toward -infinity.
   */
  binary(op: BinaryOp, a: View, b: View, outDtype: DType): StorageHandle;
  /** `out[i] = cond[i] ? a[i] : b[i]`; cond is bool, a and b share `outDtype`. */
  where(cond: View, a: View, b: View, outDtype: DType): StorageHandle;
  /**
   * Reduces `axes` (sorted, unique) away; the result is contiguous with the
   * remaining dims in order. `sum`/`prod` accumulate in `outDtype`; `max`/`min`
   * propagate NaN; `any`/`all` give bool. An empty reduction gives the identity.
   */
  reduce(op: ReduceOp, x: View, axes: readonly number[], outDtype: DType): StorageHandle;
  /** Index (int32) of the first maximum/minimum along `axis`, which is removed from the shape. */
  argReduce(op: 'argmax' | 'argmin', x: View, axis: number): StorageHandle;
  /**
   * Batched matrix product: `a` is `[...batch, M, K]`, `b` is `[...batch, K, N]`
   * with equal batch shapes (broadcast batches arrive as stride 0) and equal
   * dtypes; the result is `[...batch, M, N]`.
   */
  matmul(a: View, b: View): StorageHandle;
  /** A contiguous copy of `x` converted to `dtype` (float to int truncates; to bool is `!= 0`). */
  cast(x: View, dtype: DType): StorageHandle;
  /** Writes `src` (same shape as `dst`, converted to `dst.dtype`) into the view `dst`, in place. */
  assign(dst: View, src: View): void;
  /** Writes `value` into every element of the view `dst`, in place. */
  fill(dst: View, value: number): void;
  /** `out[...i...] = x[...index[...i...] along dim...]` (torch.gather); result has `index.shape`. */
  gather(x: View, dim: number, index: View): StorageHandle;
  /** `dst[...index[...i...] along dim...] += src[...i...]`, in place (torch.scatter_add_). */
  scatterAdd(dst: View, dim: number, index: View, src: View): void;
  /**
   * The `k` largest (or smallest) elements along `axis` and their int32
   * indices; with `sorted`, in order (ties keep the lower index first).
   */
  topk(x: View, k: number, axis: number, largest: boolean): [values: StorageHandle, indices: StorageHandle];
  /** `size` random elements of `dtype` from the counter-based stream `key`. */
  random(kind: RandomKind, dtype: DType, size: number, key: RandomKey): StorageHandle;

  /** Optional fused kernels; ops use them when present and lower to primitives otherwise. */
  readonly fused?: FusedKernels;
}

/** Fused kernels a backend may add for speed. Each must equal its lowering. */
export interface FusedKernels {
  /** Softmax (or log-softmax) along `axis` of a floating tensor. */
  softmax?(x: View, axis: number, log: boolean): StorageHandle;
  /** `x @ weight^T + bias`: `x` is `[N, K]`, `weight` `[M, K]`, `bias` `[M]` or null; result `[N, M]`. */
  linear?(x: View, weight: View, bias: View | null): StorageHandle;
  /**
   * `y += alpha * x` in place (optimizer steps, gradient accumulation): `x`
   * has `y`'s shape and dtype (broadcasts arrive as stride 0). Returns false,
   * having written nothing, for layouts or dtypes the kernel does not take;
   * the op then lowers to primitives.
   */
  axpy?(y: View, x: View, alpha: number): boolean;
  /**
   * Relu's gradient from its output: `output <= 0 ? 0 : grad` (NaN outputs pass
   * the gradient), for `grad` and `output` of one shape and floating dtype.
   */
  reluBackward?(grad: View, output: View): StorageHandle;
  /**
   * `cast(x, dtype) * scale + shift` into a new dense tensor of floating
   * `dtype` (ToTensor + Normalize of image bytes), the multiply and the add
   * each rounded to `dtype` as the separate ops round. Returns null, having
   * allocated nothing, for inputs or dtypes the kernel does not take; the op
   * then lowers to `cast`, `mul` and `add`.
   */
  affine?(x: View, scale: number, shift: number, dtype: DType): StorageHandle | null;
  /**
   * Per-sample cross-entropy of logits: `out[i] = logsumexp(logits[i, :]) -
   * logits[i, target[i]]`, i.e. `-logSoftmax(logits, 1)[i, target[i]]`,
   * without writing the `[N, C]` log-probabilities. `logits` is floating
   * `[N, C]` (any strides), `target` int32 `[N]`; the result is `[N]`
   * of the logits' dtype. Must be computed stably (shifted by the row
   * maximum, so logits of ±1000 stay finite) and agree with the lowering on
   * infinite and NaN logits. The caller replaces ignored targets by 0
   * first, so every entry should lie in `[0, C)`; a backend that cannot see
   * a bad one before returning reports it like its `gather` does. Asked only
   * of float32/float64 logits: half precision lowers, so it rounds where
   * PyTorch does.
   */
  crossEntropy?(logits: View, target: View): StorageHandle;
}
