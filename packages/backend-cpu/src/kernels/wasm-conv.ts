import { type StorageHandle, type View, type Window2d, windowOutputSize } from '@kindling/tensor/backend';
import type { WasmKernels } from '../wasm/kernels.js';
import { freeStorage, newStorage, ptrOf } from './storage.js';
import { D, descriptor, heldBlock, writeWindow } from './window-desc.js';
import { type Operand, operand, positionStride, releaseOperands } from './wasm-operand.js';
import { winogradApplies, winogradConv2d, winogradInputGrad, winogradWeightGrad } from './wasm-winograd.js';

/**
 * float32 convolution on the WebAssembly kernels (`assembly/conv.ts`): per
 * sample, im2col of a tile of output positions into a per-thread workspace
 * and the matmul's packed GEMM, with the bias added in its epilogue; samples
 * are split across threads. Every function returns null, having allocated
 * nothing that outlives it, for other dtypes, empty tensors, or when the
 * kernels' memory is full; the op then lowers to primitives.
 */

/** Below this many multiply-adds a convolution runs on the calling thread. */
const THREAD_MIN_MACS = 1 << 18;
/** Floats of one thread's im2col tile: 512 KiB, half of one core's L2 on the dev machine, next to the packed panels. */
const TILE_FLOATS = 1 << 17;
/**
 * The weight gradient sums the batch in this many fixed slices (fewer for
 * smaller batches), each into its own accumulator, then adds them in order:
 * the result is the same on any number of threads.
 */
const WEIGHT_GRAD_PARTS = 16;

/** Output positions per im2col tile: all of them when the tile fits TILE_FLOATS, else equal multiples of 8. */
function tileWidth(kg: number, L: number): number {
  const tiles = Math.ceil((kg * L) / TILE_FLOATS);
  return tiles <= 1 ? L : Math.min(L, Math.ceil(L / tiles / 8) * 8);
}

/** The shared geometry of the three convolution kernels. */
interface ConvShape {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly cout: number;
  readonly kg: number;
  readonly out: readonly [number, number];
}

function convShape(xShape: readonly number[], weight: View, out: readonly [number, number]): ConvShape {
  const [cout, cg, kh, kw] = weight.shape;
  return { n: xShape[0], c: xShape[1], h: xShape[2], w: xShape[3], cout, kg: cg * kh * kw, out };
}

/** Fills the descriptor's sizes, window, workspace and batch split; returns how many parts and threads to run. */
function describe(
  k: WasmKernels,
  slots: Int32Array,
  s: ConvShape,
  window: Window2d,
  groups: number,
  workspace: number,
  tile: number,
): { parts: number; threads: number } {
  const L = s.out[0] * s.out[1];
  slots[D.N] = s.n;
  slots[D.C] = s.c;
  slots[D.H] = s.h;
  slots[D.W] = s.w;
  slots[D.COUT] = s.cout;
  slots[D.GROUPS] = groups;
  writeWindow(slots, window, s.out);
  slots[D.WS] = workspace;
  slots[D.WS_BYTES] = workspaceBytes(s.kg, tile);
  slots[D.TILE] = tile;
  const macs = s.n * s.cout * s.kg * L;
  const threads = macs >= THREAD_MIN_MACS ? k.numThreads : 1;
  // One part per sample (at most 65535) when threaded; one part for everything otherwise.
  const chunk = threads > 1 ? Math.ceil(s.n / 0xffff) : s.n;
  slots[D.CHUNK] = chunk;
  return { parts: Math.ceil(s.n / chunk), threads };
}

function writeImage(slots: Int32Array, x: Operand): void {
  slots[D.X] = x.ptr;
  slots[D.XSN] = x.strides[0];
  slots[D.XSC] = x.strides[1];
  slots[D.XSH] = x.strides[2];
  slots[D.XSW] = x.strides[3];
}

