import type { Page } from 'playwright-core';

/** Where the Draw page's canvas is, in page pixels. */
export interface CanvasBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Draws a vertical stroke down the middle of the Draw page's canvas with the
 * mouse: a "1" every shipped model reads with near certainty. Returns the
 * canvas's box (as it was before the stroke), for layout checks.
 */
export async function strokeOne(page: Page): Promise<CanvasBox> {
  const box = await page.locator('canvas.draw-canvas').first().boundingBox();
  if (!box) throw new Error('no drawing canvas');
  const x = box.x + box.width / 2;
  await page.mouse.move(x, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(x + i * 0.5, box.y + box.height * (0.15 + i * 0.035));
  await page.mouse.up();
  return box;
}
