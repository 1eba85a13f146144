import { createWasmKernels, hasRelaxedSimd, hasSimd, type KernelIsa, type WasmKernels } from '../src/wasm/index.js';
import { enableNodeRelaxedSimd } from '../src/wasm/detect.js';

/** Every instruction set this runtime can run the kernels on, fastest first. */
export async function availableIsas(): Promise<KernelIsa[]> {
  const isas: KernelIsa[] = [];
  if (hasRelaxedSimd() || (await enableNodeRelaxedSimd())) isas.push('relaxed-simd');
  if (hasSimd()) isas.push('simd');
  return isas;
}

/** Single-threaded kernels of one implementation. */
export function kernelsFor(isa: KernelIsa): Promise<WasmKernels> {
  return createWasmKernels({ isa, numThreads: 1 });
}

/** Deterministic pseudo-random floats in [-1, 1). */
export function randomFloats(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

/** Copies `data` into a fresh block of `kernels`' memory; returns its pointer. */
export function upload(kernels: WasmKernels, data: Float32Array): number {
  const ptr = kernels.alloc(data.length * 4);
  kernels.f32View(ptr, data.length).set(data);
  return ptr;
}

/** A copy of `n` floats at `ptr`. */
export function download(kernels: WasmKernels, ptr: number, n: number): Float32Array {
  return kernels.f32View(ptr, n).slice();
}
