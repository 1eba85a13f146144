import { type DType, isDType } from '../dtype.js';
import { dispatch } from '../dispatch.js';
import { DeviceError } from '../errors.js';
import { getBackend } from '../registry.js';
import type { Tensor } from '../tensor.js';
import { backendOf, checkBackendDType, fromHandle } from './util.js';

/** A contiguous copy of `x` converted to `dtype` (`x` itself if it already has it). */
export function cast(x: Tensor, dtype: DType): Tensor {
  x.assertAlive('cast');
  if (x.dtype === dtype) return x;
  const b = backendOf(x);
  checkBackendDType('cast', b, dtype);
  return dispatch('cast', [x], { dtype }, () => fromHandle(b, b.cast(x.view_(), dtype), dtype, x.shape));
}

/** A contiguous copy of `x` with its own storage. */
export function clone(x: Tensor): Tensor {
  x.assertAlive('clone');
  const b = backendOf(x);
  return dispatch('clone', [x], {}, () => fromHandle(b, b.cast(x.view_(), x.dtype), x.dtype, x.shape));
}

/** `x` if its layout is row-major, else a contiguous copy. */
export function contiguous(x: Tensor): Tensor {
  return x.isContiguous() ? x : clone(x);
}

type Target = DType | string | { dtype?: DType; device?: string };

function parseTarget(x: Tensor, target: Target): { dtype: DType; device: string } {
  if (typeof target === 'string') return isDType(target) ? { dtype: target, device: x.device } : { dtype: x.dtype, device: target };
  return { dtype: target.dtype ?? x.dtype, device: target.device ?? x.device };
}

/** Moves `x` to another device. The source must be readable synchronously (see `toAsync`). */
function toDevice(x: Tensor, device: string): Tensor {
  const src = backendOf(x);
  const dst = getBackend(device, 'to');
  checkBackendDType('to', dst, x.dtype);
  if (!src.readSync) {
    throw new DeviceError(
      `to: the ${src.name} backend is read asynchronously; use 'await tensor.toAsync('${device}')' to move data off it`,
    );
  }
  const readSync = src.readSync.bind(src);
  return dispatch('toDevice', [x], { device, from: x.device }, () =>
    fromHandle(dst, dst.upload(x.dtype, readSync(x.view_())), x.dtype, x.shape),
  );
}

/** Converts dtype and/or moves device; returns `x` itself when nothing changes. */
export function to(x: Tensor, target: Target): Tensor {
  x.assertAlive('to');
  const { dtype, device } = parseTarget(x, target);
  const moved = device === x.device ? x : toDevice(x, device);
  return cast(moved, dtype);
}

/** `to`, for any source device (waits for the data when the source is asynchronous). */
export async function toAsync(x: Tensor, target: Target): Promise<Tensor> {
  x.assertAlive('toAsync');
  const { dtype, device } = parseTarget(x, target);
  if (device === x.device || backendOf(x).readSync) return to(x, { dtype, device });
  const dst = getBackend(device, 'toAsync');
  checkBackendDType('toAsync', dst, x.dtype);
  const data = await x.read();
  const moved = dispatch('toDevice', [x], { device, from: x.device }, () => fromHandle(dst, dst.upload(x.dtype, data), x.dtype, x.shape));
  return cast(moved, dtype);
}
