import { cpuKernelInfo, cpuReady } from '@kindling/backend-cpu';
import { UsageError } from './errors.js';

/**
 * Makes the requested backend available and returns its device name. WebGPU
 * is loaded only when asked for, so the CPU path never needs Dawn installed.
 */
export async function setupBackend(backend: 'cpu' | 'webgpu'): Promise<string> {
  // Waiting for the WebAssembly kernels makes every step of the run use the same (fast) path.
  await cpuReady();
  if (backend === 'cpu') return 'cpu';
  if (!process.env.VK_ICD_FILENAMES) {
    // Machines without a GPU can still run WebGPU on Chromium's SwiftShader driver when it is installed.
    const { existsSync } = await import('node:fs');
    const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
    if (existsSync(swiftshader)) process.env.VK_ICD_FILENAMES = swiftshader;
  }
  let init: typeof import('@kindling/backend-webgpu/node').initNodeWebGPU;
  try {
    ({ initNodeWebGPU: init } = await import('@kindling/backend-webgpu/node'));
  } catch (e) {
    throw new UsageError(`--backend webgpu: @kindling/backend-webgpu or its 'webgpu' package is not installed (${(e as Error).message})`);
  }
  try {
    const { device } = await init();
    return device;
  } catch (e) {
    throw new UsageError(`--backend webgpu: no WebGPU device (${(e as Error).message.split('\n')[0]})`);
  }
}

/** How the device computes, for the run header: `cpu (wasm relaxed-simd, 1 thread)`. */
export function describeDevice(device: string): string {
  if (device !== 'cpu') return device;
  const { isa, threads } = cpuKernelInfo();
  return isa === 'scalar' ? 'cpu (TypeScript kernels)' : `cpu (wasm ${isa}, ${threads} thread${threads === 1 ? '' : 's'})`;
}
