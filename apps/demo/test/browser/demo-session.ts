import { afterAll, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { type DemoSite, serveBuiltSite } from './demo-site.js';

/** The built site and the browser an e2e file shares, once `beforeAll` has run. */
export interface DemoSession {
  readonly site: DemoSite;
  readonly browser: Browser;
}

/**
 * Builds and serves the site and launches Chromium (with WebGPU on SwiftShader
 * unless `webgpu: false`) before the enclosing block's tests, and closes both
 * after them: the set-up every e2e file shares.
 */
export function useDemoSession(options: { webgpu?: boolean; timeout?: number } = {}): DemoSession {
  let site: DemoSite | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [site, browser] = await Promise.all([serveBuiltSite(), launchChromium({ webgpu: options.webgpu })]);
  }, options.timeout ?? 120_000);
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useDemoSession: the site and browser start in beforeAll');
    return value;
  };
  return {
    get site() {
      return started(site);
    },
    get browser() {
      return started(browser);
    },
  };
}

/** Waits until the page's worker has set up its backend (the Train page's Start button needs one). */
export async function waitForBackend(page: Page): Promise<void> {
  await page
    .getByText(/^In use: /)
    .first()
    .waitFor({ timeout: 30_000 });
}
