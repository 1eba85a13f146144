import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@kindling/backend-cpu';
import { tensor } from '@kindling/tensor';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { imshow, imshowPng, viewClassify, viewClassifyPng } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kindling-vis-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Decodes with pngjs, an encoder/decoder independent of the fast-png that writes them. */
const decode = (bytes: Uint8Array) => PNG.sync.read(Buffer.from(bytes));
const rgbAt = (png: PNG, x: number, y: number) => [...png.data.subarray(4 * (y * png.width + x), 4 * (y * png.width + x) + 3)];

describe('PNG pictures', () => {
  const img = tensor(
    [
      [
        [0, 0.5],
        [1, 0.25],
      ],
    ],
    { dtype: 'float32' },
  ); // [1, 2, 2]

  it('imshowPng: each pixel a scale x scale square of its grey', () => {
    const png = decode(imshowPng(img, { scale: 3 }));
    expect([png.width, png.height]).toEqual([6, 6]);
    expect(rgbAt(png, 0, 0)).toEqual([0, 0, 0]);
    expect(rgbAt(png, 5, 2)).toEqual([128, 128, 128]);
    expect(rgbAt(png, 2, 3)).toEqual([255, 255, 255]);
    expect(rgbAt(png, 3, 5)).toEqual([64, 64, 64]);
  });

  it('a small image is scaled to about 280 pixels by default (28x28 -> 280x280)', () => {
    const png = decode(imshowPng(tensor(Array.from({ length: 784 }, (_, i) => i % 7)).view(1, 28, 28)));
    expect([png.width, png.height]).toEqual([280, 280]);
  });

  it("imshow({ file }) writes the PNG and still returns the terminal's text", () => {
    const file = join(dir, 'digit.png');
    const text = imshow(img, { file, print: false, color: false, scale: 2 });
    expect(text).toBe('  ++\n@@::');
    const png = decode(readFileSync(file));
    expect([png.width, png.height]).toEqual([4, 4]);
    expect(rgbAt(png, 0, 3)).toEqual([255, 255, 255]);
  });

  it('viewClassifyPng: the image, and a bar as long as its probability', () => {
    const ps = tensor([0.25, 1, 0]);
    const png = decode(viewClassifyPng(img, ps, { classes: ['a', 'b', 'c'], scale: 10 }));
    const isBlue = (x: number, y: number) => rgbAt(png, x, y).join() === '31,119,180';
    const xs = Array.from({ length: png.width }, (_, x) => x);
    // The first row with any bar pixel is the top of the first bar; each row is 28 pixels, each bar 18 high.
    let top = 0;
    while (top < png.height && !xs.some((x) => isBlue(x, top))) top++;
    const widths = [0, 1, 2].map((row) => xs.filter((x) => isBlue(x, top + row * 28 + 9)).length);
    expect(widths).toEqual([60, 240, 0]);
    // The image's top-left pixel (black) sits inside the grey frame at the figure's left margin.
    const imageRow = Array.from({ length: png.height }, (_, y) => y).find((y) => rgbAt(png, 20, y).join() === '0,0,0');
    expect(imageRow).toBeDefined();
    expect(rgbAt(png, 19, imageRow as number)).toEqual([204, 204, 204]);
    expect(rgbAt(png, 20 + 10, imageRow as number)).toEqual([128, 128, 128]);
  });

  it('viewClassify({ file }) writes the figure', () => {
    const file = join(dir, 'prediction.png');
    viewClassify(img, tensor([0.5, 0.5]), { classes: ['x', 'y'], file, print: false });
    const png = decode(readFileSync(file));
    expect(png.width).toBeGreaterThan(280 + 240);
  });
});