/** Bytes of one thread's workspace: an im2col tile of `kg` rows, cache-line aligned. */
function workspaceBytes(kg: number, tile: number): number {
  return Math.ceil((tile * kg * 4) / 64) * 64;
}

/** The workspaces of all threads, contiguous (0: no room). */
function workspaceFor(k: WasmKernels, kg: number, tile: number): number {
  return heldBlock(k, 'conv-workspace', workspaceBytes(kg, tile) * k.numThreads);
}

/** A `[N, C, OH, OW]` side read through flattened positions: the view in place, or a dense copy. */
function positions(k: WasmKernels, v: View): { op: Operand; strideL: number } | null {
  const inPlace = positionStride(v.shape, v.strides);
  const op = operand(k, v, inPlace === null);
  if (!op) return null;
  return { op, strideL: inPlace !== null && op.temp === null ? inPlace : 1 };
}

export function wasmConv2d(
  k: WasmKernels,
  x: View,
  weight: View,
  bias: View | null,
  window: Window2d,
  groups: number,
): StorageHandle | null {
  if (x.dtype !== 'float32' || weight.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) return null;
  const out: [number, number] = [0, 1].map((d) =>
    windowOutputSize(x.shape[2 + d], window.kernel[d], window.stride[d], window.padding[d], window.dilation[d]),
  ) as [number, number];
  const s = convShape(x.shape, weight, out);
  const L = out[0] * out[1];
  if (s.n * s.cout * L === 0 || s.kg === 0) return null;
  const xo = operand(k, x);
  const wo = operand(k, weight, true);
  const bo = bias ? operand(k, bias, true) : null;
  try {
    if (!xo || !wo || (bias && !bo)) return null;
    if (winogradApplies(window, groups, s.c, s.cout)) {
      const y = winogradConv2d(k, xo, x.shape, wo.ptr, s.cout, bo ? bo.ptr : 0, window.padding, out);
      if (y) return y;
    }
    const tile = tileWidth(s.kg, L);
    const ws = workspaceFor(k, s.kg, tile);
    const y = newStorage('float32', s.n * s.cout * L, false, k);
    if (ws === 0 || y.ptr === 0) {
      freeStorage(y);
      return null;
    }
    const { ptr, slots } = descriptor(k);
    const { parts, threads } = describe(k, slots, s, window, groups, ws, tile);
    writeImage(slots, xo);
    slots[D.WEIGHT] = wo.ptr;
    slots[D.BIAS] = bo ? bo.ptr : 0;
    slots[D.Y] = y.ptr;
    slots[D.YSN] = s.cout * L;
    slots[D.YSC] = L;
    slots[D.YSL] = 1;
    k.runTask('conv2dForward', ptr, parts, threads);
    return y;
  } finally {
    releaseOperands(xo, wo, bo);
  }
}

export function wasmConv2dInputGrad(
  k: WasmKernels,
  grad: View,
  weight: View,
  size: readonly [number, number],
  window: Window2d,
  groups: number,
): StorageHandle | null {
  if (grad.dtype !== 'float32' || weight.dtype !== 'float32') return null;
  const [n, cout, oh, ow] = grad.shape;
  const c = weight.shape[1] * groups;
  const s = convShape([n, c, size[0], size[1]], weight, [oh, ow]);
  const L = oh * ow;
  if (n * c * size[0] * size[1] === 0 || cout * L === 0) return null;
  const wo = operand(k, weight, true);
  if (!wo) return null;
  try {
    if (winogradApplies(window, groups, c, cout)) {
      // Winograd reads the gradient through all four strides.
      const go = operand(k, grad);
      const dx = go ? winogradInputGrad(k, go, grad.shape, wo.ptr, c, size, window.padding) : null;
      releaseOperands(go);
      if (dx) return dx;
    }
    return im2colInputGrad(k, grad, wo, s, size, window, groups);
  } finally {
    releaseOperands(wo);
  }
}

