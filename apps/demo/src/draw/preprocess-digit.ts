/**
 * Turns a drawing into an MNIST-like 28×28 image, following how MNIST itself
 * was made: the digit's bounding box is scaled (keeping its aspect ratio, with
 * anti-aliasing) to fit a 20×20 box, then placed in a 28×28 field so that its
 * centre of mass sits at the centre. A network trained on MNIST only
 * recognises digits that look like that, whatever was drawn on a big canvas.
 */

/** A grayscale image, row-major, intensities in [0, 1] (ink = 1). */
export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array;
}

export const MNIST_SIZE = 28;
export const MNIST_BOX = 20;

/** Pixels fainter than this count as background when finding the bounding box. */
const INK_THRESHOLD = 0.05;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The smallest box holding every inked pixel, or null for an empty image. */
export function inkBoundingBox(image: GrayImage, threshold = INK_THRESHOLD): Box | null {
  let minX = image.width;
  let minY = image.height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.data[y * image.width + x] > threshold) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return maxX < 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/**
 * Resamples the `box` region of `image` to `width`×`height` by area
 * averaging: each output pixel is the mean of the source area it covers
 * (fractional edges weighted), which anti-aliases like MNIST's scanner did.
 */
export function resampleArea(image: GrayImage, box: Box, width: number, height: number): GrayImage {
  const out = new Float32Array(width * height);
  const sx = box.width / width;
  const sy = box.height / height;
  for (let oy = 0; oy < height; oy++) {
    const y0 = box.y + oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < width; ox++) {
      const x0 = box.x + ox * sx;
      const x1 = x0 + sx;
      let sum = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        const row = y * image.width;
        for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          sum += image.data[row + x] * wx * wy;
        }
      }
      out[oy * width + ox] = sum / (sx * sy);
    }
  }
  return { width, height, data: out };
}

/** Intensity-weighted mean position, in pixel-index coordinates; null when the image is blank. */
export function centerOfMass(image: GrayImage): { x: number; y: number } | null {
  let total = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const v = image.data[y * image.width + x];
      total += v;
      mx += v * x;
      my += v * y;
    }
  }
  return total > 0 ? { x: mx / total, y: my / total } : null;
}

/**
 * The MNIST recipe end to end. Returns a 28×28 image in [0, 1], or null when
 * nothing was drawn. The shift puts the centre of mass at (14, 14) like the
 * common reproduction of the recipe, clamped so no ink leaves the field.
 */
export function preprocessDigit(image: GrayImage): GrayImage | null {
  const box = inkBoundingBox(image);
  if (!box) return null;
  const scale = MNIST_BOX / Math.max(box.width, box.height);
  const width = Math.max(1, Math.round(box.width * scale));
  const height = Math.max(1, Math.round(box.height * scale));
  const digit = resampleArea(image, box, width, height);
  const com = centerOfMass(digit) ?? { x: width / 2, y: height / 2 };
  const center = MNIST_SIZE / 2;
  const left = clamp(Math.round(center - com.x), 0, MNIST_SIZE - width);
  const top = clamp(Math.round(center - com.y), 0, MNIST_SIZE - height);
  const out = new Float32Array(MNIST_SIZE * MNIST_SIZE);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[(top + y) * MNIST_SIZE + left + x] = Math.min(1, digit.data[y * width + x]);
  }
  return { width: MNIST_SIZE, height: MNIST_SIZE, data: out };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Grayscale intensities of RGBA pixels (the red channel: the canvas draws white ink on black). */
export function grayFromRgba(rgba: Uint8ClampedArray, width: number, height: number): GrayImage {
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = rgba[i * 4] / 255;
  return { width, height, data };
}
