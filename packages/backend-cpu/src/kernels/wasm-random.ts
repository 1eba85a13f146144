import type { DType } from '@kindling/tensor';
import type { RandomKey, RandomKind, StorageHandle } from '@kindling/tensor/backend';
import type { WasmKernels } from '../wasm/kernels.js';
import { newStorage } from './storage.js';
import { D, descriptor } from './window-desc.js';

/**
 * The Philox stream on the WebAssembly kernels (`assembly/philox.ts`), four
 * counters per vector, split across threads when large: float32 uniforms and
 * int32 bits, bit-identical to `philoxFill` of `@kindling/tensor` (integer
 * arithmetic only). Normals (a logarithm and a cosine in double precision)
 * and other dtypes return null and stay on the TypeScript reference.
 */

/** Below this many draws the stream is drawn on the calling thread. */
const THREAD_MIN_DRAWS = 1 << 16;

export function wasmRandom(k: WasmKernels, kind: RandomKind, dtype: DType, size: number, key: RandomKey): StorageHandle | null {
  const uniform = kind === 'uniform' && dtype === 'float32';
  if (!(uniform || (kind === 'bits' && dtype === 'int32')) || size === 0) return null;
  const out = newStorage(dtype, size, false, k);
  if (out.ptr === 0) return null;
  const { ptr, slots } = descriptor(k);
  const threads = size >= THREAD_MIN_DRAWS ? k.numThreads : 1;
  const chunk = Math.max(Math.ceil(size / (threads * 2) / 4) * 4, Math.ceil(size / 0xffff / 4) * 4);
  slots[D.N] = size;
  slots[D.Y] = out.ptr;
  slots[D.FLAGS] = uniform ? 0 : 1;
  slots[D.H] = (key.offset % 2 ** 32) | 0;
  slots[D.W] = Math.floor(key.offset / 2 ** 32) | 0;
  slots[D.KH] = key.seed[0] | 0;
  slots[D.KW] = key.seed[1] | 0;
  slots[D.CHUNK] = chunk;
  k.runTask('philoxPart', ptr, Math.ceil(size / chunk), threads);
  return out;
}
