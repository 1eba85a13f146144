import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { strokeOne } from './draw-stroke.js';

export interface Viewport {
  width: number;
  height: number;
}

/** The sizes CI keeps screenshots at: a laptop and a phone (an iPhone 12–15's CSS pixels). */
export const SCREENSHOT_VIEWPORTS = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 390, height: 844 },
} as const satisfies Record<string, Viewport>;

const ROUTES = ['train', 'draw', 'about'] as const;

/** Resolves when `page` shows `route` (hash navigation keeps the page, and a finished run's results, alive). */
async function showRoute(page: Page, route: string): Promise<void> {
  await page.evaluate((r) => {
    location.hash = `#/${r}`;
  }, route);
  await page.locator('section.page:not([hidden]) h1').first().waitFor();
}

/**
 * Waits up to `ms` for `what`, and carries on either way: a screenshot shows
 * whatever the page shows, which is the point when a page changes.
 */
async function settle(what: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([what.catch(() => undefined), timeout]);
  clearTimeout(timer);
}

/** A vertical stroke down the middle of the drawing canvas (a "1"), so the Draw page shows predictions. */
async function drawOne(page: Page): Promise<void> {
  await page.locator('canvas.draw-canvas').first().scrollIntoViewIfNeeded();
  await strokeOne(page);
  // Predictions update while the stroke is drawn and lag behind it: wait for the one of the whole stroke.
  await steadyText(page, '#draw-status', /^Best guess/, 1000, 20_000);
  await page.evaluate(() => window.scrollTo(0, 0));
}

/** Resolves once `selector`'s text matches `pattern` and has not changed for `quietMs`, or after `timeoutMs` regardless. */
async function steadyText(page: Page, selector: string, pattern: RegExp, quietMs: number, timeoutMs: number): Promise<void> {
  let last: string | null = null;
  let since = Date.now();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = await page.locator(selector).first().textContent();
    if (text !== last) {
      last = text;
      since = Date.now();
    } else if (text !== null && pattern.test(text) && Date.now() - since >= quietMs) {
      return;
    }
    await page.waitForTimeout(100);
  }
}

/**
 * Saves screenshots of every page at desktop and phone size into `dir`:
 * `page-landing-<size>.png` (the first screen a visitor sees, before any run:
 * the top of the Train page, viewport only) and `page-<train|draw|about>-<size>.png`
 * (full page) from `withContent`, a page that has trained a model, so the charts,
 * predictions and speed figures are filled in; without one (no datasets) a
 * fresh page stands in. Returns the file names, in the order saved.
 */
export async function savePageScreenshots(options: {
  dir: string;
  openFresh: (viewport: Viewport) => Promise<Page>;
  withContent: Page | null;
}): Promise<string[]> {
  const saved: string[] = [];
  const shoot = async (page: Page, name: string, fullPage: boolean) => {
    // Charts and layouts react to a size change on the next frames.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.screenshot({ path: join(options.dir, name), fullPage });
    saved.push(name);
  };
  for (const [size, viewport] of Object.entries(SCREENSHOT_VIEWPORTS)) {
    const fresh = await options.openFresh(viewport);
    try {
      await fresh.locator('section.page:not([hidden]) h1').first().waitFor({ timeout: 30_000 });
      // The worker reports its backend within a second or two; the landing button waits for it.
      await settle(
        fresh
          .getByText(/^In use: /)
          .first()
          .waitFor({ timeout: 30_000 }),
        30_000,
      );
      await shoot(fresh, `page-landing-${size}.png`, false);
      const page = options.withContent ?? fresh;
      await page.setViewportSize(viewport);
      for (const route of ROUTES) {
        await showRoute(page, route);
        if (route === 'draw') {
          await settle(page.getByRole('radio', { name: /^Pretrained CNN/ }).waitFor({ timeout: 30_000 }), 30_000);
          if ((await page.locator('#top-predictions li').count()) === 0) await drawOne(page);
        }
        await shoot(page, `page-${route}-${size}.png`, true);
      }
    } finally {
      await fresh.close();
    }
  }
  return saved;
}
