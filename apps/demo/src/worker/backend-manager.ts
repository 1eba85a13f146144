import '@kindling/backend-cpu';
import { initWebGPU } from '@kindling/backend-webgpu';
import { cpuInfo } from './cpu-threads.js';
import type { AdapterInfo, BackendChoice, BackendInfo, BackendRequest, CpuInfo } from './protocol.js';
import { isSoftwareAdapter, slowAdapterReason } from './slow-adapter.js';
import { probeSpeed } from './speed-probe.js';

/** Limits worth showing on the About page: they bound the largest tensor and the matmul tiles. */
const SHOWN_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
] as const;

function describeAdapter(adapter: GPUAdapter): AdapterInfo {
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const key of SHOWN_LIMITS) limits[key] = adapter.limits[key];
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    // Older Chrome (before 127) has the flag on the adapter itself rather than in adapter.info.
    isFallbackAdapter: info.isFallbackAdapter ?? (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    limits,
  };
}

/**
 * Chooses the device tensors go to. WebGPU is set up once, on first request;
 * when it cannot be had (no `navigator.gpu`, no adapter, device creation
 * failed) the worker falls back to the CPU and remembers why, so the page can
 * say so instead of failing. Asked for `auto` (nobody chose yet), it also
 * keeps to the CPU when the adapter is slower than the CPU backend: a software
 * adapter, or one a quick probe measures slower.
 */
export class BackendManager {
  private webgpu: { ok: true; adapter: AdapterInfo } | { ok: false; reason: string } | null = null;
  /** Why the adapter is slower than the CPU (null: it is not); undefined until known. */
  private slowReason: string | null | undefined;
  private cpu: CpuInfo | undefined;
  private current: BackendInfo = { requested: 'cpu', device: 'cpu', webgpuSupported: BackendManager.hasNavigatorGpu() };

  static hasNavigatorGpu(): boolean {
    return typeof navigator !== 'undefined' && 'gpu' in navigator && navigator.gpu !== undefined;
  }

  get device(): BackendChoice {
    return this.current.device;
  }

  get info(): BackendInfo {
    return this.current;
  }

  async select(requested: BackendRequest): Promise<BackendInfo> {
    const webgpuSupported = BackendManager.hasNavigatorGpu();
    this.cpu ??= await cpuInfo();
    const cpu = this.cpu;
    if (requested === 'cpu') {
      const adapter = this.webgpu?.ok ? this.webgpu.adapter : undefined;
      const slowAdapter = this.slowReason ?? undefined;
      this.current = {
        requested,
        device: 'cpu',
        webgpuSupported,
        cpu,
        ...(adapter ? { adapter } : {}),
        ...(slowAdapter ? { slowAdapter } : {}),
      };
      return this.current;
    }
    this.webgpu ??= await this.setUpWebGPU();
    if (!this.webgpu.ok) {
      this.current = { requested, device: 'cpu', webgpuSupported, cpu, fallbackReason: this.webgpu.reason };
      return this.current;
    }
    const adapter = this.webgpu.adapter;
    // An explicit choice of WebGPU is honoured without a probe; a software adapter is still named as slow.
    if (this.slowReason === undefined && (requested === 'auto' || isSoftwareAdapter(adapter))) {
      this.slowReason = await this.measureSlowness(adapter);
    }
    const slowAdapter = this.slowReason ?? undefined;
    const device = requested === 'auto' && slowAdapter ? 'cpu' : 'webgpu';
    this.current = { requested, device, webgpuSupported, cpu, adapter, ...(slowAdapter ? { slowAdapter } : {}) };
    return this.current;
  }

  private async measureSlowness(adapter: AdapterInfo): Promise<string | null> {
    if (isSoftwareAdapter(adapter)) return slowAdapterReason(adapter, null);
    try {
      return slowAdapterReason(adapter, await probeSpeed());
    } catch (error) {
      return `a quick test on WebGPU failed (${(error as Error).message})`;
    }
  }

  private async setUpWebGPU(): Promise<{ ok: true; adapter: AdapterInfo } | { ok: false; reason: string }> {
    if (!BackendManager.hasNavigatorGpu()) {
      return {
        ok: false,
        reason:
          'this browser does not expose WebGPU (navigator.gpu is missing; it needs a recent Chrome, Edge or Safari, over HTTPS or localhost)',
      };
    }
    try {
      // Requesting the adapter here (rather than inside initWebGPU) lets the About page show what it is.
      const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter)
        return { ok: false, reason: 'the browser has WebGPU but found no usable GPU adapter (blocklisted driver, or disabled)' };
      const described = describeAdapter(adapter);
      const result = await initWebGPU({ adapter, fallbackToCpu: true });
      if (result.device !== 'webgpu') return { ok: false, reason: result.reason ?? 'WebGPU device creation failed' };
      return { ok: true, adapter: described };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }
}
