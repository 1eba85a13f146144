import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, serveSources } from '../../../../tools/browser/source-server.js';
import type { HarnessResult } from './harness.js';

export { CHROMIUM };

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Serves `test/browser` with Vite (sources resolved through the
 * `kindling-source` condition, as in Node tests), opens `page` in headless
 * Chromium with WebGPU enabled, and returns what the page reports in
 * `window.__kindlingResult`.
 */
export async function runPageInChromium(page: string, timeoutMs = 240_000): Promise<HarnessResult & { console: string[] }> {
  const server = await serveSources(here);
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
    await tab.goto(`${server.origin}/${page}`);
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
