import type { Tensor } from '@kindling/tensor';
import { hostImageGeometry } from './affine-cast.js';
import { Normalize } from './normalize.js';
import { type PixelMap, type PixelMapper, composePixelMaps, isPixelMapper } from './remap.js';
import { ToTensor, ToTensorNormalize } from './to-tensor.js';
import type { HostRows, Transform } from './transform.js';

/**
 * Applies transforms in order (`torchvision.transforms.Compose`). A `ToTensor`
 * directly followed by a `Normalize` runs as one fused conversion (one pass
 * from bytes to normalized floats instead of three). On byte images in host
 * memory (MNIST, CIFAR10 on the CPU), pixel maps before that `ToTensor`
 * (`RandomCrop`, `RandomHorizontalFlip`, `RandomAffine`) fold into the same
 * pass: torchvision's usual `[RandomCrop, RandomHorizontalFlip, ToTensor,
 * Normalize]` reads each byte once and writes each float once.
 */
export class Compose implements Transform {
  readonly transforms: readonly Transform[];
  private readonly plan: readonly Transform[];

  constructor(transforms: readonly Transform[]) {
    this.transforms = transforms;
    const plan: Transform[] = [];
    for (let i = 0; i < transforms.length; i++) {
      const t = transforms[i];
      const next = transforms[i + 1];
      if (t instanceof ToTensor && !(t instanceof ToTensorNormalize) && next instanceof Normalize) {
        plan.push(t.fuse(next));
        i++;
      } else plan.push(t);
    }
    this.plan = plan;
  }

  apply(x: Tensor): Tensor {
    return this.run(x, (t, v) => t.apply(v));
  }

  applyBatch(x: Tensor): Tensor {
    return this.run(x, (t, v) => t.applyBatch(v));
  }

  applyBatchToHostRows(source: HostRows, indices: Int32Array, device: string): Tensor | null {
    let i = 0;
    while (i < this.plan.length && isPixelMapper(this.plan[i])) i++;
    const mappers = this.plan.slice(0, i) as unknown as PixelMapper[];
    const converter = this.plan[i];
    let head: Tensor | null;
    if (mappers.length === 0) head = converter?.applyBatchToHostRows?.(source, indices, device) ?? null;
    else {
      // Decide before drawing any random number, so a fallback to the tensor path draws the same ones.
      const fill = agreedFill(mappers);
      const geometry = hostImageGeometry(source.sampleShape);
      if (!(converter instanceof ToTensor) || fill === undefined || geometry === null) return null;
      let map: PixelMap | null = null;
      let [h, w] = [geometry.h, geometry.w];
      for (const m of mappers) {
        const next = m.pixelMap(indices.length, h, w);
        map = map === null ? next : composePixelMaps(map, next, indices.length);
        [h, w] = [next.outH, next.outW];
      }
      head = converter.hostRowsToFloat(source, indices, device, map && { ...map, fill });
    }
    if (head === null) return null;
    const out = this.runFrom(head, this.plan.slice(i + 1), (t, v) => t.applyBatch(v));
    if (out !== head) head.dispose();
    return out;
  }

  private run(x: Tensor, step: (t: Transform, v: Tensor) => Tensor): Tensor {
    return this.runFrom(x, this.plan, step);
  }

  private runFrom(x: Tensor, plan: readonly Transform[], step: (t: Transform, v: Tensor) => Tensor): Tensor {
    let v = x;
    for (const t of plan) {
      const next = step(t, v);
      if (v !== x && next !== v) v.dispose();
      v = next;
    }
    return v;
  }
}

/**
 * The fill every map reaching outside the image uses (0 when none does), or
 * undefined when they disagree or the fill is not a byte: the tensor path
 * writes fills into the uint8 image, so only byte fills fold exactly.
 */
function agreedFill(mappers: readonly PixelMapper[]): number | undefined {
  const fills = new Set(mappers.map((m) => m.outsideFill).filter((f) => f !== null));
  if (fills.size > 1) return undefined;
  const [fill = 0] = fills;
  return Number.isInteger(fill) && fill >= 0 && fill <= 255 ? fill : undefined;
}
