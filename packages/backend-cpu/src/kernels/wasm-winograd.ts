import type { StorageHandle, Window2d } from '@kindling/tensor/backend';
import type { WasmKernels } from '../wasm/kernels.js';
import { freeStorage, newStorage, ptrOf } from './storage.js';
import type { Operand } from './wasm-operand.js';
import { D, descriptor, heldBlock } from './window-desc.js';

/**
 * 3×3 stride-1 convolutions by Winograd's F(2×2, 3×3) on the WebAssembly
 * kernels (`assembly/winograd.ts`): 2.25× fewer multiply-adds than im2col,
 * for forward, input gradient (the same convolution of the padded gradient
 * with the flipped kernel) and weight gradient. `wasm-conv.ts` calls these
 * when {@link winogradApplies}; they return null when the memory is full.
 */

/** Below this many channels on either side the 16 products are too thin to beat im2col. */
const MIN_CHANNELS = 8;
/** Floats of V and M together per block of tile rows (512 KiB, to stay in L2 with the packed panels). */
const BLOCK_FLOATS = 1 << 17;
/** Below this many multiply-adds the work stays on the calling thread. */
const THREAD_MIN_MACS = 1 << 18;
/** The weight gradient sums the batch in this many fixed slices at most (results independent of threads). */
const WEIGHT_GRAD_PARTS = 16;

/** Whether a convolution takes the Winograd path: 3×3, stride 1, dilation 1, one group, enough channels both sides. */
export function winogradApplies(window: Window2d, groups: number, c: number, cout: number): boolean {
  const [kh, kw] = window.kernel;
  return (
    kh === 3 &&
    kw === 3 &&
    window.stride[0] === 1 &&
    window.stride[1] === 1 &&
    window.dilation[0] === 1 &&
    window.dilation[1] === 1 &&
    groups === 1 &&
    c >= MIN_CHANNELS &&
    cout >= MIN_CHANNELS
  );
}

/** A Winograd convolution of `c` input planes `[h, w]` into `o` output planes `[oh, ow]`, padded by `pad`. */
interface Plan {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly o: number;
  readonly oh: number;
  readonly ow: number;
  readonly pad: readonly [number, number];
}

const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

/**
 * Fills the descriptor's sizes, blocking and workspace layout (mirroring
 * `assembly/winograd.ts`: P [C][2TH+2][2TW4+2], Q [O][2TH][2TW4] for the
 * weight gradient, V [16][C][tb] and M [16][O][tb] with 4 floats of slack);
 * returns the workspace bytes per thread.
 */
function layout(slots: Int32Array, p: Plan, withGrad: boolean): number {
  const th = Math.ceil(p.oh / 2);
  const tw = Math.ceil(p.ow / 2);
  const tw4 = Math.ceil(tw / 4) * 4;
  let rows = Math.max(1, Math.floor(BLOCK_FLOATS / (16 * (p.c + p.o) * tw)));
  rows = Math.ceil(th / Math.ceil(th / rows));
  const tb = rows * tw;
  const pBytes = align(p.c * (2 * th + 2) * (2 * tw4 + 2) * 4);
  const qBytes = withGrad ? align(p.o * 2 * th * 2 * tw4 * 4) : 0;
  const vBytes = align((16 * p.c * tb + 4) * 4);
  const mBytes = align((16 * p.o * tb + 4) * 4);
  slots[D.N] = p.n;
  slots[D.C] = p.c;
  slots[D.H] = p.h;
  slots[D.W] = p.w;
  slots[D.COUT] = p.o;
  slots[D.PH] = p.pad[0];
  slots[D.PW] = p.pad[1];
  slots[D.OH] = p.oh;
  slots[D.OW] = p.ow;
  slots[D.TILE] = rows;
  slots[D.OFF_Q] = pBytes;
  slots[D.OFF_V] = pBytes + qBytes;
  slots[D.OFF_M] = pBytes + qBytes + vBytes;
  return pBytes + qBytes + vBytes + mBytes;
}

function writeImage(slots: Int32Array, x: Operand): void {
  slots[D.X] = x.ptr;
  [slots[D.XSN], slots[D.XSC], slots[D.XSH], slots[D.XSW]] = x.strides;
}

/** The per-thread workspaces (0: no room); `layout` must have filled the descriptor. */
function workspace(k: WasmKernels, bytes: number): number {
  return heldBlock(k, 'winograd-workspace', bytes * k.numThreads);
}

/** U = the transformed kernels of `weight` (contiguous [cout][cin][3][3]), flipped for the input gradient. */
function transformWeights(k: WasmKernels, weight: number, cout: number, cin: number, flip: boolean): number {
  const u = heldBlock(k, 'winograd-u', 16 * cout * cin * 4);
  if (u === 0) return 0;
  const { ptr, slots } = descriptor(k);
  slots[D.WEIGHT] = weight;
  slots[D.COUT] = cout;
  slots[D.C] = cin;
  slots[D.FLAGS] = flip ? 1 : 0;
  slots[D.Y] = u;
  k.runTask('winogradWeightsPart', ptr, 1, 1);
  return u;
}

