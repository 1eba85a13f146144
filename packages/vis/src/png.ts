import { KindlingError } from '@kindling/tensor';
import { encode } from 'fast-png';
import { Canvas } from './canvas.js';
import type { RgbImage } from './image.js';

/** PNG file bytes of an 8-bit RGB canvas. */
export function encodePng(canvas: Canvas): Uint8Array {
  return encode({ width: canvas.width, height: canvas.height, data: canvas.data, channels: 3, depth: 8 });
}

/** `img` scaled up by `scale` (nearest neighbour) as PNG bytes. */
export function imagePng(img: RgbImage, scale: number): Uint8Array {
  const canvas = new Canvas(img.width * scale, img.height * scale);
  canvas.drawImage(img, 0, 0, scale);
  return encodePng(canvas);
}

/** A pixel scale that makes a small image (MNIST's 28x28) a readable picture: about 280 pixels on its long side. */
export function defaultScale(img: RgbImage): number {
  return Math.max(1, Math.round(280 / Math.max(img.width, img.height)));
}

interface NodeFs {
  writeFileSync(path: string, data: Uint8Array): void;
}

/**
 * Writes `bytes` to `path` in Node (through `process.getBuiltinModule`, so
 * this package never imports Node modules and bundles for browsers as is).
 */
export function writeFile(op: string, path: string, bytes: Uint8Array): void {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as NodeFs | undefined;
  if (!fs) {
    throw new KindlingError(
      `${op}: writing '${path}' needs Node 20.16 or later; in a browser use ${op}Png() and save the bytes (a Blob) yourself`,
    );
  }
  fs.writeFileSync(path, bytes);
}
