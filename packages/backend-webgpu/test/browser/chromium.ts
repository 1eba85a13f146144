import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createViteServer } from 'vitest/node';
import type { HarnessResult } from './harness.js';

/** Where Debian's `chromium` package installs the browser (override with CHROMIUM_PATH). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '../../../..');

/**
 * Serves `test/browser` with Vite (sources resolved through the
 * `kindling-source` condition, as in Node tests), opens `page` in headless
 * Chromium with WebGPU enabled, and returns what the page reports in
 * `window.__kindlingResult`.
 */
export async function runPageInChromium(page: string, timeoutMs = 240_000): Promise<HarnessResult & { console: string[] }> {
  const server = await createViteServer({
    root: here,
    configFile: false,
    logLevel: 'error',
    resolve: { conditions: ['kindling-source', 'browser', 'import', 'module', 'default'] },
    server: { host: '127.0.0.1', port: 0, fs: { allow: [repoRoot] }, hmr: false },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const profile = mkdtempSync(join(tmpdir(), 'kindling-chromium-'));
  // A fresh profile per run: nothing cached, nothing shared with other runs.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--use-vulkan=swiftshader',
      '--use-webgpu-adapter=swiftshader',
      '--disable-vulkan-surface',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  const consoleLines: string[] = [];
  try {
    const tab = await context.newPage();
    tab.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    tab.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    await tab.goto(`http://127.0.0.1:${port}/${page}`);
    await tab.waitForFunction(() => (window as { __kindlingResult?: unknown }).__kindlingResult !== undefined, null, {
      timeout: timeoutMs,
      polling: 250,
    });
    const result = (await tab.evaluate(() => (window as unknown as { __kindlingResult: HarnessResult }).__kindlingResult)) as HarnessResult;
    return { ...result, console: consoleLines };
  } finally {
    await context.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
