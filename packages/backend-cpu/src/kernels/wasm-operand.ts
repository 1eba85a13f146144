import { type View, contiguousStrides } from '@kindling/tensor/backend';
import type { WasmKernels } from '../wasm/kernels.js';
import { type CpuStorage, freeStorage, gatherDense, isDense, newStorage, ptrIn, sizeOf } from './storage.js';

/**
 * A float32 operand where a WebAssembly task can read it: the byte address of
 * its first element and its strides (elements). A view in the kernels' memory
 * with no negative strides is read in place; anything else (a layout the task
 * does not take, another kernels instance's storage) is copied densely into a
 * temporary block, released by {@link releaseOperands}.
 */
export interface Operand {
  readonly ptr: number;
  readonly strides: readonly number[];
  readonly temp: CpuStorage | null;
}

/**
 * `v` as a task operand: in place when it lives in `k`'s memory without
 * negative strides (and is dense, when `dense`), else a dense copy; null when
 * `k`'s memory cannot hold the copy.
 */
export function operand(k: WasmKernels, v: View, dense = false): Operand | null {
  const base = ptrIn(v.handle, k);
  if (base !== 0 && v.strides.every((s) => s >= 0) && (!dense || isDense(v))) {
    return { ptr: base + 4 * v.offset, strides: v.strides, temp: null };
  }
  const copy = newStorage('float32', sizeOf(v.shape), false, k);
  if (copy.ptr === 0) return null;
  copy.data.set(gatherDense(v));
  return { ptr: copy.ptr, strides: contiguousStrides(v.shape), temp: copy };
}

/** Frees the temporary copies among `operands`. */
export function releaseOperands(...operands: (Operand | null)[]): void {
  for (const o of operands) if (o?.temp) freeStorage(o.temp);
}

/**
 * The stride of the flattened positions `l = oh*OW + ow` of a `[N, C, OH, OW]`
 * view's last two dims (`strides`), or null when they do not flatten.
 */
export function positionStride(shape: readonly number[], strides: readonly number[]): number | null {
  const [oh, ow] = [shape[2], shape[3]];
  if (ow === 1) return strides[2];
  if (oh === 1 || strides[2] === ow * strides[3]) return strides[3];
  return null;
}
