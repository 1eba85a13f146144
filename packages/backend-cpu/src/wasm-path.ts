// Which float32 matmul path the CPU backend uses: the WebAssembly kernels once
// they have loaded, the TypeScript kernels until then (or for good, where
// WebAssembly SIMD is missing or the path is switched off).
import { KindlingError } from '@kindling/tensor';
import { useKernelMemory } from './kernels/storage.js';
import { windowKernelsSettled } from './window-path.js';
import { createWasmKernels } from './wasm/create.js';
import type { KernelIsa, WasmKernels } from './wasm/kernels.js';

/** Where the CPU backend's fast path stands. */
export type CpuKernelStatus = 'loading' | 'ready' | 'unavailable' | 'disabled';

/** What {@link cpuKernelInfo} reports, for logging. */
export interface CpuKernelInfo {
  /** The instruction set float32 work runs on now; `scalar` means the TypeScript kernels. */
  readonly isa: KernelIsa | 'scalar';
  /** Threads a large matmul is split across (1 on the TypeScript path). */
  readonly threads: number;
  /** `loading` until the WebAssembly kernels are instantiated; `unavailable` when they could not load (see `reason`). */
  readonly status: CpuKernelStatus;
  /** Why the kernels are `unavailable`: no WebAssembly SIMD, no `DecompressionStream`, a chunk that failed to load... */
  readonly reason?: string;
}

/** Options of {@link configureCpuKernels}. */
export interface CpuKernelOptions {
  /** Use the WebAssembly kernels when they are available (default true; `KINDLING_CPU_WASM=0` sets false). */
  readonly wasm?: boolean;
  /**
   * Threads for large matmuls (default: the machine's cores; `KINDLING_CPU_THREADS`
   * in the environment overrides it). Products under about half a million
   * multiply-adds always run on the calling thread.
   */
  readonly threads?: number;
  /**
   * Smallest product, in multiply-adds (batch·M·K·N), sent to the WebAssembly
   * kernels; smaller ones stay on the TypeScript kernel, which wins below the
   * fixed cost of copying operands in and out. Default {@link DEFAULT_MIN_MACS};
   * tests set 1 to run every non-empty product on the fast path.
   */
  readonly minMacs?: number;
}

/**
 * Default of {@link CpuKernelOptions.minMacs}: about where the two paths took
 * equally long on the 2-core dev machine (see `src/wasm/README.md`).
 */
export const DEFAULT_MIN_MACS = 256;

let kernels: WasmKernels | null = null;
let loading: Promise<void> | null = null;
let failed = false;
/** Why loading failed, for cpuKernelInfo and the one warning. */
let failure: string | undefined;
let enabled = readEnvEnabled();
/** Requested threads; null means the machine's cores (or `KINDLING_CPU_THREADS`). */
let threads: number | null = readEnvThreads();
let minMacs = DEFAULT_MIN_MACS;

function readEnvThreads(): number | null {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const n = Number(env?.KINDLING_CPU_THREADS);
  return Number.isInteger(n) && n >= 1 ? n : null;
}

function readEnvEnabled(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.KINDLING_CPU_WASM?.toLowerCase();
  return !(value === '0' || value === 'false' || value === 'off');
}

/**
 * Starts loading the WebAssembly kernels unless the path is disabled; called
 * when the package is imported. Idempotent; never rejects (a failure leaves the
 * TypeScript kernels in place).
 */
export function startCpuKernels(): Promise<void> {
  if (!enabled) return Promise.resolve();
  loading ??= createWasmKernels(threads !== null ? { numThreads: threads } : {})
    .then(
      // Asked only now, after every static import has declared its ops: the window kernels the
      // program uses switch on with the rest, so results never depend on which loaded first.
      (k) => windowKernelsSettled().then(() => k),
    )
    .then(
      (k) => {
        kernels = k;
        // From now on tensors live in the kernels' memory, so kernels run on them in place.
        useKernelMemory(k);
        // configureCpuKernels may have asked for threads while the kernels were loading.
        if (threads !== null) k.setNumThreads(threads);
      },
      (error: unknown) => {
        // The TypeScript kernels do everything: correct, several times slower. Say so once, with why
        // (no WebAssembly SIMD, a bundle chunk that did not load...); configureCpuKernels({ wasm: true }) retries.
        failed = true;
        failure = error instanceof Error ? error.message : String(error);
        console.warn(
          `@kindling/backend-cpu: the WebAssembly kernels did not load (${failure}); the CPU backend runs slower TypeScript kernels`,
        );
      },
    );
  return loading;
}