/** Runs winogradForward of `plan` with kernels U into `out` (contiguous), bias optional. */
function forward(k: WasmKernels, plan: Plan, x: Operand, u: number, bias: number, out: number): boolean {
  let { slots } = descriptor(k);
  const bytes = layout(slots, plan, false);
  const ws = workspace(k, bytes);
  if (ws === 0) return false;
  const d = descriptor(k); // the workspace allocation may have moved the memory's buffer
  slots = d.slots;
  layout(slots, plan, false);
  writeImage(slots, x);
  slots[D.WEIGHT] = u;
  slots[D.BIAS] = bias;
  slots[D.Y] = out;
  slots[D.WS] = ws;
  slots[D.WS_BYTES] = bytes;
  const threads = plan.n * plan.o * plan.c * plan.oh * plan.ow * 9 >= THREAD_MIN_MACS ? k.numThreads : 1;
  const chunk = threads > 1 ? Math.ceil(plan.n / 0xffff) : plan.n;
  slots[D.CHUNK] = chunk;
  k.runTask('winogradForward', d.ptr, Math.ceil(plan.n / chunk), threads);
  return true;
}

/**
 * The output of `plan` (fresh, contiguous `[n, o, oh, ow]`) from image `x`
 * and `weight`: `[o][c][3][3]`, or with `flip` the forward kernel `[c][o][3][3]`
 * the input gradient convolves with, flipped and transposed. Null when memory is short.
 */
function convolve(k: WasmKernels, plan: Plan, x: Operand, weight: number, flip: boolean, bias: number): StorageHandle | null {
  const out = newStorage('float32', plan.n * plan.o * plan.oh * plan.ow, false, k);
  const [rows, cols] = flip ? [plan.c, plan.o] : [plan.o, plan.c];
  const u = out.ptr === 0 ? 0 : transformWeights(k, weight, rows, cols, flip);
  if (u === 0 || !forward(k, plan, x, u, bias, out.ptr)) {
    freeStorage(out);
    return null;
  }
  return out;
}

/** conv2d forward: x [N, C, H, W] (any strides), weight contiguous [O, C, 3, 3], bias contiguous or 0. */
export function winogradConv2d(
  k: WasmKernels,
  x: Operand,
  xShape: readonly number[],
  weight: number,
  cout: number,
  bias: number,
  padding: readonly [number, number],
  out: readonly [number, number],
): StorageHandle | null {
  const [n, c, h, w] = xShape;
  return convolve(k, { n, c, h, w, o: cout, oh: out[0], ow: out[1], pad: padding }, x, weight, false, bias);
}

/**
 * conv2d's input gradient as the Winograd convolution of grad (read through
 * its 4 strides) padded by 2 - padding with the flipped kernel; null when the
 * padding exceeds 2 (a negative pad) or memory is short.
 */
export function winogradInputGrad(
  k: WasmKernels,
  grad: Operand,
  gradShape: readonly number[],
  weight: number,
  cin: number,
  size: readonly [number, number],
  padding: readonly [number, number],
): StorageHandle | null {
  if (padding[0] > 2 || padding[1] > 2) return null;
  const [n, cout, oh, ow] = gradShape;
  const plan: Plan = { n, c: cout, h: oh, w: ow, o: cin, oh: size[0], ow: size[1], pad: [2 - padding[0], 2 - padding[1]] };
  return convolve(k, plan, grad, weight, true, 0);
}

/** conv2d's weight gradient: x (4 strides), grad read through (n, channel, position) strides. */
export function winogradWeightGrad(
  k: WasmKernels,
  x: Operand,
  xShape: readonly number[],
  grad: Operand,
  gradStrideL: number,
  cout: number,
  padding: readonly [number, number],
  out: readonly [number, number],
): StorageHandle | null {
  const [n, c, h, w] = xShape;
  const plan: Plan = { n, c, h, w, o: cout, oh: out[0], ow: out[1], pad: padding };
  const parts = Math.min(n, WEIGHT_GRAD_PARTS);
  const chunk = Math.ceil(n / parts);
  const used = Math.ceil(n / chunk);
  const size = 16 * cout * c;
  const bytes = layout(descriptor(k).slots, plan, true);
  const dw = newStorage('float32', cout * c * 9, false, k);
  const ws = workspace(k, bytes);
  const du = heldBlock(k, 'winograd-du', size * 4);
  const acc = used > 1 ? heldBlock(k, 'winograd-accumulators', used * size * 4) : du;
  if (dw.ptr === 0 || ws === 0 || du === 0 || acc === 0) {
    freeStorage(dw);
    return null;
  }
  const { ptr, slots } = descriptor(k);
  layout(slots, plan, true);
  writeImage(slots, x);
  slots[D.WEIGHT] = acc;
  slots[D.Y] = grad.ptr;
  slots[D.YSN] = grad.strides[0];
  slots[D.YSC] = grad.strides[1];
  slots[D.YSL] = gradStrideL;
  slots[D.WS] = ws;
  slots[D.WS_BYTES] = bytes;
  slots[D.CHUNK] = chunk;
  const threads = n * cout * c * out[0] * out[1] * 9 >= THREAD_MIN_MACS ? k.numThreads : 1;
  k.runTask('winogradWeightGrad', ptr, used, threads);
  if (used > 1) k.reduceCols('sum', acc, used, size, du);
  const back = descriptor(k);
  back.slots[D.WEIGHT] = du;
  back.slots[D.COUT] = cout;
  back.slots[D.C] = c;
  back.slots[D.Y] = ptrOf(dw);
  k.runTask('winogradWeightsBackPart', back.ptr, 1, 1);
  return dw;
}
