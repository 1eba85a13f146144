import '@kindling/backend-cpu';
import { initWebGPU } from '@kindling/backend-webgpu';
import type { AdapterInfo, BackendChoice, BackendInfo } from './protocol.js';

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
    isFallbackAdapter: info.isFallbackAdapter ?? false,
    limits,
  };
}

/**
 * Chooses the device tensors go to. WebGPU is set up once, on first request;
 * when it cannot be had (no `navigator.gpu`, no adapter, device creation
 * failed) the worker falls back to the CPU and remembers why, so the page can
 * say so instead of failing.
 */
export class BackendManager {
  private webgpu: { ok: true; adapter: AdapterInfo } | { ok: false; reason: string } | null = null;
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

  async select(requested: BackendChoice): Promise<BackendInfo> {
    const webgpuSupported = BackendManager.hasNavigatorGpu();
    if (requested === 'cpu') {
      const adapter = this.webgpu?.ok ? this.webgpu.adapter : undefined;
      this.current = { requested, device: 'cpu', webgpuSupported, ...(adapter ? { adapter } : {}) };
      return this.current;
    }
    this.webgpu ??= await this.setUpWebGPU();
    this.current = this.webgpu.ok
      ? { requested, device: 'webgpu', webgpuSupported, adapter: this.webgpu.adapter }
      : { requested, device: 'cpu', webgpuSupported, fallbackReason: this.webgpu.reason };
    return this.current;
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
