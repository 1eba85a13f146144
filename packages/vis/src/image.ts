import { KindlingError, ShapeError, type Tensor, isFloating } from '@kindling/tensor';
import { COLORMAPS, type Colormap, colorOf } from './colormap.js';

/** A picture ready to draw: `width * height` RGB pixels, row-major, channels in [0, 1]. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Float32Array;
}

/** Undoes `transforms.Normalize(mean, std)`: each pixel becomes `value * std + mean`, per channel. */
export interface Unnormalize {
  mean: number | readonly number[];
  std: number | readonly number[];
}

/** How a tensor becomes a picture (shared by `imshow`, `viewClassify` and their PNG forms). */
export interface ImageOptions {
  /** Undo a `Normalize` transform first, as the tutorials' `helper.imshow(normalize=True)` does. */
  unnormalize?: Unnormalize;
  /** Colours of a one-channel image; default `'gray'`. */
  cmap?: Colormap;
  /** The value shown as black (the colormap's low end); default the image's minimum, as matplotlib. */
  vmin?: number;
  /** The value shown as white (the colormap's high end); default the image's maximum, as matplotlib. */
  vmax?: number;
}

/** ImageNet's `Normalize` statistics, which the tutorials' `helper.imshow` undoes by default. */
export const IMAGENET_NORMALIZATION: Unnormalize = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** Channels, height and width of an image tensor, or a one-line error naming `arg` and what was expected. */
function layout(op: string, arg: string, shape: readonly number[]): [number, number, number] {
  const dims = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape;
  if (dims.length === 3 && (dims[0] === 1 || dims[0] === 3)) return [dims[0], dims[1], dims[2]];
  // A flattened square image, [784] or [1, 784] (the tutorials' img.view(1, 784)), which helper.view_classify resizes to 28x28.
  const flat = dims.length === 1 ? dims[0] : dims.length === 2 && dims[0] === 1 ? dims[1] : undefined;
  const side = Math.round(Math.sqrt(flat ?? 0));
  if (flat !== undefined && side > 1 && side * side === flat) return [1, side, side];
  if (dims.length === 2) return [1, dims[0], dims[1]];
  throw new ShapeError(
    `${op}: ${arg} has shape ${fmt(shape)}, expected [H, W], [1, H, W] or [3, H, W] (also [1, C, H, W], or [N]/[1, N] for a flattened square image)`,
  );
}

function perChannel(op: string, name: string, value: number | readonly number[], channels: number): number[] {
  if (typeof value === 'number') return Array(channels).fill(value);
  if (value.length === 1) return Array(channels).fill(value[0]);
  if (value.length !== channels) {
    throw new KindlingError(`${op}: unnormalize.${name} has ${value.length} values, expected 1 or ${channels} (one per channel)`);
  }
  return [...value];
}

/** Reads `image` (which must be on a synchronously readable device, like 'cpu') and turns it into RGB pixels. */
export function toRgbImage(op: string, image: Tensor, options: ImageOptions = {}): RgbImage {
  const [channels, height, width] = layout(op, 'image', image.shape);
  if (height === 0 || width === 0) throw new ShapeError(`${op}: image has shape ${fmt(image.shape)}, expected at least one pixel`);
  const cmap = options.cmap ?? 'gray';
  if (!COLORMAPS.includes(cmap)) throw new KindlingError(`${op}: cmap '${cmap}' is unknown, expected one of ${COLORMAPS.join(', ')}`);
  const data = Float64Array.from(image.readSync());
  const plane = width * height;
  if (options.unnormalize) {
    const mean = perChannel(op, 'mean', options.unnormalize.mean, channels);
    const std = perChannel(op, 'std', options.unnormalize.std, channels);
    for (let i = 0; i < data.length; i++) {
      const c = Math.floor(i / plane);
      data[i] = data[i] * std[c] + mean[c];
    }
  }
  const pixels = new Float32Array(plane * 3);
  if (channels === 3) {
    // Like matplotlib: RGB floats are clipped to [0, 1], integer images are 0..255.
    const scale = isFloating(image.dtype) ? 1 : 1 / 255;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) pixels[3 * p + c] = clamp01(data[c * plane + p] * scale);
    }
    return { width, height, pixels };
  }
  let lo = options.vmin ?? Number.POSITIVE_INFINITY;
  let hi = options.vmax ?? Number.NEGATIVE_INFINITY;
  if (options.vmin === undefined || options.vmax === undefined) {
    for (const v of data) {
      if (!Number.isFinite(v)) continue;
      if (options.vmin === undefined) lo = Math.min(lo, v);
      if (options.vmax === undefined) hi = Math.max(hi, v);
    }
  }
  const span = hi > lo ? hi - lo : 1;
  for (let p = 0; p < plane; p++) {
    const [r, g, b] = colorOf(cmap, clamp01((data[p] - lo) / span));
    pixels[3 * p] = r;
    pixels[3 * p + 1] = g;
    pixels[3 * p + 2] = b;
  }
  return { width, height, pixels };
}

function clamp01(v: number): number {
  return Number.isNaN(v) ? 0 : v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Box-averages `img` down by an integer `factor` (a large image in a narrow terminal). */
export function shrink(img: RgbImage, factor: number): RgbImage {
  if (factor <= 1) return img;
  const width = Math.ceil(img.width / factor);
  const height = Math.ceil(img.height / factor);
  const pixels = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let n = 0;
      const sum = [0, 0, 0];
      for (let sy = y * factor; sy < Math.min(img.height, (y + 1) * factor); sy++) {
        for (let sx = x * factor; sx < Math.min(img.width, (x + 1) * factor); sx++) {
          for (let c = 0; c < 3; c++) sum[c] += img.pixels[3 * (sy * img.width + sx) + c];
          n++;
        }
      }
      for (let c = 0; c < 3; c++) pixels[3 * (y * width + x) + c] = sum[c] / n;
    }
  }
  return { width, height, pixels };
}
