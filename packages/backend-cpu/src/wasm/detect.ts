// Feature probes: tiny modules that validate only where a feature exists.

/** `(func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)` */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);
/** `(func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)` */
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
]);

/** Whether this runtime validates WebAssembly SIMD (128-bit) modules. */
export function hasSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/** Whether this runtime validates relaxed-SIMD modules (f32x4.relaxed_madd). */
export function hasRelaxedSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
}

/** True under Node.js (where worker_threads and v8 flags exist). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/**
 * Node 20's V8 ships relaxed SIMD behind `--experimental-wasm-relaxed-simd`;
 * turning the flag on before compiling is enough. Returns whether relaxed SIMD
 * validates afterwards. A no-op outside Node.
 */
export async function enableNodeRelaxedSimd(): Promise<boolean> {
  if (hasRelaxedSimd()) return true;
  if (!isNode()) return false;
  try {
    const specifier = 'node:v8';
    const v8 = (await import(/* @vite-ignore */ specifier)) as { setFlagsFromString(flags: string): void };
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return hasRelaxedSimd();
}

/** Whether a shared WebAssembly.Memory can be made (Node, or a cross-origin-isolated page). */
export function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (!isNode() && g.crossOriginIsolated !== true) return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** Cores the runtime reports (os.availableParallelism in Node, hardwareConcurrency in browsers). */
export async function coreCount(): Promise<number> {
  if (isNode()) {
    try {
      const specifier = 'node:os';
      const os = (await import(/* @vite-ignore */ specifier)) as { availableParallelism?: () => number; cpus(): unknown[] };
      return os.availableParallelism?.() ?? os.cpus().length;
    } catch {
      return 1;
    }
  }
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}
