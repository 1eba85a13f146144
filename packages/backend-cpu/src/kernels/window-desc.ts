import type { Window2d } from '@kindling/tensor/backend';
import { D } from '../wasm/descriptor.js';
import type { WasmKernels } from '../wasm/kernels.js';

export { D };

/** Per kernels instance: the descriptor block and grow-only blocks (workspace, accumulators). */
interface Blocks {
  desc: number;
  held: Map<string, { ptr: number; bytes: number }>;
}
const blocks = new WeakMap<WasmKernels, Blocks>();

function blocksOf(k: WasmKernels): Blocks {
  let b = blocks.get(k);
  if (!b) {
    b = { desc: k.allocZeroed(D.LENGTH * 4), held: new Map() };
    blocks.set(k, b);
  }
  return b;
}

/**
 * A fresh (zeroed) descriptor in `k`'s memory: its address and an Int32Array
 * to fill. One per kernels instance, reused: tasks run synchronously, so only
 * one is in flight. Take it after every allocation of the call (growing the
 * memory detaches unshared views).
 */
export function descriptor(k: WasmKernels): { ptr: number; slots: Int32Array } {
  const ptr = blocksOf(k).desc;
  const slots = new Int32Array(k.memory.buffer, ptr, D.LENGTH);
  slots.fill(0);
  return { ptr, slots };
}

/**
 * A grow-only block named `name` of at least `bytes` bytes (training reuses
 * the same sizes every step, so this allocates once), or 0 when the memory
 * cannot hold it. Contents unspecified.
 */
export function heldBlock(k: WasmKernels, name: string, bytes: number): number {
  const { held } = blocksOf(k);
  const have = held.get(name);
  if (have && have.bytes >= bytes) return have.ptr;
  if (have) k.free(have.ptr);
  held.delete(name);
  try {
    const ptr = k.alloc(Math.max(64, bytes));
    held.set(name, { ptr, bytes });
    return ptr;
  } catch {
    return 0;
  }
}

/** Writes a window's geometry (kernel, stride, padding, dilation) and the output size into the descriptor. */
export function writeWindow(slots: Int32Array, window: Window2d, out: readonly [number, number]): void {
  slots[D.KH] = window.kernel[0];
  slots[D.KW] = window.kernel[1];
  slots[D.SH] = window.stride[0];
  slots[D.SW] = window.stride[1];
  slots[D.PH] = window.padding[0];
  slots[D.PW] = window.padding[1];
  slots[D.DH] = window.dilation[0];
  slots[D.DW] = window.dilation[1];
  slots[D.OH] = out[0];
  slots[D.OW] = out[1];
}
