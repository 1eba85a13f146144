import { DeviceError, hasBackend } from '@kindling/tensor';
import { registerBackend } from '@kindling/tensor/backend';
import { WebGPUBackend } from './backend.js';
import type { WebGPUAdapter, WebGPUEntryPoint, WebGPUPowerPreference } from './gpu-types.js';
import { GpuRuntime, type RuntimeOptions } from './runtime.js';
import type { PoolStats } from './pool.js';

/** Options of {@link initWebGPU}. */
export interface InitWebGPUOptions extends RuntimeOptions {
  /** An adapter to use instead of requesting one. */
  adapter?: WebGPUAdapter;
  /** Passed to `requestAdapter` (ignored when `adapter` is given). */
  powerPreference?: WebGPUPowerPreference;
  /**
   * When no adapter or device can be had, report `cpu` instead of throwing.
   * The `cpu` backend must be registered (`import '@kindling/backend-cpu'`).
   */
  fallbackToCpu?: boolean;
  /** The `GPU` object to use (default `navigator.gpu`); Node passes the `webgpu` package's. */
  gpu?: WebGPUEntryPoint;
}

/** What {@link initWebGPU} set up. */
export interface InitWebGPUResult {
  /** The device to put tensors on: `webgpu`, or `cpu` after a fallback. */
  device: 'webgpu' | 'cpu';
  /** The registered backend (absent after a fallback). */
  backend?: WebGPUBackend;
  /** Why WebGPU was not used (only after a fallback). */
  reason?: string;
}

let active: WebGPUBackend | null = null;

function globalGpu(): GPU | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu;
}

async function openDevice(options: InitWebGPUOptions): Promise<GPUDevice> {
  let adapter = options.adapter ?? null;
  if (!adapter) {
    const gpu = options.gpu ?? globalGpu();
    if (!gpu) {
      throw new DeviceError(
        "initWebGPU: no WebGPU adapter available (navigator.gpu is undefined; in Node call initNodeWebGPU() from '@kindling/backend-webgpu/node', " +
          'in a browser use one with WebGPU enabled and a secure context)',
      );
    }
    adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
    if (!adapter) {
      throw new DeviceError(
        'initWebGPU: no WebGPU adapter available (navigator.gpu.requestAdapter() returned null; is there a GPU or a software Vulkan driver?)',
      );
    }
  }
  const limits = adapter.limits;
  const halfFloats = options.float16 !== 'emulated' && adapter.features.has('shader-f16');
  // Ask for what the adapter has: big models need large storage buffers.
  return adapter.requestDevice({
    requiredFeatures: halfFloats ? ['shader-f16'] : [],
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    },
  });
}

/**
 * Requests a WebGPU adapter and device and registers the `webgpu` backend.
 * Call once before putting tensors on `webgpu`; later calls return the same
 * backend. Throws a `DeviceError` when WebGPU is unavailable, unless
 * `fallbackToCpu` is set, in which case the result names `cpu` instead.
 *
 * @example
 * ```ts
 * const { device } = await initWebGPU({ fallbackToCpu: true });
 * const x = randn([64, 784], { device });
 * ```
 */
export async function initWebGPU(options: InitWebGPUOptions = {}): Promise<InitWebGPUResult> {
  if (active) return { device: 'webgpu', backend: active };
  let device: GPUDevice;
  try {
    device = await openDevice(options);
  } catch (error) {
    if (!options.fallbackToCpu) throw error;
    if (!hasBackend('cpu')) {
      throw new DeviceError(
        `initWebGPU: WebGPU is unavailable (${(error as Error).message}) and fallbackToCpu needs the cpu backend; import '@kindling/backend-cpu' first`,
      );
    }
    return { device: 'cpu', reason: (error as Error).message };
  }
  const backend = new WebGPUBackend(new GpuRuntime(device, options));
  device.lost.then(() => {
    if (active === backend) active = null;
  });
  active = backend;
  registerBackend(backend);
  return { device: 'webgpu', backend };
}

/** GPU memory of the `webgpu` backend, beyond the per-tensor counts of `memory()`. */
export interface WebGPUMemory extends PoolStats {
  /** Compiled compute pipelines in the cache. */
  pipelines: number;
  /** Command buffers submitted so far. */
  submissions: number;
}

/** Bytes allocated, in use and pooled on the GPU (zeros before {@link initWebGPU}). */
export function webgpuMemory(): WebGPUMemory {
  if (!active) return { allocatedBytes: 0, inUseBytes: 0, pooledBytes: 0, buffers: 0, reused: 0, pipelines: 0, submissions: 0 };
  const rt = active.runtime;
  return { ...rt.stats(), pipelines: rt.pipelineCount, submissions: rt.submissions };
}

/** Destroys pooled (unused) GPU buffers, returning their memory to the device. */
export function releasePooledMemory(): void {
  active?.runtime.flush();
  active?.runtime.pool.trim();
}

/**
 * Submits all queued GPU work and waits until the device has finished it.
 * Useful for timing; reads already wait on their own.
 */
export async function synchronize(): Promise<void> {
  if (!active) return;
  active.runtime.flush();
  await active.runtime.device.queue.onSubmittedWorkDone();
  active.runtime.throwIfFailed();
}
