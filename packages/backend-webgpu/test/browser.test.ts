import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CHROMIUM, runPageInChromium } from './browser/chromium.js';

// Needs Debian's `chromium` (SwiftShader provides WebGPU without a GPU).
describe.skipIf(!existsSync(CHROMIUM))('webgpu in headless Chromium', () => {
  test('kernel smoke checks pass in the browser', async () => {
    const result = await runPageInChromium('smoke.html');
    if (result.fatal || result.failed) console.log(result.fatal, result.failures, result.console.join('\n'));
    expect(result.fatal).toBeUndefined();
    expect(result.failed).toBe(0);
    expect(result.passed).toBe(4);
  }, 300_000);

  test('the conformance suite passes in the browser', async () => {
    const result = await runPageInChromium('conformance.html', 600_000);
    console.log(`browser conformance: ${result.passed} passed, ${result.failed} failed`);
    if (result.fatal || result.failed) console.log(result.fatal, result.failures, result.console.slice(-20).join('\n'));
    expect(result.fatal).toBeUndefined();
    expect(result.failures).toEqual([]);
    expect(result.passed).toBeGreaterThan(1000);
  }, 700_000);
});
