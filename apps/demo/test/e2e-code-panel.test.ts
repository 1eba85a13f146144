import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { type CodeSettings, codeText } from '../src/code/generated-code.js';
import { kindlingCode } from '../src/code/kindling-code.js';
import { pytorchCode } from '../src/code/pytorch-code.js';
import { trainerCommand } from '../src/code/trainer-command.js';
import type { DatasetId } from '../src/data-catalog.js';
import type { ModelChoice, OptimizerChoice } from '../src/model/model-choices.js';
import { seriousA11yViolations } from './browser/axe-audit.js';
import { CHROMIUM } from './browser/chromium.js';
import { useDemoSession } from './browser/demo-session.js';
import { DEMO_ROOT } from './browser/demo-site.js';

/** Screenshots for CI to keep (gitignored). */
const ARTIFACTS = join(DEMO_ROOT, 'artifacts');
const DATA_AVAILABLE = existsSync(process.env.KINDLING_DEMO_DATA ?? join(DEMO_ROOT, '../../../shared/data/mnist'));

/** What the Train form holds now, as the code generators take it (the page trains with seed 0). */
async function formSettings(page: Page): Promise<CodeSettings> {
  const v = await page.evaluate(() => {
    const value = (id: string) => (document.getElementById(id) as HTMLInputElement | HTMLSelectElement).value;
    return {
      dataset: value('train-dataset'),
      model: value('train-model'),
      optimizer: value('train-optimizer'),
      lr: Number(value('train-lr')),
      epochs: Number(value('train-epochs')),
      batchSize: Number(value('train-batch')),
      trainSubset: Number(value('train-subset')),
      testSubset: Number(value('train-test-subset')),
    };
  });
  return {
    ...v,
    dataset: v.dataset as DatasetId,
    model: v.model as ModelChoice,
    optimizer: v.optimizer as OptimizerChoice,
    seed: 0,
  };
}

/** The panel's lines, one string per line, of the Kindling and PyTorch blocks, and the kindling-train command. */
async function panelText(page: Page): Promise<{ kindling: string[]; pytorch: string[]; command: string }> {
  return page.evaluate(() => {
    const lines = (id: string) => [...document.querySelectorAll(`#${id} .code-line`)].map((el) => el.textContent ?? '');
    return {
      kindling: lines('code-kindling'),
      pytorch: lines('code-pytorch'),
      command: document.getElementById('code-trainer-command')?.textContent ?? '',
    };
  });
}

async function expectPanelMatchesForm(page: Page): Promise<CodeSettings> {
  const settings = await formSettings(page);
  const shown = await panelText(page);
  expect(shown.kindling).toEqual(kindlingCode(settings).map((l) => l.text));
  expect(shown.pytorch).toEqual(pytorchCode(settings).map((l) => l.text));
  expect(shown.command).toBe(trainerCommand(settings).command);
  return settings;
}

