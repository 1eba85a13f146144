import type { CpuInfo } from '../worker/protocol.js';
import { count } from './format.js';

/**
 * "2 threads", or "1 thread" and why: threads need shared WebAssembly memory,
 * which browsers only allow on cross-origin isolated pages (COOP and COEP headers).
 */
export function cpuThreadsText(cpu: CpuInfo | undefined): string {
  if (!cpu) return 'threads not known yet';
  const threads = `${count(cpu.threads)} ${cpu.threads === 1 ? 'thread' : 'threads'}`;
  if (cpu.threadError) return `${threads} (the CPU backend's threads failed to start: ${cpu.threadError})`;
  if (cpu.threads > 1 || cpu.cores <= 1) return threads;
  if (!cpu.crossOriginIsolated) {
    return `${threads} (this site is served without the cross-origin isolation headers, COOP and COEP, that threads need)`;
  }
  if (cpu.isa === 'scalar') return `${threads} (no WebAssembly SIMD in this browser, so no threads)`;
  return threads;
}
