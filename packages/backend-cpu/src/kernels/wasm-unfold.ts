import { type StorageHandle, type View, type Window2d, windowOutputSize } from '@kindling/tensor/backend';
import type { WasmKernels } from '../wasm/kernels.js';
import { freeStorage, newStorage } from './storage.js';
import { D, descriptor, writeWindow } from './window-desc.js';
import { operand, releaseOperands } from './wasm-operand.js';

/**
 * `unfold` (im2col) and `fold` (col2im) of float32 images on the WebAssembly
 * kernels (`assembly/window.ts`'s tile loops), one part per sample; null for
 * other dtypes and empty tensors (the op then lowers to primitives).
 */

/** Below this many elements written, unfold/fold run on the calling thread. */
const THREAD_MIN_ELEMENTS = 1 << 17;

function outputSize(size: readonly [number, number], window: Window2d): [number, number] {
  return [0, 1].map((d) => windowOutputSize(size[d], window.kernel[d], window.stride[d], window.padding[d], window.dilation[d])) as [
    number,
    number,
  ];
}

/** Fills the sizes, window and batch split shared by unfold and fold; returns the parts and threads to run. */
function describe(
  slots: Int32Array,
  k: WasmKernels,
  n: number,
  c: number,
  size: readonly [number, number],
  window: Window2d,
  out: [number, number],
) {
  slots[D.N] = n;
  slots[D.C] = c;
  slots[D.H] = size[0];
  slots[D.W] = size[1];
  writeWindow(slots, window, out);
  const work = n * c * window.kernel[0] * window.kernel[1] * out[0] * out[1];
  const threads = work >= THREAD_MIN_ELEMENTS ? k.numThreads : 1;
  const chunk = threads > 1 ? Math.ceil(n / 0xffff) : n;
  slots[D.CHUNK] = chunk;
  return { parts: Math.ceil(n / chunk), threads };
}

export function wasmIm2col(k: WasmKernels, x: View, window: Window2d): StorageHandle | null {
  if (x.dtype !== 'float32' || x.shape.length !== 4) return null;
  const [n, c, h, w] = x.shape;
  const out = outputSize([h, w], window);
  const rows = c * window.kernel[0] * window.kernel[1];
  const count = n * rows * out[0] * out[1];
  if (count <= 0 || out[0] <= 0 || out[1] <= 0) return null;
  const xo = operand(k, x);
  const cols = newStorage('float32', count, false, k);
  try {
    if (!xo || cols.ptr === 0) {
      freeStorage(cols);
      return null;
    }
    const { ptr, slots } = descriptor(k);
    const { parts, threads } = describe(slots, k, n, c, [h, w], window, out);
    slots[D.X] = xo.ptr;
    [slots[D.XSN], slots[D.XSC], slots[D.XSH], slots[D.XSW]] = xo.strides;
    slots[D.Y] = cols.ptr;
    k.runTask('unfoldPart', ptr, parts, threads);
    return cols;
  } finally {
    releaseOperands(xo);
  }
}

export function wasmCol2im(k: WasmKernels, cols: View, size: readonly [number, number], window: Window2d): StorageHandle | null {
  if (cols.dtype !== 'float32' || cols.shape.length !== 3) return null;
  const [n, rows, L] = cols.shape;
  const taps = window.kernel[0] * window.kernel[1];
  const out = outputSize(size, window);
  const c = rows / taps;
  const count = n * c * size[0] * size[1];
  if (!Number.isInteger(c) || out[0] * out[1] !== L || count <= 0) return null;
  const co = operand(k, cols);
  const x = newStorage('float32', count, false, k);
  try {
    if (!co || x.ptr === 0) {
      freeStorage(x);
      return null;
    }
    const { ptr, slots } = descriptor(k);
    const { parts, threads } = describe(slots, k, n, c, size, window, out);
    const hw = size[0] * size[1];
    slots[D.X] = x.ptr;
    [slots[D.XSN], slots[D.XSC], slots[D.XSH], slots[D.XSW]] = [c * hw, hw, size[1], 1];
    slots[D.Y] = co.ptr;
    [slots[D.YSN], slots[D.YSC], slots[D.YSL]] = co.strides;
    k.runTask('foldPart', ptr, parts, threads);
    return x;
  } finally {
    releaseOperands(co);
  }
}
