import { create, globals } from 'webgpu';
import type { WebGPUEntryPoint } from './gpu-types.js';
import { type InitWebGPUOptions, type InitWebGPUResult, initWebGPU } from './init.js';

let gpu: GPU | null = null;

/**
 * The `GPU` object of the `webgpu` package (Dawn), created once. Also installs
 * the WebGPU globals (`GPUBufferUsage`, ...) the kernels use. `flags` are Dawn
 * options such as `backend=vulkan`; software rendering uses SwiftShader or
 * lavapipe via the `VK_ICD_FILENAMES` environment variable.
 */
export function nodeGPU(flags: string[] = []): WebGPUEntryPoint {
  if (!gpu) {
    Object.assign(globalThis, globals);
    gpu = create(flags) as GPU;
  }
  return gpu;
}

/** Options of {@link initNodeWebGPU}. */
export interface InitNodeWebGPUOptions extends InitWebGPUOptions {
  /** Dawn flags for `create` (see {@link nodeGPU}). */
  flags?: string[];
  /** Also set `globalThis.navigator.gpu` (default false: it keeps Node alive until removed). */
  installNavigator?: boolean;
}

/**
 * `initWebGPU` for Node: creates the Dawn `GPU` object and registers the
 * `webgpu` backend on it.
 *
 * @example
 * ```ts
 * import { initNodeWebGPU } from '@kindling/backend-webgpu/node';
 * await initNodeWebGPU();
 * ```
 */
export async function initNodeWebGPU(options: InitNodeWebGPUOptions = {}): Promise<InitWebGPUResult> {
  let g: GPU | undefined;
  try {
    g = nodeGPU(options.flags);
  } catch (error) {
    if (!options.fallbackToCpu) throw error;
  }
  if (g && options.installNavigator) {
    const nav = ((globalThis as { navigator?: object }).navigator ??= {});
    Object.defineProperty(nav, 'gpu', { value: g, configurable: true, writable: true });
  }
  return initWebGPU({ ...options, gpu: g });
}

export * from './index.js';
