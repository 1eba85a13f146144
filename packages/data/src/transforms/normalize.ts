import { DTypeError, KindlingError, ShapeError, type Tensor, isFloating, tensor } from '@kindling/tensor';
import type { Transform } from './transform.js';

/**
 * `torchvision.transforms.Normalize`: `(x - mean[c]) / std[c]` for each
 * channel `c` of a float image `[..., C, H, W]` (a sample or a batch). One
 * mean and std apply to every channel.
 */
export class Normalize implements Transform {
  readonly mean: readonly number[];
  readonly std: readonly number[];

  constructor(mean: readonly number[], std: readonly number[]) {
    if (mean.length === 0 || mean.length !== std.length) {
      throw new KindlingError(`Normalize: mean and std must be non-empty and of equal length, got ${mean.length} and ${std.length}`);
    }
    if (std.some((s) => Math.fround(s) === 0)) {
      throw new KindlingError(
        `Normalize: std evaluated to zero after conversion to float32, leading to division by zero (std [${std.join(', ')}])`,
      );
    }
    this.mean = [...mean];
    this.std = [...std];
  }

  /** @internal */
  meanOf(c: number): number {
    return this.mean[this.mean.length === 1 ? 0 : c];
  }

  /** @internal */
  stdOf(c: number): number {
    return this.std[this.std.length === 1 ? 0 : c];
  }

  /** @internal Throws unless the statistics fit `channels` channels. */
  checkChannels(channels: number): void {
    if (this.mean.length !== 1 && this.mean.length !== channels) {
      throw new ShapeError(`Normalize: ${this.mean.length} means and stds for an image with ${channels} channels`);
    }
  }

  apply(x: Tensor): Tensor {
    return this.run(x);
  }

  applyBatch(x: Tensor): Tensor {
    return this.run(x);
  }

  private run(x: Tensor): Tensor {
    if (!isFloating(x.dtype)) {
      throw new DTypeError(`Normalize: input should be a float tensor (use ToTensor first), got ${x.dtype}`);
    }
    if (x.ndim < 3) throw new ShapeError(`Normalize: expected an image [..., C, H, W], got shape [${x.shape.join(',')}]`);
    const channels = x.shape[x.ndim - 3];
    this.checkChannels(channels);
    const stats = (f: (c: number) => number) =>
      tensor(
        Float32Array.from({ length: channels }, (_, c) => f(c)),
        { shape: [channels, 1, 1], device: x.device, dtype: x.dtype },
      );
    const mean = stats((c) => this.meanOf(c));
    const std = stats((c) => this.stdOf(c));
    const centered = x.sub(mean);
    const out = centered.div(std);
    for (const t of [mean, std, centered]) t.dispose();
    return out;
  }
}
