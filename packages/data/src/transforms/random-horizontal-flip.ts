import { type Generator, KindlingError, type Tensor, defaultGenerator } from '@kindling/tensor';
import { asImageBatch, remapBatch } from './remap.js';
import type { Transform } from './transform.js';

/**
 * Mirrors each image left-right with probability `p`
 * (`torchvision.transforms.RandomHorizontalFlip`); in a batch every image
 * draws its own coin, and the whole batch is one gather.
 */
export class RandomHorizontalFlip implements Transform {
  readonly p: number;
  private readonly generator: Generator;

  constructor(p = 0.5, options: { generator?: Generator } = {}) {
    if (!(p >= 0 && p <= 1)) throw new KindlingError(`RandomHorizontalFlip: p should be in [0, 1], got ${p}`);
    this.p = p;
    this.generator = options.generator ?? defaultGenerator;
  }

  apply(x: Tensor): Tensor {
    return asImageBatch('RandomHorizontalFlip', x, false, (b) => this.flip(b));
  }

  applyBatch(x: Tensor): Tensor {
    return asImageBatch('RandomHorizontalFlip', x, true, (b) => this.flip(b));
  }

  private flip(x: Tensor): Tensor {
    const [n, , h, w] = x.shape;
    const coins = this.generator.uniform(n);
    const source = new Int32Array(n * h * w);
    for (let s = 0, k = 0; s < n; s++) {
      const mirror = coins[s] < this.p;
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) source[k++] = i * w + (mirror ? w - 1 - j : j);
    }
    return remapBatch(x, source, h, w, 0);
  }
}
