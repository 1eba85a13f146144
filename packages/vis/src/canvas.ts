import { GLYPH_ADVANCE, glyph } from './font.js';
import type { Rgb } from './colormap.js';
import type { RgbImage } from './image.js';

/** An 8-bit RGB raster to draw a PNG on: rectangles, scaled images and bitmap text. */
export class Canvas {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [1, 1, 1],
  ) {
    this.data = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const [r, g, b] = color.map((c) => Math.round(c * 255));
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(this.width, x + w); xx++) {
        const i = 3 * (yy * this.width + xx);
        this.data[i] = r;
        this.data[i + 1] = g;
        this.data[i + 2] = b;
      }
    }
  }

  /** Draws `img` with its top-left corner at (x, y), each pixel a `scale` x `scale` square (nearest neighbour, like imshow). */
  drawImage(img: RgbImage, x: number, y: number, scale: number): void {
    for (let py = 0; py < img.height; py++) {
      for (let px = 0; px < img.width; px++) {
        const i = 3 * (py * img.width + px);
        this.fillRect(x + px * scale, y + py * scale, scale, scale, [img.pixels[i], img.pixels[i + 1], img.pixels[i + 2]]);
      }
    }
  }

  /** Draws `text` with the 5x7 font, each font pixel `scale` x `scale`, top-left at (x, y). */
  drawText(text: string, x: number, y: number, scale: number, color: Rgb): void {
    for (const [k, ch] of [...text].entries()) {
      const rows = glyph(ch);
      for (const [gy, row] of rows.entries()) {
        for (let gx = 0; gx < row.length; gx++) {
          if (row[gx] === '1') this.fillRect(x + (k * GLYPH_ADVANCE + gx) * scale, y + gy * scale, scale, scale, color);
        }
      }
    }
  }
}
