import { h } from './dom.js';

/**
 * Draws a 28×28 grayscale image (uint8 0..255 or float 0..1) into a small
 * canvas that CSS scales up with crisp pixels, white ink on black like MNIST.
 */
export function drawDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, scale255: boolean): void {
  const size = Math.round(Math.sqrt(pixels.length));
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(size, size);
  for (let i = 0; i < pixels.length; i++) {
    const v = scale255 ? pixels[i] : Math.round(pixels[i] * 255);
    image.data[i * 4] = v;
    image.data[i * 4 + 1] = v;
    image.data[i * 4 + 2] = v;
    image.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

export function digitCanvas(label: string): HTMLCanvasElement {
  return h('canvas', { class: 'digit', width: 28, height: 28, role: 'img', 'aria-label': label });
}
