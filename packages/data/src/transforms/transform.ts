import { type Tensor, stack } from '@kindling/tensor';

/**
 * A tensor-to-tensor transform (torchvision's transforms, on tensors). Each
 * works on one sample (`apply`) and on a batch with a leading sample dim
 * (`applyBatch`), which datasets use to transform a whole batch at once.
 */
export interface Transform {
  /** Transforms one sample. */
  apply(x: Tensor): Tensor;
  /** Transforms a batch `[N, ...sample]`; equal to `apply` on each sample, stacked. */
  applyBatch(x: Tensor): Tensor;
  /**
   * Optional fast path for datasets that hold their samples as bytes in host
   * memory: `applyBatch` of the uint8 samples `indices` of `source`, without
   * building the uint8 batch tensor first (and without a gather kernel).
   * Returns null when it cannot handle the input; the dataset then gathers
   * a tensor and calls `applyBatch`.
   */
  applyBatchToHostRows?(source: HostRows, indices: Int32Array, device: string): Tensor | null;
}

/** Same-shape uint8 samples stored back to back in host memory. */
export interface HostRows {
  readonly data: Uint8Array;
  /** Shape of one sample, e.g. `[28, 28]` (MNIST) or `[32, 32, 3]` (CIFAR10, HWC). */
  readonly sampleShape: readonly number[];
}

/** Base class: subclasses implement `apply`; `applyBatch` falls back to one sample at a time. */
export abstract class BaseTransform implements Transform {
  abstract apply(x: Tensor): Tensor;

  applyBatch(x: Tensor): Tensor {
    const samples = x.unbind(0);
    const out = samples.map((s) => this.apply(s));
    const batch = stack(out, 0);
    for (const t of [...samples, ...out]) if (t !== batch) t.dispose();
    return batch;
  }
}
