import { type Generator, KindlingError, ShapeError, type Tensor, defaultGenerator } from '@kindling/tensor';
import { type PixelMap, type PixelMapper, remapImages } from './remap.js';
import type { Transform } from './transform.js';

/** Options of `RandomCrop`. */
export interface RandomCropOptions {
  /** Border added on every side before cropping (torchvision's `padding` with one value). */
  padding?: number;
  /** Value of the padded border (default 0). */
  fill?: number;
  generator?: Generator;
}

/**
 * Crops a random `size` window, after padding the image by `padding` pixels
 * (`torchvision.transforms.RandomCrop`, constant padding). Each image of a
 * batch gets its own window; the batch is one gather. Images are `[H, W]`,
 * `[C, H, W]` or uint8 HWC `[H, W, C]` (as CIFAR10 gives them).
 */
export class RandomCrop implements Transform, PixelMapper {
  readonly size: readonly [number, number];
  readonly padding: number;
  readonly fill: number;
  private readonly generator: Generator;

  constructor(size: number | readonly [number, number], options: RandomCropOptions = {}) {
    this.size = typeof size === 'number' ? [size, size] : [size[0], size[1]];
    this.padding = options.padding ?? 0;
    this.fill = options.fill ?? 0;
    this.generator = options.generator ?? defaultGenerator;
    if (!this.size.every((s) => Number.isInteger(s) && s > 0) || !Number.isInteger(this.padding) || this.padding < 0) {
      throw new KindlingError(
        `RandomCrop: size must be positive integers and padding a non-negative integer, got size [${this.size}] padding ${this.padding}`,
      );
    }
  }

  apply(x: Tensor): Tensor {
    return remapImages('RandomCrop', x, false, (n, h, w) => this.pixelMap(n, h, w));
  }

  applyBatch(x: Tensor): Tensor {
    return remapImages('RandomCrop', x, true, (n, h, w) => this.pixelMap(n, h, w));
  }

  /** @internal */
  get outsideFill(): number | null {
    return this.padding > 0 ? this.fill : null;
  }

  /** @internal Draws a window for each of `n` images of `h × w`. */
  pixelMap(n: number, h: number, w: number): PixelMap {
    const [th, tw] = this.size;
    const p = this.padding;
    if (h + 2 * p < th || w + 2 * p < tw) {
      throw new ShapeError(`RandomCrop: required crop size [${th},${tw}] is larger than the padded image [${h + 2 * p},${w + 2 * p}]`);
    }
    const u = this.generator.uniform(2 * n);
    const source = new Int32Array(n * th * tw);
    for (let s = 0, k = 0; s < n; s++) {
      // Top-left corner of the window in padded coordinates, then back to the image's.
      const top = Math.floor(u[2 * s] * (h + 2 * p - th + 1)) - p;
      const left = Math.floor(u[2 * s + 1] * (w + 2 * p - tw + 1)) - p;
      for (let i = 0; i < th; i++) {
        const y = top + i;
        for (let j = 0; j < tw; j++) {
          const xx = left + j;
          source[k++] = y >= 0 && y < h && xx >= 0 && xx < w ? y * w + xx : -1;
        }
      }
    }
    return { source, outH: th, outW: tw, fill: this.fill };
  }
}
