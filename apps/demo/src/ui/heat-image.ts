import { h } from './dom.js';

/** Blue for negative, white for zero, red for positive (ColorBrewer's RdBu ends). */
const NEGATIVE = [33, 102, 172];
const POSITIVE = [178, 24, 43];

/**
 * How a block of numbers becomes pixels: `signed` values on a blue–white–red
 * scale (weights, which push an output down or up), non-negative ones (ReLU
 * outputs) from black to white like MNIST's ink. `scale` is the value shown
 * at full strength; larger values saturate.
 */
export interface HeatScale {
  signed: boolean;
  scale: number;
}

/** The largest absolute value in `values[from, to)`, at least a tiny positive number so dividing by it is safe. */
export function maxAbs(values: ArrayLike<number>, from = 0, to = values.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(values[i]));
  return m > 0 ? m : 1e-12;
}

/** Whether any value in the range is negative. */
export function hasNegative(values: ArrayLike<number>, from = 0, to = values.length): boolean {
  for (let i = from; i < to; i++) if (values[i] < 0) return true;
  return false;
}

/**
 * Draws `width × height` values starting at `offset` into `canvas` (one
 * pixel per value; CSS scales it up with crisp pixels).
 */
export function drawHeat(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  offset: number,
  width: number,
  height: number,
  { signed, scale }: HeatScale,
): void {
  // Resizing clears the canvas and its state, so only when the size changes (tiles are redrawn every evaluation).
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(width, height);
  const pixels = image.data;
  for (let i = 0; i < width * height; i++) {
    const v = Math.max(-1, Math.min(1, values[offset + i] / scale));
    const p = i * 4;
    if (signed) {
      const end = v < 0 ? NEGATIVE : POSITIVE;
      const t = Math.abs(v);
      pixels[p] = Math.round(255 + (end[0] - 255) * t);
      pixels[p + 1] = Math.round(255 + (end[1] - 255) * t);
      pixels[p + 2] = Math.round(255 + (end[2] - 255) * t);
    } else {
      const g = Math.round(Math.max(0, v) * 255);
      pixels[p] = g;
      pixels[p + 1] = g;
      pixels[p + 2] = g;
    }
    pixels[p + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/** A small canvas for one tile; decorative, since the group it sits in carries the description. */
export function heatCanvas(className: string, title?: string): HTMLCanvasElement {
  return h('canvas', { class: className, 'aria-hidden': 'true', title });
}
