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
 * conformance suite (`@kindling/conformance`).
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
  /**
   * Largest storage, in bytes, the backend can allocate (the CPU's typed
   * arrays, a GPU's `maxBufferSize`). Creation ops check their output
   * against it first (`checkAllocation`), so a huge size is a message naming
   * the op and the size rather than the device's own failure.
   */
  readonly maxStorageBytes?: number;

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
   * Log-softmax's gradient from its output along the last axis:
   * `grad - exp(output) * sum(grad, axis)`, for `grad` and `output` of one
   * shape and floating dtype. Returns null, having allocated nothing, for
   * layouts or dtypes it does not take; the gradient then lowers to `exp`,
   * `sum`, `mul` and `sub`.
   */
  logSoftmaxBackward?(grad: View, output: View): StorageHandle | null;
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

  /*
   * Sliding-window kernels (convolution, pooling, im2col) over NCHW images.
   * Each returns null, having allocated nothing, for dtypes or arguments it
   * does not take; the op then lowers to primitives (strided views, `assign`,
   * `matmul`, `reduce`, `scatterAdd`), so a backend needs none of them to pass
   * the conformance suite. Inputs may have any strides.
   */

  /**
   * `torch.nn.functional.unfold` (im2col): `x` `[N, C, H, W]` becomes
   * `[N, C*kh*kw, L]` with `L = outH*outW` (see {@link windowOutputSize}),
   * row `c*kh*kw + i*kw + j` holding `x[n, c, oh*sh - ph + i*dh, ow*sw - pw + j*dw]`,
   * 0 where that falls in the padding.
   */
  im2col?(x: View, window: Window2d): StorageHandle | null;
  /**
   * `torch.nn.functional.fold` (col2im), the adjoint of `im2col`: `cols`
   * `[N, C*kh*kw, L]` is summed back into a zero `[N, C, H, W]` image of the
   * given `size`; entries that land in the padding are dropped.
   */
  col2im?(cols: View, size: readonly [number, number], window: Window2d): StorageHandle | null;
  /**
   * `torch.nn.functional.conv2d`: `x` `[N, Cin, H, W]`, `weight`
   * `[Cout, Cin/groups, kh, kw]`, `bias` `[Cout]` or null; the result is
   * `[N, Cout, outH, outW]`. `window.kernel` equals the weight's `[kh, kw]`.
   */
  conv2d?(x: View, weight: View, bias: View | null, window: Window2d, groups: number): StorageHandle | null;
  /**
   * The gradient of `conv2d` with respect to its input (also the forward of
   * `convTranspose2d` without bias): `grad` `[N, Cout, outH, outW]`, `weight`
   * `[Cout, Cin/groups, kh, kw]`; the result is `[N, Cin, H, W]` for the
   * given input `size`.
   */
  conv2dInputGrad?(grad: View, weight: View, size: readonly [number, number], window: Window2d, groups: number): StorageHandle | null;
  /**
   * The gradient of `conv2d` with respect to its weight: `x` `[N, Cin, H, W]`,
   * `grad` `[N, Cout, outH, outW]`; the result is `[Cout, Cin/groups, kh, kw]`
   * (summed over the batch).
   */
  conv2dWeightGrad?(x: View, grad: View, window: Window2d, groups: number): StorageHandle | null;
  /**
   * `torch.nn.functional.max_pool2d` with indices: the maximum of each window
   * (padding counts as -inf, NaN wins) and, as int32, the flat index `h*W + w`
   * of the first maximum in its input plane. (PyTorch's CPU kernel names the
   * last NaN of a window holding several; the value is the same, only which
   * NaN input receives the gradient differs.) Output size follows
   * {@link windowOutputSize} with `ceilMode`.
   */
  maxPool2d?(x: View, window: Window2d, ceilMode: boolean): [values: StorageHandle, indices: StorageHandle] | null;
  /**
   * `torch.nn.functional.avg_pool2d`: each window's sum divided by
   * `divisor` when given, else by its size counting padding
   * (`countIncludePad`) or not; windows that `ceilMode` adds are clipped
   * to the padded image first, as PyTorch does.
   */
  avgPool2d?(x: View, window: Window2d, ceilMode: boolean, countIncludePad: boolean, divisor: number | null): StorageHandle | null;
  /**
   * Per-channel statistics of `x` `[N, C, ...]` over every dim but 1, for
   * batch norm: the mean and the biased variance, each `[C]` in x's dtype.
   */
  channelMoments?(x: View): [mean: StorageHandle, variance: StorageHandle] | null;
  /**
   * `(x - mean[c]) * invStd[c] * weight[c] + bias[c]` for `x` `[N, C, ...]`
   * and `[C]` vectors (weight/bias null: 1 and 0): batch norm's normalisation.
   */
  channelAffine?(x: View, mean: View, invStd: View, weight: View | null, bias: View | null): StorageHandle | null;
}

/**
 * The geometry of a 2-D sliding window over `[N, C, H, W]`, each pair
 * `[height, width]`. Padding is implicit (zeros for convolution, -inf for max
 * pooling): kernels never see a padded copy.
 */
export interface Window2d {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
}

/**
 * Output length of a sliding window along one dim, as PyTorch computes it:
 * `floor((size + 2*padding - dilation*(kernel-1) - 1) / stride) + 1`, or with
 * `ceilMode` the ceiling, minus one when the last window would start inside
 * the right padding only.
 */
export function windowOutputSize(
  size: number,
  kernel: number,
  stride: number,
  padding: number,
  dilation: number,
  ceilMode = false,
): number {
  const span = size + 2 * padding - dilation * (kernel - 1) - 1;
  if (!ceilMode) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  if ((out - 1) * stride >= size + padding) out--;
  return out;
}
