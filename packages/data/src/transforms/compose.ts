import type { Tensor } from '@kindling/tensor';
import { Normalize } from './normalize.js';
import { ToTensor } from './to-tensor.js';
import type { HostRows, Transform } from './transform.js';

/**
 * Applies transforms in order (`torchvision.transforms.Compose`). A `ToTensor`
 * directly followed by a `Normalize` runs as one fused conversion (one pass
 * from bytes to normalized floats instead of three).
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
      if (t instanceof ToTensor && next instanceof Normalize) {
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
    const [first, ...rest] = this.plan;
    const head = first?.applyBatchToHostRows?.(source, indices, device) ?? null;
    if (head === null) return null;
    const out = this.runFrom(head, rest, (t, v) => t.applyBatch(v));
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
