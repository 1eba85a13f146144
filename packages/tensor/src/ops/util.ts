import type { Backend, StorageHandle, View } from '../backend.js';
import { type DType, allocArray, checkDType, isFloating, promoteTypes, promoteWithScalar } from '../dtype.js';
import { DeviceError, DTypeError } from '../errors.js';
import { getBackend } from '../registry.js';
import { type Shape, contiguousStrides, numel } from '../shape.js';
import { Storage } from '../storage.js';
import { Tensor, type TensorLike } from '../tensor.js';

/** The backend a tensor lives on. */
export function backendOf(t: Tensor): Backend {
  return t.storage.backend;
}

/** Wraps a fresh contiguous storage a kernel returned. */
export function fromHandle(backend: Backend, handle: StorageHandle, dtype: DType, shape: Shape): Tensor {
  const storage = new Storage(backend, handle, dtype, numel(shape));
  // Frozen here, the fresh strides are kept by the Tensor as they are instead of copied.
  return new Tensor(storage, shape, Object.freeze(contiguousStrides(shape)), 0);
}

/** Throws unless all tensors live on one device. */
export function checkSameDevice(op: string, tensors: readonly Tensor[]): Backend {
  const first = tensors[0];
  for (const t of tensors) {
    t.assertAlive(op);
    if (t.device !== first.device) {
      throw new DeviceError(`${op}: expected all tensors to be on the same device, but found tensors on ${first.device} and ${t.device}`);
    }
  }
  return backendOf(first);
}

/** Throws unless `backend` can hold `dtype`. */
export function checkBackendDType(op: string, backend: Backend, dtype: DType): void {
  if (!backend.dtypes.includes(dtype)) {
    throw new DTypeError(`${op}: the ${backend.name} backend does not support dtype ${dtype} (supported: ${backend.dtypes.join(', ')})`);
  }
}

/** A one-element contiguous tensor holding `value`. */
export function scalarTensor(value: number | boolean, dtype: DType, device: string): Tensor {
  const backend = getBackend(device, 'scalar');
  checkBackendDType('scalar', backend, dtype);
  const data = allocArray(dtype, 1);
  data[0] = typeof value === 'boolean' ? Number(value) : value;
  return fromHandle(backend, backend.upload(dtype, data), dtype, []);
}

/** Result dtype of a binary op on two operands, at least one a tensor. */
export function resultType(a: TensorLike, b: TensorLike): DType {
  if (a instanceof Tensor && b instanceof Tensor) {
    // A 0-dim tensor does not widen a higher-rank tensor of the same category (PyTorch's rule).
    if (a.ndim === 0 && b.ndim > 0) return promoteDims(b.dtype, a.dtype);
    if (b.ndim === 0 && a.ndim > 0) return promoteDims(a.dtype, b.dtype);
    return promoteTypes(a.dtype, b.dtype);
  }
  if (a instanceof Tensor) return promoteWithScalar(a.dtype, b as number | boolean);
  if (b instanceof Tensor) return promoteWithScalar(b.dtype, a as number | boolean);
  throw new TypeError('resultType: at least one operand must be a tensor');
}

function promoteDims(dimmed: DType, zeroDim: DType): DType {
  const rank = (d: DType) => (d === 'bool' ? 0 : isFloating(d) ? 2 : 1);
  return rank(zeroDim) > rank(dimmed) ? zeroDim : dimmed;
}

/** Turns a number operand into a scalar tensor on `like`'s device (tensors pass through). */
export function asTensor(x: TensorLike, dtype: DType, device: string): Tensor {
  return x instanceof Tensor ? x : scalarTensor(x, dtype, device);
}

/** A view of `t` broadcast to `shape` (stride 0 along broadcast dims). `t.shape` must broadcast to it. */
export function broadcastView(t: Tensor, shape: Shape): View {
  const v = t.view_();
  const lead = shape.length - t.ndim;
  const strides = shape.map((d, i) => {
    const src = i - lead;
    if (src < 0) return 0;
    return t.shape[src] === 1 && d !== 1 ? 0 : t.strides[src];
  });
  return { ...v, shape, strides };
}

/** `t` converted to `dtype` (itself if it already is). The caller disposes the result if it differs. */
export function castTo(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const b = backendOf(t);
  checkBackendDType('cast', b, dtype);
  return fromHandle(b, b.cast(t.view_(), dtype), dtype, t.shape);
}

/** Disposes the temporaries a kernel call made (anything not in `keep`). */
export function disposeTemps(temps: readonly Tensor[], keep: readonly Tensor[]): void {
  for (const t of temps) if (!keep.includes(t)) t.dispose();
}

/** Options accepted by every creation function. */
export interface CreateOptions {
  dtype?: DType;
  device?: string;
  requiresGrad?: boolean;
}

export function checkCreateOptions(op: string, options: CreateOptions | undefined): void {
  if (options?.dtype !== undefined) checkDType(options.dtype, `${op}: dtype`);
}
