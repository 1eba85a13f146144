import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { seriousA11yViolations } from './browser/axe-audit.js';
import { CHROMIUM } from './browser/chromium.js';
import { useDemoSession, waitForBackend } from './browser/demo-session.js';
import { DEMO_ROOT } from './browser/demo-site.js';
import { strokeOne } from './browser/draw-stroke.js';

/**
 * The landing section, the explanations and the layout fixes of issue 19:
 * the skip link keeps the route, the Draw page's result is in view on a
 * phone, the confusion matrix fits without scrolling sideways, the empty loss
 * chart has axes, and "Train MNIST" starts the default run. Runs are tiny (or
 * stopped early) to keep this file quick.
 */
const DATA_ROOT = process.env.KINDLING_DEMO_DATA ?? join(DEMO_ROOT, '../../../shared/data');
const MNIST_AVAILABLE = existsSync(join(DATA_ROOT, 'mnist'));
const FASHION_AVAILABLE = existsSync(join(DATA_ROOT, 'fashion-mnist'));
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const PRETRAINED_CNN = /^CNN conv 1→32 3×3, .* on mnist/;

describe.skipIf(!existsSync(CHROMIUM))('explanations, landing and layout fixes in headless Chromium', () => {
  const demo = useDemoSession();
  const errors: string[] = [];

  async function open(path: string, viewport = DESKTOP): Promise<Page> {
    const page = await demo.browser.newPage({ viewport });
    page.on('pageerror', (e) => errors.push(`${path}: ${e.message}`));
    await page.goto(new URL(path, demo.site.url).href);
    await page.locator('section.page:not([hidden]) h1').waitFor({ timeout: 30_000 });
    return page;
  }

  /** How far the document scrolls sideways (0 when it fits). */
  const sidewaysOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  async function trainTiny(page: Page, query: string): Promise<void> {
    await page.goto(new URL(`?${query}&subset=500&test=200&epochs=1&backend=cpu#/train`, demo.site.url).href);
    await waitForBackend(page);
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.locator('#train-status', { hasText: /^Finished/ }).waitFor({ timeout: 60_000 });
  }

  /** The confusion matrix fits its box and the viewport: no sideways scrolling, caption whole. */
  async function expectConfusionFits(page: Page, viewportWidth: number): Promise<void> {
    const wrap = page.locator('.confusion-wrap');
    expect(await wrap.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    const caption = await page.locator('table.confusion caption').boundingBox();
    const table = await page.locator('table.confusion').boundingBox();
    if (!caption || !table) throw new Error('no confusion matrix');
    expect(caption.x).toBeGreaterThanOrEqual(0);
    expect(caption.x + caption.width).toBeLessThanOrEqual(viewportWidth);
    expect(table.x + table.width).toBeLessThanOrEqual(viewportWidth);
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  }

  test('"Skip to content" focuses the main content and keeps the route', async () => {
    for (const route of ['draw', 'about', 'train']) {
      const page = await open(`#/${route}`);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');
      expect(new URL(page.url()).hash).toBe(`#/${route}`);
      expect(await page.locator(`section.page:not([hidden])`).count()).toBe(1);
      expect(await page.title()).toMatch(new RegExp(`^${route}`, 'i'));
      // The next Tab goes on into the page, not back to the header.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => Boolean(document.activeElement?.closest('main')))).toBe(true);
      await page.close();
    }
  }, 60_000);

  test('on a phone the Draw page shows the top-3 result under the canvas without scrolling', async () => {
    const page = await open('#/draw', PHONE);
    await page.getByText(PRETRAINED_CNN).waitFor({ timeout: 30_000 });
    const box = await strokeOne(page);
    expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height);
    const items = page.locator('#top-predictions li');
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBe(3);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    const list = await page.locator('#top-predictions').boundingBox();
    if (!list) throw new Error('no top-3 list');
    expect(list.y).toBeGreaterThan(box.y + box.height);
    expect(list.y + list.height).toBeLessThanOrEqual(PHONE.height);
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);

  test('before any run the charts have axes and say how to fill them; the page passes axe', async () => {
    const page = await open('#/train');
    const lossChart = page.locator('figure.chart').first();
    await expect.poll(() => lossChart.locator('.chart-empty').isVisible()).toBe(true);
    expect(await lossChart.locator('.chart-empty').textContent()).toBe('Start training to draw the curves.');
    // uPlot draws the axes (ticks and their numbers) on its canvas: it is not blank.
    const inked = await lossChart.locator('canvas').evaluate((c) => {
      const canvas = c as HTMLCanvasElement;
      const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
      let n = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(200);
    // Every control and chart explains itself in a sentence.
    for (const id of ['train-dataset', 'train-model', 'train-optimizer', 'train-lr', 'train-epochs', 'train-batch', 'train-subset']) {
      const hint = await page.locator(`#${id}`).getAttribute('aria-describedby');
      expect((await page.locator(`#${hint}`).textContent())?.length ?? 0).toBeGreaterThan(20);
    }
    expect(await page.locator('.chart-note').count()).toBe(2);
    expect(await page.getByText(/Train accuracy can sit below test accuracy/).count()).toBe(1);
    expect(await page.getByText(/Each row is the true class/).count()).toBe(1);
    // The Model select is as wide as the form, so its longest option has room.
    const model = page.getByLabel('Model', { exact: true });
    const widths = await model.evaluate((el) => [el.getBoundingClientRect().width, el.closest('.form-grid')?.clientWidth ?? 0]);
    expect(widths[0]).toBeGreaterThanOrEqual(widths[1] - 1);
    expect(await page.locator('#train-model option').allTextContents()).not.toContainEqual(expect.stringMatching(/seeds/));
    // On a phone every option of every select fits its box (text width plus room for the arrow).
    await page.setViewportSize(PHONE);
    const cutOff = await page.locator('form.train-form').evaluate((form) => {
      const context = document.createElement('canvas').getContext('2d');
      if (!context) return ['no canvas'];
      const cut: string[] = [];
      for (const select of form.querySelectorAll('select')) {
        const style = getComputedStyle(select);
        context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        for (const option of select.options) {
          if (context.measureText(option.text).width + 40 > select.clientWidth) cut.push(option.text);
        }
      }
      return cut;
    });
    expect(cutOff).toEqual([]);
    await page.setViewportSize(DESKTOP);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);

  test.skipIf(!MNIST_AVAILABLE)(
    '"Train MNIST" starts the default run with the default settings, whatever the form held',
    async () => {
      const page = await open('?model=cnn&epochs=2&backend=cpu#/train');
      await waitForBackend(page);
      const button = page.getByRole('button', { name: 'Train MNIST' });
      await expect.poll(() => button.isEnabled(), { timeout: 30_000 }).toBe(true);
      await button.click();
      const value = (label: string) => page.getByLabel(label, { exact: true }).inputValue();
      expect(
        await Promise.all(['Model', 'Optimizer', 'Learning rate', 'Epochs', 'Batch size', 'Training images', 'Test images'].map(value)),
      ).toEqual(['medium', 'adam', '0.001', '8', '32', '60000', '10000']);
      await page.locator('#train-loss[data-value]').waitFor({ timeout: 60_000 });
      expect(await page.locator('#run-info').textContent()).toMatch(
        /^MLP 784-128-64-10 \(109,386 parameters\) on cpu: 60,000 training images \(1,875 batches per epoch\), 10,000 test images\.$/,
      );
      expect(await button.isDisabled()).toBe(true);
      // Numbers in the page's text carry thousands separators (code listings aside: there 1000 is a literal).
      const text = await page.locator('section.page:not([hidden])').evaluate((section) => {
        const walker = document.createTreeWalker(section, NodeFilter.SHOW_TEXT);
        const parts: string[] = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (!node.parentElement?.closest('pre, code')) parts.push(node.textContent ?? '');
        }
        return parts.join(' ');
      });
      expect(text.match(/.{0,40}\b\d{4,}\b.{0,20}/g) ?? []).toEqual([]);
      await page.getByRole('button', { name: 'Stop' }).click();
      await expect.poll(() => page.locator('#train-status').textContent(), { timeout: 20_000 }).toBe('Stopped');
      await page.close();
    },
    90_000,
  );

  test.skipIf(!MNIST_AVAILABLE)(
    'the confusion matrix fits a phone and a desktop without scrolling sideways; the phone page passes axe',
    async () => {
      const page = await demo.browser.newPage({ viewport: PHONE });
      page.on('pageerror', (e) => errors.push(`phone run: ${e.message}`));
      await trainTiny(page, 'dataset=mnist');
      await expectConfusionFits(page, PHONE.width);
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.setViewportSize(DESKTOP);
      await expectConfusionFits(page, DESKTOP.width);
      if (FASHION_AVAILABLE) {
        // Fashion-MNIST's class names are words ("Ankle boot"), not digits.
        await page.setViewportSize(PHONE);
        await trainTiny(page, 'dataset=fashion-mnist');
        expect(await page.locator('table.confusion thead th', { hasText: 'Ankle boot' }).count()).toBe(1);
        await expectConfusionFits(page, PHONE.width);
      }
      await page.close();
    },
    120_000,
  );

  test('no page errors', () => {
    expect(errors).toEqual([]);
  });
});
