import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM } from './browser/chromium.js';
import { useDemoSession } from './browser/demo-session.js';
import { DEMO_ROOT } from './browser/demo-site.js';
import { safetensorsMetadata } from './browser/safetensors-metadata.js';
import { savePageScreenshots } from './browser/page-screenshots.js';

/** Screenshots for CI to keep (gitignored). */
const ARTIFACTS = join(DEMO_ROOT, 'artifacts');
const DATA_AVAILABLE = existsSync(process.env.KINDLING_DEMO_DATA ?? join(DEMO_ROOT, '../../../shared/data/mnist'));
/** kindling-train, when built (`pnpm build`): reads the demo's checkpoint the way a user would. */
const TRAINER_CLI = join(DEMO_ROOT, '../trainer/dist/cli.js');

/**
 * PyTorch's MNIST CNN on a small subset, on the CPU backend, with the settings the CNN suggests
 * (Adadelta at lr 1.0, batch 64) but fewer images: one epoch on 3,000 training images (47 steps)
 * reaches about 0.89 on the first 1,000 test images in 11 to 20 s here (the run is seeded: 0.894
 * every time on one thread, 0.897 on two, whose sums add up in another order). Measured on one
 * thread: 2,000 images reach 0.839, 1,000 only 0.48, so 3,000 leave a margin over 0.8.
 */
const CNN_TRAIN_IMAGES = 3000;
const CNN_TEST_IMAGES = 1000;
const CNN_THRESHOLD = 0.8;

describe.skipIf(!existsSync(CHROMIUM))('a CNN run in Chromium, its checkpoint, and screenshots of every page', () => {
  const demo = useDemoSession();
  /** The page that trained the CNN, kept so the screenshots show its results. */
  let trained: Page | null = null;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  async function open(path: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
    const page = await demo.browser.newPage({ viewport, acceptDownloads: true });
    page.on('pageerror', (e) => console.log(`pageerror: ${e.message}`));
    await page.goto(new URL(path, demo.site.url).href);
    return page;
  }

  /** Clicks `button` and returns the file it downloads (where Playwright saved it) and its safetensors metadata. */
  async function downloadMetadata(
    page: Page,
    button: RegExp,
  ): Promise<{ filename: string; path: string; metadata: Record<string, string> }> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
    const path = await download.path();
    return { filename: download.suggestedFilename(), path, metadata: safetensorsMetadata(readFileSync(path)) };
  }

  test.skipIf(!DATA_AVAILABLE)(
    `the CNN trained on ${CNN_TRAIN_IMAGES.toLocaleString('en-US')} images reaches ${CNN_THRESHOLD} test accuracy, and its download records its epochs and steps`,
    async () => {
      const page = await open(`?model=cnn&subset=${CNN_TRAIN_IMAGES}&test=${CNN_TEST_IMAGES}&epochs=1&backend=cpu#/train`);
      await page
        .getByText(/^In use: /)
        .first()
        .waitFor({ timeout: 30_000 });
      const batch = Number(await page.getByLabel('Batch size', { exact: true }).inputValue());
      const started = Date.now();
      await page.getByRole('button', { name: 'Start training' }).click();
      await page.locator('#train-status', { hasText: /^Finished/ }).waitFor({ timeout: 150_000 });
      // The screenshots show this run's results (even if a check below fails).
      trained = page;
      const accuracy = Number(await page.locator('#test-accuracy').getAttribute('data-value'));
      const runInfo = (await page.locator('#run-info').textContent()) ?? '';
      console.log(`CNN on ${CNN_TRAIN_IMAGES} images: test accuracy ${accuracy} in ${(Date.now() - started) / 1000} s; ${runInfo}`);
      expect(runInfo).toMatch(/^CNN conv 1→32 3×3, conv 32→64 3×3, max-pool 2×2, linear 9216-128-10 .* on cpu: 3,000 training/);
      expect(accuracy).toBeGreaterThanOrEqual(CNN_THRESHOLD);

      // The checkpoint carries what kindling-train's best.safetensors carries: the model, its test
      // accuracy, and the full epochs and optimizer steps the weights trained.
      const { filename, path, metadata } = await downloadMetadata(page, /^Download trained model/);
      expect(filename).toBe('kindling-mnist-cnn.safetensors');
      const steps = Math.ceil(CNN_TRAIN_IMAGES / batch);
      expect(metadata).toMatchObject({ epoch: '1', step: String(steps), test_accuracy: String(accuracy) });
      expect(JSON.parse(metadata['kindling.model'] ?? '{}')).toMatchObject({ type: 'sequential', dataset: 'mnist' });
      if (existsSync(TRAINER_CLI)) {
        const info = JSON.parse(execFileSync(process.execPath, [TRAINER_CLI, 'info', '--json', path], { encoding: 'utf8' }));
        expect(info).toMatchObject({ epoch: 1, step: steps, testAccuracy: accuracy, parameters: 1_199_882 });
      } else {
        console.log(`${TRAINER_CLI} is not built (pnpm build): kindling-train info not checked`);
      }
    },
    180_000,
  );

  test('the Draw page uses the shipped CNN by default, and its download keeps the epochs it records', async () => {
    const page = trained ?? (await open('#/draw'));
    await page.evaluate(() => {
      location.hash = '#/draw';
    });
    await page
      .getByText(/^CNN conv 1→32 3×3, .* on mnist/)
      .first()
      .waitFor({ timeout: 30_000 });
    expect(await page.getByRole('radio', { name: /^Pretrained CNN/ }).isChecked()).toBe(true);
    const { metadata } = await downloadMetadata(page, /^Download the chosen model/);
    // kindling-train's record of the shipped file: best test accuracy at epoch 11 of 14 (steps were not recorded then).
    expect(metadata).toMatchObject({ test_accuracy: '0.9914', epoch: '11' });
    expect(Number(metadata.test_accuracy)).toBeGreaterThanOrEqual(0.99);
    if (!trained) await page.close();
  }, 60_000);

  test('screenshots of the landing section, Train, Draw and About at desktop and phone size', async () => {
    const saved = await savePageScreenshots({
      dir: ARTIFACTS,
      openFresh: (viewport) => open('#/train', viewport),
      withContent: trained,
    });
    console.log(`screenshots: ${saved.join(', ')}`);
    expect(saved).toHaveLength(8);
    for (const file of saved) expect(readFileSync(join(ARTIFACTS, file)).length).toBeGreaterThan(10_000);
  }, 120_000);
});
