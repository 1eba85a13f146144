import { ShapeError, type Tensor, tensor } from '@kindling/tensor';
import { Dataset } from './dataset.js';
import { checkIndex, checkIndices } from './indices.js';

/**
 * Samples are slices of tensors along their first dim
 * (`torch.utils.data.TensorDataset`): sample `i` is `[t0[i], t1[i], ...]`.
 * A batch is one `indexSelect` per tensor.
 */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new ShapeError('TensorDataset: expected at least one tensor');
    const n = tensors[0].ndim === 0 ? -1 : tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (t.ndim === 0 || t.shape[0] !== n) {
        throw new ShapeError(
          `TensorDataset: size mismatch between tensors: tensor 0 has shape [${tensors[0].shape.join(',')}], tensor ${i} has [${t.shape.join(',')}] (first dims must be equal)`,
        );
      }
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  getItem(index: number): Tensor[] {
    checkIndex('TensorDataset.getItem', index, this.length);
    return this.tensors.map((t) => t.select(0, index));
  }

  getBatch(indices: Int32Array): Tensor[] {
    checkIndices('TensorDataset.getBatch', indices, this.length);
    const index = tensor(indices, { device: this.tensors[0].device });
    try {
      return this.tensors.map((t) => t.indexSelect(0, index));
    } finally {
      index.dispose();
    }
  }
}
