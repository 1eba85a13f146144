import { existsSync } from 'node:fs';
import { initNodeWebGPU } from '../src/node.js';

/** Chromium's SwiftShader Vulkan driver (Debian package `chromium`), used when no GPU driver is configured. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Registers the `webgpu` backend in Node, on SwiftShader unless VK_ICD_FILENAMES says otherwise. */
export async function setupWebGPU() {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  return initNodeWebGPU();
}
