import { cpuKernelInfo, cpuReady } from '@kindling/backend-cpu';
import type { CpuInfo } from './protocol.js';

/** Starting the threads takes milliseconds; if they have not started by then, something is wrong and the page should say so. */
const THREAD_START_TIMEOUT_MS = 15_000;

/** Waits until the CPU backend's kernels and threads are up (or known not to be), bounded by `timeoutMs`. */
async function waitForKernels(timeoutMs: number): Promise<string | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`the CPU backend's threads did not start within ${timeoutMs / 1000} s`), timeoutMs);
  });
  try {
    return await Promise.race([cpuReady().then(() => undefined), timeout]);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The CPU backend's kernels and thread count in this worker. Threads need
 * shared WebAssembly memory, which browsers only allow on cross-origin
 * isolated pages (COOP + COEP headers); elsewhere the backend runs on one thread.
 */
export async function cpuInfo(timeoutMs = THREAD_START_TIMEOUT_MS): Promise<CpuInfo> {
  const threadError = await waitForKernels(timeoutMs);
  const kernels = cpuKernelInfo();
  return {
    threads: kernels.threads,
    cores: navigator.hardwareConcurrency ?? 1,
    isa: kernels.isa,
    status: kernels.status,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    ...(threadError ? { threadError } : {}),
  };
}
