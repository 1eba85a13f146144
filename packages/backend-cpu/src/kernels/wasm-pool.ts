import { type StorageHandle, type View, type Window2d, contiguousStrides, windowOutputSize } from '@kindling/tensor/backend';
import type { WasmKernels } from '../wasm/kernels.js';
import { freeStorage, newStorage, sizeOf } from './storage.js';
import { D, descriptor, writeWindow } from './window-desc.js';
import { operand, releaseOperands } from './wasm-operand.js';

/**
 * float32 pooling and batch norm's per-channel kernels on the WebAssembly
 * kernels (`assembly/pool.ts`, `assembly/channel.ts`), split over planes or
 * channels across threads when large. Each returns null for other dtypes,
 * empty tensors or layouts it does not take; the op then lowers to primitives.
 */

/** Below this many elements read, a pooling or channel kernel runs on the calling thread. */
const THREAD_MIN_ELEMENTS = 1 << 17;

/** Parts for `units` independent units (planes, channels) of `work` elements in all. */
function split(k: WasmKernels, units: number, work: number): { chunk: number; parts: number; threads: number } {
  const threads = work >= THREAD_MIN_ELEMENTS ? k.numThreads : 1;
  // Four parts per thread, so a thread that starts late takes fewer.
  const chunk = Math.max(1, Math.ceil(units / (threads * 4)), Math.ceil(units / 0xffff));
  return { chunk, parts: Math.ceil(units / chunk), threads };
}

/**
 * Frees the outputs when an operand or output could not be allocated (some
 * may be empty handles) and gives null, so the op lowers to primitives.
 */
function giveUp(...outputs: StorageHandle[]): null {
  for (const o of outputs) freeStorage(o);
  return null;
}

/** Output `[OH, OW]` of a pooling window over `x`'s last two dims. */
function pooledSize(x: View, window: Window2d, ceilMode: boolean): [number, number] {
  return [0, 1].map((d) =>
    windowOutputSize(x.shape[2 + d], window.kernel[d], window.stride[d], window.padding[d], window.dilation[d], ceilMode),
  ) as [number, number];
}

/** Fills the descriptor for pooling `x` (planes N·C) into `out`; returns the parts to run. */
function describePool(k: WasmKernels, x: View, xPtr: number, xStrides: readonly number[], window: Window2d, out: [number, number]) {
  const [n, c, h, w] = x.shape;
  const planes = n * c;
  const { ptr, slots } = descriptor(k);
  slots[D.N] = planes;
  slots[D.C] = c;
  slots[D.H] = h;
  slots[D.W] = w;
  writeWindow(slots, window, out);
  slots[D.X] = xPtr;
  slots[D.XSN] = xStrides[0];
  slots[D.XSC] = xStrides[1];
  slots[D.XSH] = xStrides[2];
  slots[D.XSW] = xStrides[3];
  const work = planes * out[0] * out[1] * window.kernel[0] * window.kernel[1];
  const parts = split(k, planes, work);
  slots[D.CHUNK] = parts.chunk;
  return { ptr, slots, ...parts };
}

export function wasmMaxPool2d(k: WasmKernels, x: View, window: Window2d, ceilMode: boolean): [StorageHandle, StorageHandle] | null {
  if (x.dtype !== 'float32' || x.shape.length !== 4) return null;
  const out = pooledSize(x, window, ceilMode);
  const count = x.shape[0] * x.shape[1] * out[0] * out[1];
  if (count <= 0 || out[0] <= 0 || out[1] <= 0) return null;
  const xo = operand(k, x);
  const values = newStorage('float32', count, false, k);
  const indices = newStorage('int32', count, false, k);
  try {
    if (!xo || values.ptr === 0 || indices.ptr === 0) return giveUp(values, indices);
    const d = describePool(k, x, xo.ptr, xo.strides, window, out);
    d.slots[D.Y] = values.ptr;
    d.slots[D.BIAS] = indices.ptr;
    k.runTask('maxPool2d', d.ptr, d.parts, d.threads);
    return [values, indices];
  } finally {
    releaseOperands(xo);
  }
}

