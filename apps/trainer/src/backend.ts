import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuKernelInfo, cpuReady } from '@kindling/backend-cpu';
import { UsageError } from './errors.js';

/**
 * Test hook: the module name tried for GPU support instead of `webgpu`, so
 * tests can see the "not installed" message without uninstalling anything.
 */
export const WEBGPU_MODULE_ENV = 'KINDLING_TEST_WEBGPU_MODULE';

/** Whether the `webgpu` package (Dawn) resolves from @kindling/backend-webgpu, which imports it. */
function webgpuInstalled(): boolean {
  const name = process.env[WEBGPU_MODULE_ENV] || 'webgpu';
  try {
    createRequire(import.meta.resolve('@kindling/backend-webgpu/node')).resolve(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * The command that makes `webgpu` resolvable for a trainer installed in
 * `packageDir` (its package folder): beside a global install `npm i -g`
 * (global packages resolve each other through the shared node_modules),
 * in a project `npm i` there, under npx one more `-p`.
 */
export function webgpuInstallCommand(packageDir: string, exists: (path: string) => boolean = existsSync): string {
  const parts = packageDir.split(sep);
  if (parts.includes('_npx')) return 'npx -p @kindling/trainer -p webgpu kindling-train ...';
  const pnpmStore = parts.indexOf('.pnpm');
  if (pnpmStore > 0 && parts[pnpmStore - 1] === 'node_modules') {
    const project = parts.slice(0, pnpmStore - 1).join(sep);
    return parts.includes('global') ? 'pnpm add -g webgpu' : `pnpm add webgpu (in ${project})`;
  }
  // The node_modules folder holding the package (`node_modules/@kindling/trainer`).
  let dir = packageDir;
  while (basename(dir) !== 'node_modules') {
    // A source checkout (this repository): webgpu is one of its devDependencies.
    if (dirname(dir) === dir) return `pnpm install (in ${packageDir})`;
    dir = dirname(dir);
  }
  const owner = dirname(dir);
  // A project has a package.json beside its node_modules; npm's global prefix (`lib/` or, on Windows, the prefix itself) does not.
  if (exists(join(owner, 'package.json'))) return `npm i webgpu (in ${owner})`;
  return 'npm i -g webgpu';
}

function missingWebgpu(): UsageError {
  const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
  return new UsageError(
    `--backend webgpu needs the optional 'webgpu' package (Dawn, about 130 MB), which is not installed: ${webgpuInstallCommand(packageDir)}`,
  );
}

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
  if (!webgpuInstalled()) throw missingWebgpu();
  let init: typeof import('@kindling/backend-webgpu/node').initNodeWebGPU;
  try {
    ({ initNodeWebGPU: init } = await import('@kindling/backend-webgpu/node'));
  } catch (e) {
    throw new UsageError(`--backend webgpu: @kindling/backend-webgpu failed to load (${(e as Error).message.split('\n')[0]})`);
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