describe.skipIf(!existsSync(CHROMIUM))('the Train page’s code panel in headless Chromium', () => {
  const demo = useDemoSession({ webgpu: false, timeout: 180_000 });
  let context: BrowserContext;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
  });

  async function open(query: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(new URL(`?${query}#/train`, demo.site.url).href);
    await page.locator('#code-kindling .code-line').first().waitFor();
    return page;
  }

  test('the code follows the settings in the form', async () => {
    const page = await open('model=small&optimizer=sgd&lr=0.05&epochs=2&batch=32&subset=2000&test=1000&backend=cpu');
    const preset = await expectPanelMatchesForm(page);
    expect(preset).toMatchObject({ model: 'small', optimizer: 'sgd', lr: 0.05, epochs: 2, batchSize: 32, trainSubset: 2000 });
    const text = (await panelText(page)).kindling.join('\n');
    expect(text).toContain('new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 })');
    expect(text).toContain('new data.Subset(trainset, first(2000)), { batchSize: 32, shuffle: true }');

    // Another model brings its suggested settings (set from code, without events); the panel follows.
    await page.getByLabel('Model', { exact: true }).selectOption('cnn');
    const cnn = await expectPanelMatchesForm(page);
    expect(cnn.model).toBe('cnn');
    expect((await panelText(page)).pytorch).toContain('    nn.Conv2d(1, 32, 3),');
    // Typed edits too.
    await page.getByLabel('Learning rate').fill('0.5');
    await page.getByLabel('Epochs').fill('4');
    await page.getByLabel('Dataset').selectOption('fashion-mnist');
    const edited = await expectPanelMatchesForm(page);
    expect(edited).toMatchObject({ dataset: 'fashion-mnist', lr: 0.5, epochs: 4 });
    expect((await panelText(page)).command).toContain('--dataset fashion-mnist --model cnn');

    // Settings the form cannot run: the code stays that of the last valid ones, set back, and a note names the field.
    const note = page.locator('#code-invalid');
    expect(await note.isHidden()).toBe(true);
    await page.getByLabel('Learning rate').fill('20');
    await note.waitFor();
    expect(await note.textContent()).toMatch(/^Learning rate must be .*The code below is still that of the last valid settings\.$/);
    expect(await page.locator('.code-columns.code-outdated').count()).toBe(1);
    expect((await panelText(page)).kindling.join('\n')).toContain('lr: 0.5 }');
    await page.getByLabel('Learning rate').fill('0.25');
    await note.waitFor({ state: 'hidden' });
    expect(await page.locator('.code-columns.code-outdated').count()).toBe(0);
    expect((await expectPanelMatchesForm(page)).lr).toBe(0.25);
    await page.close();
  }, 60_000);

  test('the copy buttons copy the code and the command, also without the Clipboard API', async () => {
    const page = await open('model=medium&backend=cpu');
    const settings = await formSettings(page);
    await page.getByRole('button', { name: 'Copy TypeScript' }).click();
    await page.getByText('Copied the TypeScript.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(codeText(kindlingCode(settings)));
    await page.getByRole('button', { name: 'Copy Python' }).click();
    await page.getByText('Copied the Python.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(codeText(pytorchCode(settings)));
    // The fallback: writeText refused, as where the page may not use the clipboard.
    await page.evaluate(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    });
    await page.getByRole('button', { name: 'Copy command' }).click();
    await page.getByText('Copied the command.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(trainerCommand(settings).command);
    await page.close();
  }, 60_000);

  test.skipIf(!DATA_AVAILABLE)(
    'while training, the highlight moves through the loop in both languages, and stops with the run',
    async () => {
      const page = await open('model=large&optimizer=adam&epochs=2&batch=16&subset=5000&test=1000&backend=cpu');
      await page
        .getByText(/^In use: /)
        .first()
        .waitFor({ timeout: 30_000 });
      // Every change of the "Now:" line, with the phases highlighted in each block at that moment.
      await page.evaluate(() => {
        const now = document.getElementById('code-now') as HTMLElement;
        const seen: { text: string; kindling: string[]; pytorch: string[] }[] = [];
        const current = (id: string) =>
          [...document.querySelectorAll(`#${id} .code-line.current`)].map((el) => (el as HTMLElement).dataset.phase ?? '');
        new MutationObserver(() =>
          seen.push({ text: now.textContent ?? '', kindling: current('code-kindling'), pytorch: current('code-pytorch') }),
        ).observe(now, { childList: true, characterData: true, subtree: true });
        Object.assign(window, { codePanelSeen: seen });
      });
      const started = Date.now();
      await page.getByRole('button', { name: 'Start training' }).click();
      await page.locator('#code-kindling .code-line.current').first().waitFor();
      await page.locator('.code-panel').screenshot({ path: join(ARTIFACTS, 'code-panel-training.png') });
      // Paused, nothing is running: no line stays lit, and the panel says after which batch the loop waits.
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.getByRole('button', { name: 'Resume' }).waitFor();
      const now = page.locator('#code-now');
      await now.filter({ hasText: /^Paused after batch/ }).waitFor();
      expect(await now.textContent()).toMatch(/^Paused after batch [\d,]+ of 313 \(epoch [12]\)\.$/);
      expect(await page.locator('.code-line.current').count()).toBe(0);
      // axe checks the panel with the backward pass lit as during the run (the run is too short to check it running), light and dark.
      const light = (on: boolean) =>
        page.evaluate((on) => {
          for (const line of document.querySelectorAll('.code-line[data-phase="backward"]')) line.classList.toggle('current', on);
        }, on);
      await light(true);
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        expect(await seriousA11yViolations(page, '.code-panel'), colorScheme).toEqual([]);
      }
      await light(false);
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.locator('#train-status', { hasText: /^Finished/ }).waitFor({ timeout: 120_000 });
      const seconds = (Date.now() - started) / 1000;
      const seen = await page.evaluate(
        () => (window as unknown as { codePanelSeen: { text: string; kindling: string[]; pytorch: string[] }[] }).codePanelSeen,
      );
      const during = seen.filter((s) => s.text.startsWith('Now: '));
      console.log(
        `code panel: ${during.length} highlight changes in a ${seconds.toFixed(1)} s run; ${during
          .slice(0, 6)
          .map((s) => s.text)
          .join(' | ')}`,
      );
      // About one every 100 ms, never two within 75 ms (besides evaluations and the pause): never a flood.
      expect(during.length).toBeLessThanOrEqual(Math.ceil(seconds / 0.075) + 20);
      expect(during.length).toBeGreaterThanOrEqual(4);
      // The evaluations and several parts of the step are lit. Which parts, and how often, is a sample of a
      // run of ~25 reports (one CI run lit backward 0 times, the one before 4), so it is not asserted here:
      // that each part is lit in proportion to its time is test/loop-phase-reporter.test.ts's job.
      const lit = new Map<string, number>();
      for (const s of during) lit.set(s.kindling[0] ?? '', (lit.get(s.kindling[0] ?? '') ?? 0) + 1);
      console.log(`code panel: lit ${JSON.stringify(Object.fromEntries(lit))}`);
      expect(lit.get('evaluate')).toBeGreaterThan(0);
      expect([...lit.keys()].filter((p) => p !== 'evaluate').length).toBeGreaterThanOrEqual(2);
      expect(during.map((s) => s.text)).toContain('Now: evaluation on the test images (before training).');
      expect(during.map((s) => s.text)).toContain('Now: evaluation on the test images (epoch 1, after batch 79 of 313).');
      for (const s of during) {
        // The same part of the loop is lit in both languages, every line of it.
        expect(s.kindling.length).toBeGreaterThan(0);
        expect(new Set(s.kindling).size).toBe(1);
        expect(new Set(s.pytorch)).toEqual(new Set(s.kindling));
      }
      // The batches counted in the "Now:" line move forward (two epochs of 313).
      const batches = during
        .map((s) => /epoch (\d+), (?:after )?batch ([\d,]+) of 313\)/.exec(s.text))
        .filter((m) => m !== null)
        .map((m) => (Number(m[1]) - 1) * 313 + Number((m[2] ?? '').replace(/,/g, '')));
      expect(batches.length).toBeGreaterThanOrEqual(2);
      expect(batches.at(-1)).toBeGreaterThan(batches[0] ?? 0);
      // Over: nothing lit, and the line says so.
      expect(await page.locator('.code-line.current').count()).toBe(0);
      expect(await page.locator('#code-now').textContent()).toMatch(/^The run finished/);
      await page.close();
    },
    150_000,
  );

  test('on a phone the panel fits the screen: its code scrolls inside it', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(new URL('?model=cnn&backend=cpu#/train', demo.site.url).href);
    const panel = page.locator('.code-panel');
    await panel.scrollIntoViewIfNeeded();
    const box = await panel.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
    expect(await panel.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    // The long lines scroll inside their block, which the keyboard can reach.
    const pre = page.locator('#code-kindling');
    expect(await pre.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    expect(await pre.getAttribute('tabindex')).toBe('0');
    await panel.screenshot({ path: join(ARTIFACTS, 'code-panel-phone.png') });
    await page.close();
  }, 30_000);

  test('no page errors', () => {
    expect(errors).toEqual([]);
  });
});
