import { type Generator, KindlingError, type Tensor, defaultGenerator } from '@kindling/tensor';
import { type PixelMap, type PixelMapper, remapImages } from './remap.js';
import type { Transform } from './transform.js';

/** Options of `RandomAffine`. */
export interface RandomAffineOptions {
  /** Rotation range in degrees: `d` means [-d, d]; a pair means [min, max]. */
  degrees: number | readonly [number, number];
  /** Maximum shift as fractions of width and height: [a, b] shifts by up to a·W and b·H. */
  translate?: readonly [number, number];
  /** Scale range [min, max]. */
  scale?: readonly [number, number];
  /** Value of pixels that come from outside the image (default 0). */
  fill?: number;
  generator?: Generator;
}

/**
 * Random rotation, translation and scaling about the image center, with
 * nearest-neighbour sampling (`torchvision.transforms.RandomAffine`, no
 * shear). Each image of a batch draws its own parameters; the batch is one gather.
 */
export class RandomAffine implements Transform, PixelMapper {
  readonly degrees: readonly [number, number];
  readonly translate: readonly [number, number] | undefined;
  readonly scale: readonly [number, number] | undefined;
  readonly fill: number;
  private readonly generator: Generator;

  constructor(options: RandomAffineOptions) {
    const d = options.degrees;
    if (typeof d === 'number' && d < 0) throw new KindlingError(`RandomAffine: degrees must be non-negative, got ${d}`);
    this.degrees = typeof d === 'number' ? [-d, d] : [d[0], d[1]];
    this.translate = options.translate;
    this.scale = options.scale;
    if (this.translate?.some((t) => !(t >= 0 && t <= 1))) {
      throw new KindlingError(`RandomAffine: translate values should be in [0, 1], got [${this.translate}]`);
    }
    if (this.scale?.some((s) => !(s > 0))) throw new KindlingError(`RandomAffine: scale values should be positive, got [${this.scale}]`);
    this.fill = options.fill ?? 0;
    this.generator = options.generator ?? defaultGenerator;
  }

  apply(x: Tensor): Tensor {
    return remapImages(this.constructor.name, x, false, (n, h, w) => this.pixelMap(n, h, w));
  }

  applyBatch(x: Tensor): Tensor {
    return remapImages(this.constructor.name, x, true, (n, h, w) => this.pixelMap(n, h, w));
  }

  /** @internal */
  get outsideFill(): number | null {
    return this.fill;
  }

  /** @internal Draws the parameters of each of `n` images of `h × w`. */
  pixelMap(n: number, h: number, w: number): PixelMap {
    const u = this.generator.uniform(4 * n);
    const source = new Int32Array(n * h * w);
    const cy = (h - 1) / 2;
    const cx = (w - 1) / 2;
    const lerp = (range: readonly [number, number], t: number) => range[0] + (range[1] - range[0]) * t;
    for (let s = 0, k = 0; s < n; s++) {
      const angle = (lerp(this.degrees, u[4 * s]) * Math.PI) / 180;
      const tx = this.translate ? Math.round((2 * u[4 * s + 1] - 1) * this.translate[0] * w) : 0;
      const ty = this.translate ? Math.round((2 * u[4 * s + 2] - 1) * this.translate[1] * h) : 0;
      const sc = this.scale ? lerp(this.scale, u[4 * s + 3]) : 1;
      // Inverse map, output pixel -> source pixel. Positive angles turn the image counter-clockwise on screen (y points down), as in torchvision.
      const cos = Math.cos(angle) / sc;
      const sin = Math.sin(angle) / sc;
      for (let i = 0; i < h; i++) {
        const dy = i - cy - ty;
        for (let j = 0; j < w; j++) {
          const dx = j - cx - tx;
          const sx = Math.round(cos * dx - sin * dy + cx);
          const sy = Math.round(sin * dx + cos * dy + cy);
          source[k++] = sx >= 0 && sx < w && sy >= 0 && sy < h ? sy * w + sx : -1;
        }
      }
    }
    return { source, outH: h, outW: w, fill: this.fill };
  }
}

/** Random rotation by an angle in [-degrees, degrees] (`torchvision.transforms.RandomRotation`, nearest, no expand). */
export class RandomRotation extends RandomAffine {
  constructor(degrees: number | readonly [number, number], options: { fill?: number; generator?: Generator } = {}) {
    super({ degrees, ...options });
  }
}
