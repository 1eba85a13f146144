import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, serveSources } from '../../../tools/browser/source-server.js';

const here = fileURLToPath(new URL('./browser/', import.meta.url));

interface Logged {
  type: string;
  description?: string;
  value?: unknown;
  header?: unknown;
  body?: unknown;
}

/**
 * Opens browser/console.html in headless Chromium with DevTools' custom
 * formatters on (what the "Enable custom formatters" setting does) and
 * returns each console.log argument as DevTools receives it.
 */
async function logsInChromium(): Promise<Logged[]> {
  const server = await serveSources(here);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    const pending: Promise<Logged>[] = [];
    cdp.on('Runtime.consoleAPICalled', (event) => {
      for (const arg of event.args) {
        const logged: Logged = { type: arg.type, description: arg.description, value: arg.value };
        const custom = arg.customPreview;
        if (!custom) {
          pending.push(Promise.resolve(logged));
          continue;
        }
        logged.header = JSON.parse(custom.header);
        // DevTools calls the body getter when the entry is expanded.
        pending.push(
          custom.bodyGetterId
            ? cdp
                .send('Runtime.callFunctionOn', {
                  objectId: custom.bodyGetterId,
                  functionDeclaration: 'function () { return this(); }',
                  returnByValue: true,
                })
                .then((r) => ({ ...logged, body: r.result.value }))
            : Promise.resolve(logged),
        );
      }
    });
    await cdp.send('Runtime.enable');
    await cdp.send('Runtime.setCustomObjectFormatterEnabled', { enabled: true });
    await page.goto(`${server.origin}/console.html`);
    await page.waitForFunction(() => (window as { __logged?: unknown }).__logged !== undefined, null, { timeout: 120_000 });
    expect(await page.evaluate(() => (window as { __logged?: unknown }).__logged)).toBe(true);
    return await Promise.all(pending);
  } finally {
    await browser.close();
    await server.close();
  }
}

describe.skipIf(!existsSync(CHROMIUM))('the browser console (headless Chromium)', () => {
  it('shows tensors, modules and grad nodes as their repr with custom formatters, and print() logs the text', async () => {
    // Vite's own client logs '[vite] connecting...' first.
    const logged = (await logsInChromium()).filter((l) => !String(l.value ?? '').startsWith('[vite]'));
    const [tensorArg, moduleArg, nodeArg, printed] = logged;
    const mono = { style: 'font-family: monospace;' };
    const pre = { style: 'font-family: monospace; white-space: pre;' };
    expect(tensorArg.header).toEqual(['span', mono, 'tensor([[0.2500, 1.0000]], grad_fn=<PowBackward0>)']);
    // A callable module is a function to DevTools (shown as its source without formatters); the formatter still applies.
    expect(moduleArg.type).toBe('function');
    expect(moduleArg.header).toEqual(['span', mono, 'Sequential( …']);
    expect(moduleArg.body).toEqual(['div', pre, 'Sequential(\n  (0): Linear(in_features=2, out_features=1, bias=True)\n  (1): ReLU()\n)']);
    expect(nodeArg.header).toEqual(['span', mono, '<PowBackward0 object>']);
    expect(printed).toMatchObject({ type: 'string', value: 'y:\n tensor([[0.2500, 1.0000]], grad_fn=<PowBackward0>)' });
  }, 180_000);
});
