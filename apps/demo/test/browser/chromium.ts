import { type Browser, chromium } from 'playwright-core';

/** Debian's `chromium` package (override with CHROMIUM_PATH), as packages/backend-webgpu's browser tests use. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * WebGPU on SwiftShader (a software Vulkan driver), so the GPU path runs on
 * machines without a GPU: the flags of packages/backend-webgpu/test/browser/chromium.ts,
 * which are known to work here.
 */
const WEBGPU_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-vulkan-surface',
];

/**
 * Headless Chromium, with WebGPU by default. Without those flags Linux
 * Chromium has `navigator.gpu` but no adapter, which is how a browser on an
 * unsupported GPU looks to a page.
 */
export function launchChromium(options: { webgpu?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      ...(options.webgpu === false ? [] : WEBGPU_ARGS),
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}