export function wasmAvgPool2d(
  k: WasmKernels,
  x: View,
  window: Window2d,
  ceilMode: boolean,
  countIncludePad: boolean,
  divisor: number | null,
): StorageHandle | null {
  if (x.dtype !== 'float32' || x.shape.length !== 4 || window.dilation[0] !== 1 || window.dilation[1] !== 1) return null;
  if (divisor !== null && !(Number.isInteger(divisor) && divisor !== 0)) return null;
  const out = pooledSize(x, window, ceilMode);
  const count = x.shape[0] * x.shape[1] * out[0] * out[1];
  if (count <= 0 || out[0] <= 0 || out[1] <= 0) return null;
  const xo = operand(k, x);
  const values = newStorage('float32', count, false, k);
  try {
    if (!xo || values.ptr === 0) return giveUp(values);
    const d = describePool(k, x, xo.ptr, xo.strides, window, out);
    d.slots[D.Y] = values.ptr;
    d.slots[D.FLAGS] = countIncludePad ? 1 : 0;
    d.slots[D.DIVISOR] = divisor === null ? 0 : new Int32Array(new Float32Array([divisor]).buffer)[0];
    k.runTask('avgPool2d', d.ptr, d.parts, d.threads);
    return values;
  } finally {
    releaseOperands(xo);
  }
}

/**
 * `x` `[N, C, ...]` as the channel kernels take it (dims after 1 flattened
 * into S contiguous elements): in place when they are, else a dense copy.
 */
function channelOperand(k: WasmKernels, x: View) {
  const inner = x.shape.slice(2);
  const want = contiguousStrides(inner);
  const innerDense = inner.every((d, i) => d === 1 || x.strides[2 + i] === want[i]);
  return operand(k, x, !innerDense);
}

function describeChannels(k: WasmKernels, x: View, xPtr: number, xStrides: readonly number[]) {
  const [n, c] = x.shape;
  const s = sizeOf(x.shape.slice(2));
  const { ptr, slots } = descriptor(k);
  slots[D.N] = n;
  slots[D.C] = c;
  slots[D.H] = s;
  slots[D.X] = xPtr;
  slots[D.XSN] = xStrides[0];
  slots[D.XSC] = xStrides[1];
  const parts = split(k, c, n * c * s);
  slots[D.CHUNK] = parts.chunk;
  return { ptr, slots, ...parts };
}

export function wasmChannelMoments(k: WasmKernels, x: View): [StorageHandle, StorageHandle] | null {
  if (x.dtype !== 'float32' || x.shape.length < 2 || sizeOf(x.shape) === 0) return null;
  const xo = channelOperand(k, x);
  const mean = newStorage('float32', x.shape[1], false, k);
  const variance = newStorage('float32', x.shape[1], false, k);
  try {
    if (!xo || mean.ptr === 0 || variance.ptr === 0) return giveUp(mean, variance);
    const d = describeChannels(k, x, xo.ptr, xo.strides);
    d.slots[D.KH] = mean.ptr; // assembly/channel.ts reads the means at D_KH...
    d.slots[D.KW] = variance.ptr; // ...and writes the variances at D_KW
    k.runTask('channelMoments', d.ptr, d.parts, d.threads);
    return [mean, variance];
  } finally {
    releaseOperands(xo);
  }
}

export function wasmChannelAffine(
  k: WasmKernels,
  x: View,
  mean: View,
  invStd: View,
  weight: View | null,
  bias: View | null,
): StorageHandle | null {
  const vectors = [mean, invStd, weight, bias];
  if (x.dtype !== 'float32' || x.shape.length < 2 || sizeOf(x.shape) === 0 || vectors.some((v) => v && v.dtype !== 'float32')) return null;
  const xo = channelOperand(k, x);
  const [mo, so, wo, bo] = vectors.map((v) => (v ? operand(k, v, true) : null));
  const out = newStorage('float32', sizeOf(x.shape), false, k);
  try {
    if (!xo || !mo || !so || (weight && !wo) || (bias && !bo) || out.ptr === 0) return giveUp(out);
    const d = describeChannels(k, x, xo.ptr, xo.strides);
    d.slots[D.KH] = mo.ptr;
    d.slots[D.KW] = so.ptr;
    d.slots[D.WEIGHT] = wo ? wo.ptr : 0;
    d.slots[D.BIAS] = bo ? bo.ptr : 0;
    d.slots[D.Y] = out.ptr;
    k.runTask('channelAffine', d.ptr, d.parts, d.threads);
    return out;
  } finally {
    releaseOperands(xo, mo, so, wo, bo);
  }
}
