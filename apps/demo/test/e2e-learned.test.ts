import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { MISTAKES_PER_PAGE } from '../src/ui/mistakes-list.js';
import { seriousA11yViolations } from './browser/axe-audit.js';
import { CHROMIUM } from './browser/chromium.js';
import { useDemoSession } from './browser/demo-session.js';
import { DEMO_ROOT } from './browser/demo-site.js';
import { strokeOne } from './browser/draw-stroke.js';

/** Screenshots for CI to keep (gitignored). */
const ARTIFACTS = join(DEMO_ROOT, 'artifacts');
const DATA_AVAILABLE = existsSync(process.env.KINDLING_DEMO_DATA ?? join(DEMO_ROOT, '../../../shared/data/mnist'));

/** "What the network learned" on the Train page and "What each layer sees" on the Draw page, in headless Chromium. */
describe.skipIf(!existsSync(CHROMIUM))('what the network learned', () => {
  const demo = useDemoSession();

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  async function open(path: string): Promise<Page> {
    const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(new URL(path, demo.site.url).href);
    return page;
  }

  /** Trains with `query` on `backend` until the run finishes. */
  async function train(query: string, backend: 'cpu' | 'webgpu' = 'cpu'): Promise<Page> {
    const page = await open(`?${query}&backend=${backend}#/train`);
    await page
      .getByText(/^In use: /)
      .first()
      .waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.locator('#train-status', { hasText: /^Finished/ }).waitFor({ timeout: 90_000 });
    return page;
  }

  /** The confusion matrix as the page shows it (rows: true class). */
  async function confusionMatrix(page: Page): Promise<number[][]> {
    return page
      .locator('table.confusion tbody tr')
      .evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((td) => Number(td.textContent))));
  }

  const offDiagonal = (m: number[][]) => m.reduce((s, row, r) => s + row.reduce((a, v, c) => a + (c === r ? 0 : v), 0), 0);

  /** Waits until the weight tiles are drawn and returns how many there are and their size in weights. */
  async function weightTiles(page: Page, expected: number): Promise<{ count: number; width: number; height: number }> {
    const tiles = page.locator('#weight-tiles canvas');
    await expect.poll(() => tiles.count(), { timeout: 20_000 }).toBe(expected);
    const [width, height] = await tiles.first().evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
    return { count: await tiles.count(), width, height };
  }

  const sidewaysOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  /** Whether a canvas shows anything but black (its pixels were fetched and drawn). */
  const inked = (page: Page, selector: string) =>
    page.locator(selector).evaluate((c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) sum += data[i];
      return sum > 0;
    });

  test.skipIf(!DATA_AVAILABLE)(
    'after an MLP run: 64 weight tiles, every mistake listed, per-class accuracy as in the confusion matrix',
    async () => {
      const page = await train('model=small&subset=1000&test=500&epochs=1&batch=32');
      expect(await weightTiles(page, 64)).toEqual({ count: 64, width: 28, height: 28 });

      const matrix = await confusionMatrix(page);
      expect(matrix.flat().reduce((a, b) => a + b, 0)).toBe(500);
      const wrong = offDiagonal(matrix);
      const summary = page.locator('#mistakes-summary');
      expect(Number(await summary.getAttribute('data-count'))).toBe(wrong);
      expect(await summary.textContent()).toContain(`${wrong} of 500 test images predicted wrong`);

      // Per-class accuracy: the diagonal over each row.
      const shown = await page
        .locator('#class-accuracy tbody td.class-accuracy-value')
        .evaluateAll((cells) => cells.map((td) => Number(td.getAttribute('data-value'))));
      expect(shown).toHaveLength(10);
      shown.forEach((value, r) => {
        const total = matrix[r].reduce((a, b) => a + b, 0);
        expect(value).toBeCloseTo(matrix[r][r] / total, 10);
      });

      // All of them, a page at a time: the pages hold every mistake.
      const items = page.locator('#mistakes-list li');
      const pages = Math.max(1, Math.ceil(wrong / MISTAKES_PER_PAGE));
      let listed = 0;
      for (let p = 0; p < pages; p++) {
        const n = await items.count();
        expect(n).toBe(Math.min(MISTAKES_PER_PAGE, wrong - listed));
        listed += n;
        if (p === 0) {
          await expect.poll(() => inked(page, '#mistakes-list li:first-child canvas'), { timeout: 10_000 }).toBe(true);
          expect(await items.first().textContent()).toMatch(/^True \d+Predicted \d+ \(\d+%\)test image [\d,]+$/);
        }
        const pairs = await items.evaluateAll((li) => li.map((e) => [e.getAttribute('data-true'), e.getAttribute('data-predicted')]));
        for (const [truth, guess] of pairs) expect(truth).not.toBe(guess);
        if (p < pages - 1) await page.getByRole('button', { name: 'Next', exact: true }).click();
      }
      expect(listed).toBe(wrong);
      console.log(`MLP: ${wrong} mistakes on 500 test images over ${pages} pages`);

      // Filtered by true class: the row's mistakes; most confident first: in decreasing confidence.
      const row = matrix.findIndex((r, i) => r.reduce((a, b) => a + b, 0) - r[i] > 0);
      await page.getByLabel('True class').selectOption(String(row));
      expect(await items.count()).toBe(Math.min(MISTAKES_PER_PAGE, matrix[row].reduce((a, b) => a + b, 0) - matrix[row][row]));
      for (const label of await items.evaluateAll((li) => li.map((e) => Number(e.getAttribute('data-true'))))) expect(label).toBe(row);
      await page.getByLabel('True class').selectOption('');
      await page.getByLabel('Order').selectOption('confidence');
      const confidences = await items.evaluateAll((li) => li.map((e) => Number(e.getAttribute('data-confidence'))));
      expect(confidences).toEqual([...confidences].sort((a, b) => b - a));

      // The reordered cards fetch their images: wait until they are drawn, so the screenshot shows them.
      await expect.poll(() => inked(page, '#mistakes-list li:first-child canvas'), { timeout: 10_000 }).toBe(true);
      await page.locator('section.learned').screenshot({ path: join(ARTIFACTS, 'train-learned.png') });
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await seriousA11yViolations(page)).toEqual([]);
      // On a phone the panels wrap rather than scroll the page sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
      await page.close();
    },
    150_000,
  );

  test.skipIf(!DATA_AVAILABLE)(
    'after a short CNN run: the 32 first-layer filters as 3×3 tiles, mistakes matching the matrix',
    async () => {
      const page = await train('model=cnn&subset=128&test=100&epochs=1&batch=64');
      expect(await weightTiles(page, 32)).toEqual({ count: 32, width: 3, height: 3 });
      const matrix = await confusionMatrix(page);
      expect(Number(await page.locator('#mistakes-summary').getAttribute('data-count'))).toBe(offDiagonal(matrix));
      if (offDiagonal(matrix) > 0) {
        await expect.poll(() => inked(page, '#mistakes-list li:first-child canvas'), { timeout: 10_000 }).toBe(true);
      }
      await page.locator('section.learned').screenshot({ path: join(ARTIFACTS, 'train-learned-cnn.png') });
      await page.close();
    },
    150_000,
  );

  // The same panels when the model and the test images live on the GPU (SwiftShader here, slow, so few images).
  test.skipIf(!DATA_AVAILABLE)(
    'on WebGPU too: weight tiles and the mistakes with their images',
    async () => {
      const page = await train('model=small&subset=256&test=200&epochs=1&batch=64', 'webgpu');
      console.log(`WebGPU run: ${await page.locator('#run-info').textContent()}`);
      expect(await weightTiles(page, 64)).toEqual({ count: 64, width: 28, height: 28 });
      const wrong = offDiagonal(await confusionMatrix(page));
      expect(Number(await page.locator('#mistakes-summary').getAttribute('data-count'))).toBe(wrong);
      await expect.poll(() => inked(page, '#mistakes-list li:first-child canvas'), { timeout: 20_000 }).toBe(true);
      await page.close();
    },
    150_000,
  );

  test('the Draw page shows what each layer sees for a drawn digit, for the CNN and the MLP', async () => {
    const page = await open('#/draw');
    await page.getByRole('radio', { name: /^Pretrained CNN/ }).waitFor({ timeout: 30_000 });
    await strokeOne(page);
    await expect.poll(() => page.locator('#draw-status').textContent(), { timeout: 20_000 }).toMatch(/^Best guess: 1 - one/);

    const views = page.locator('#layer-views .layer-view');
    const shapes = () => views.evaluateAll((figures) => figures.map((f) => f.getAttribute('data-shape')));
    // The shipped CNN: conv + ReLU, conv + ReLU, max-pool, linear 9216→128 + ReLU (the output layer is the probabilities).
    await expect.poll(shapes, { timeout: 20_000 }).toEqual(['32×26×26', '64×24×24', '64×12×12', '128']);
    expect(await page.locator('#layer-views canvas.feature-map').count()).toBe(32 + 64 + 64);
    expect(await views.first().locator('figcaption').textContent()).toBe('Layer 1: conv 1→32 3×3, ReLU. 32 feature maps of 26×26.');
    expect(await inked(page, '#layer-views canvas.feature-map >> nth=0')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'draw-layers.png'), fullPage: true });
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The shipped MLP, 784-128-64-10: its two hidden layers as strips of units.
    await page.getByRole('radio', { name: /^Pretrained MLP/ }).check();
    await expect.poll(shapes, { timeout: 20_000 }).toEqual(['128', '64']);
    expect(await page.locator('#layer-views canvas.unit-strip').count()).toBe(2);
    await page.locator('#layer-views').screenshot({ path: join(ARTIFACTS, 'draw-layers-mlp.png') });
    expect(await views.nth(1).locator('figcaption').textContent()).toMatch(
      /^Layer 2: linear 128→64, ReLU\. 64 units, \d+ above zero; the strongest is unit \d+\.$/,
    );

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);

    // Clearing the drawing clears the views.
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => views.count(), { timeout: 10_000 }).toBe(0);
    await page.close();
  }, 90_000);
});