/** The input gradient as Wᵀ·grad per sample, then col2im. */
function im2colInputGrad(
  k: WasmKernels,
  grad: View,
  wo: Operand,
  s: ConvShape,
  size: readonly [number, number],
  window: Window2d,
  groups: number,
): StorageHandle | null {
  const L = s.out[0] * s.out[1];
  const tile = tileWidth(s.kg, L);
  const ws = workspaceFor(k, s.kg, tile);
  const go = positions(k, grad);
  const dx = newStorage('float32', s.n * s.c * size[0] * size[1], false, k);
  try {
    if (ws === 0 || !go || dx.ptr === 0) {
      freeStorage(dx);
      return null;
    }
    const { ptr, slots } = descriptor(k);
    const { parts, threads } = describe(k, slots, s, window, groups, ws, tile);
    const hw = size[0] * size[1];
    writeImage(slots, { ptr: dx.ptr, strides: [s.c * hw, hw, size[1], 1], temp: null });
    slots[D.WEIGHT] = wo.ptr;
    slots[D.Y] = go.op.ptr;
    slots[D.YSN] = go.op.strides[0];
    slots[D.YSC] = go.op.strides[1];
    slots[D.YSL] = go.strideL;
    k.runTask('conv2dInputGrad', ptr, parts, threads);
    return dx;
  } finally {
    releaseOperands(go?.op ?? null);
  }
}

export function wasmConv2dWeightGrad(k: WasmKernels, x: View, grad: View, window: Window2d, groups: number): StorageHandle | null {
  if (x.dtype !== 'float32' || grad.dtype !== 'float32') return null;
  const [n, c, h, w] = x.shape;
  const [, cout, oh, ow] = grad.shape;
  const [kh, kw] = window.kernel;
  const cg = c / groups;
  const kg = cg * kh * kw;
  const s: ConvShape = { n, c, h, w, cout, kg, out: [oh, ow] };
  const L = oh * ow;
  const size = cout * kg;
  if (size === 0) return null;
  if (n * L > 0 && winogradApplies(window, groups, c, cout)) {
    const xo = operand(k, x);
    const go = positions(k, grad);
    const dwWinograd = xo && go ? winogradWeightGrad(k, xo, x.shape, go.op, go.strideL, cout, window.padding, [oh, ow]) : null;
    releaseOperands(xo, go?.op ?? null);
    if (dwWinograd) return dwWinograd;
  }
  const dw = newStorage('float32', size, n * L === 0, k);
  if (dw.ptr === 0) return null;
  if (n * L === 0) return dw; // nothing to sum: a zero gradient
  const parts = Math.min(n, WEIGHT_GRAD_PARTS);
  const chunk = Math.ceil(n / parts);
  const used = Math.ceil(n / chunk);
  const tile = tileWidth(kg, L);
  const ws = workspaceFor(k, kg, tile);
  const acc = used > 1 ? heldBlock(k, 'conv-accumulators', used * size * 4) : ptrOf(dw);
  const xo = operand(k, x);
  const go = positions(k, grad);
  try {
    if (ws === 0 || acc === 0 || !xo || !go) {
      freeStorage(dw);
      return null;
    }
    const { ptr, slots } = descriptor(k);
    const { threads } = describe(k, slots, s, window, groups, ws, tile);
    slots[D.CHUNK] = chunk;
    writeImage(slots, xo);
    slots[D.WEIGHT] = acc;
    slots[D.Y] = go.op.ptr;
    slots[D.YSN] = go.op.strides[0];
    slots[D.YSC] = go.op.strides[1];
    slots[D.YSL] = go.strideL;
    k.runTask('conv2dWeightGrad', ptr, used, threads);
    if (used > 1) k.reduceCols('sum', acc, used, size, ptrOf(dw));
    return dw;
  } finally {
    releaseOperands(xo, go?.op ?? null);
  }
}