/**
 * Resolves once the CPU backend's fast float32 kernels are usable, or known to be
 * unavailable (no WebAssembly SIMD, disabled, or failed to load: see
 * `cpuKernelInfo().reason`). Until then ops run on the TypeScript kernels or
 * lower to primitives, which give the same results up to float32 rounding.
 * The convolution, pooling and batch-norm kernels load when the program
 * contains those ops: after a dynamic `import()` of code that uses them (a
 * lazily loaded CNN), await this again before timing or before comparing
 * results bit for bit. Never rejects.
 *
 * ```ts
 * import { cpuKernelInfo, cpuReady } from '@kindling/backend-cpu';
 * await cpuReady();
 * console.log(cpuKernelInfo()); // { isa: 'relaxed-simd', threads: 2, status: 'ready' } on a 2-core machine
 * ```
 */
export async function cpuReady(): Promise<void> {
  await startCpuKernels();
  await kernels?.ready();
  // Ops imported after the kernels loaded (a dynamic import of a CNN) may have asked for more.
  await windowKernelsSettled();
}

/** Which implementation float32 matmuls run on right now, for logging. */
export function cpuKernelInfo(): CpuKernelInfo {
  const active = activeKernels();
  let status: CpuKernelStatus = 'ready';
  if (!enabled) status = 'disabled';
  else if (failed) status = 'unavailable';
  else if (!kernels) status = 'loading';
  const info: CpuKernelInfo = { isa: active?.isa ?? 'scalar', threads: active?.numThreads ?? 1, status };
  return status === 'unavailable' && failure !== undefined ? { ...info, reason: failure } : info;
}

/**
 * Switches the fast path on or off and sets its thread count, e.g. to compare
 * against the TypeScript kernels in a benchmark. Turning it on starts loading
 * the kernels if needed (await {@link cpuReady} afterwards). Threads beyond 1
 * start worker threads (which never keep the process alive); they only help
 * large matmuls on an otherwise idle machine.
 */
export function configureCpuKernels(options: CpuKernelOptions): void {
  if (options.threads !== undefined) useThreads('configureCpuKernels: threads', options.threads);
  if (options.minMacs !== undefined) {
    if (!(options.minMacs >= 1)) throw new KindlingError(`configureCpuKernels: minMacs must be at least 1, got ${options.minMacs}`);
    minMacs = options.minMacs;
  }
  if (options.wasm !== undefined) {
    enabled = options.wasm;
    if (enabled && failed) {
      // Asked again after a failure (a chunk that did not load, say): try once more.
      failed = false;
      failure = undefined;
      loading = null;
    }
    if (enabled) void startCpuKernels();
  }
}

/**
 * `torch.set_num_threads`: threads the CPU backend splits large products across
 * (default: the machine's cores, or `KINDLING_CPU_THREADS`). Same as
 * `configureCpuKernels({ threads: n })`.
 *
 * ```ts
 * import { getNumThreads, setNumThreads } from 'kindling';
 * setNumThreads(1); // e.g. several training processes on one machine
 * console.log(getNumThreads()); // 1
 * ```
 */
export function setNumThreads(n: number): void {
  useThreads('setNumThreads: n', n);
}

/** Checks a requested thread count (`what` names the argument in the error) and applies it. */
function useThreads(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new KindlingError(`${what} must be a positive integer, got ${n}`);
  threads = n;
  kernels?.setNumThreads(n);
}

/**
 * `torch.get_num_threads`: threads large CPU products run on now: the kernels'
 * count once they have loaded (clamped to what the runtime allows: 1 without
 * shared memory), the requested count before that, 1 on the TypeScript path.
 */
export function getNumThreads(): number {
  if (!enabled || failed) return 1;
  return kernels?.numThreads ?? threads ?? 1;
}

/** @internal The loaded SIMD kernels when the fast path is on, else null. */
export function activeKernels(): WasmKernels | null {
  return enabled ? kernels : null;
}

/** @internal The kernels to run a float32 product of `macs` multiply-adds on, or null for the TypeScript kernel. */
export function kernelsForMatmul(macs: number): WasmKernels | null {
  return macs >= minMacs ? activeKernels() : null;
}
