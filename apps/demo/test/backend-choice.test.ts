import { describe, expect, test } from 'vitest';
import { cpuThreadsText } from '../src/ui/cpu-threads-text.js';
import { isSoftwareAdapter, slowAdapterReason } from '../src/worker/slow-adapter.js';
import type { CpuInfo } from '../src/worker/protocol.js';

const gpu = { isFallbackAdapter: false, vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3060' };
/** What headless Chromium reports for SwiftShader (measured: isFallbackAdapter true, empty description). */
const swiftShader = { isFallbackAdapter: true, vendor: 'google', architecture: 'swiftshader', description: '' };
const probe = (webgpuMs: number, cpuMs: number) => ({ webgpuMs, cpuMs, what: 'a [256, 784] × [784, 256] matrix product' });

describe('when WebGPU is slower than the CPU backend', () => {
  test('a fallback adapter is slow without measuring, and the reason names it', () => {
    expect(isSoftwareAdapter(swiftShader)).toBe(true);
    expect(slowAdapterReason(swiftShader, null)).toBe(
      'the only WebGPU adapter is a software one (swiftshader): it runs on the CPU and is much slower than the CPU backend',
    );
  });

  test('software renderers are recognised by name where isFallbackAdapter is not set', () => {
    for (const description of ['SwiftShader Device (Subzero)', 'llvmpipe (LLVM 15.0.6, 256 bits)', 'Microsoft Basic Render Driver']) {
      expect(isSoftwareAdapter({ ...gpu, description })).toBe(true);
    }
    expect(isSoftwareAdapter(gpu)).toBe(false);
  });

  test('a hardware adapter is slow only when the probe measured it slower', () => {
    expect(slowAdapterReason(gpu, null)).toBeNull();
    expect(slowAdapterReason(gpu, probe(0.4, 6.2))).toBeNull();
    expect(slowAdapterReason(gpu, probe(12.5, 6.25))).toBe(
      'a quick test measured WebGPU slower than the CPU here (a [256, 784] × [784, 256] matrix product: 12.5 ms on WebGPU, 6.25 ms on the CPU)',
    );
  });
});

describe('the thread count shown', () => {
  const cpu: CpuInfo = { threads: 2, cores: 2, isa: 'relaxed-simd', status: 'ready', crossOriginIsolated: true };

  test('threads in use, and why there is only one', () => {
    expect(cpuThreadsText(cpu)).toBe('2 threads');
    expect(cpuThreadsText({ ...cpu, threads: 1, cores: 1 })).toBe('1 thread');
    expect(cpuThreadsText({ ...cpu, threads: 1, crossOriginIsolated: false })).toBe(
      '1 thread (this site is served without the cross-origin isolation headers, COOP and COEP, that threads need)',
    );
    expect(cpuThreadsText({ ...cpu, threads: 1, threadError: 'Worker failed' })).toBe(
      "1 thread (the CPU backend's threads failed to start: Worker failed)",
    );
    expect(cpuThreadsText(undefined)).toBe('threads not known yet');
  });
});
