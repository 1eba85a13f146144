import { type Generator, KindlingError, type Tensor, defaultGenerator } from '@kindling/tensor';
import { type PixelMap, type PixelMapper, remapImages } from './remap.js';
import type { Transform } from './transform.js';

/**
 * Mirrors each image left-right with probability `p`
 * (`torchvision.transforms.RandomHorizontalFlip`); in a batch every image
 * draws its own coin, and the whole batch is one gather. Images are `[H, W]`,
 * `[C, H, W]` or uint8 HWC `[H, W, C]` (as CIFAR10 gives them).
 */
export class RandomHorizontalFlip implements Transform, PixelMapper {
  readonly p: number;
  private readonly generator: Generator;

  constructor(p = 0.5, options: { generator?: Generator } = {}) {
    if (!(p >= 0 && p <= 1)) throw new KindlingError(`RandomHorizontalFlip: p should be in [0, 1], got ${p}`);
    this.p = p;
    this.generator = options.generator ?? defaultGenerator;
  }

  apply(x: Tensor): Tensor {
    return remapImages('RandomHorizontalFlip', x, false, (n, h, w) => this.pixelMap(n, h, w));
  }

  applyBatch(x: Tensor): Tensor {
    return remapImages('RandomHorizontalFlip', x, true, (n, h, w) => this.pixelMap(n, h, w));
  }

  /** @internal A flip never reaches outside the image. */
  get outsideFill(): number | null {
    return null;
  }

  /** @internal Tosses a coin for each of `n` images of `h × w`. */
  pixelMap(n: number, h: number, w: number): PixelMap {
    const coins = this.generator.uniform(n);
    const source = new Int32Array(n * h * w);
    for (let s = 0, k = 0; s < n; s++) {
      const mirror = coins[s] < this.p;
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) source[k++] = i * w + (mirror ? w - 1 - j : j);
    }
    return { source, outH: h, outW: w, fill: 0 };
  }
}
