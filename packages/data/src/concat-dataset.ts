import { KindlingError, tensor } from '@kindling/tensor';
import { catBatches, disposeTensors, reorderBatch } from './collate.js';
import { type Collated, Dataset, type MapDataset } from './dataset.js';
import { checkIndex, checkIndices } from './indices.js';

/**
 * The datasets one after another (`torch.utils.data.ConcatDataset`). When
 * every part batches, a batch asks each part once for its share and puts the
 * samples back in the requested order with one gather.
 */
export class ConcatDataset<T> extends Dataset<T> {
  readonly datasets: readonly MapDataset<T>[];
  /** `cumulativeSizes[i]` is the total length of datasets 0..i. */
  readonly cumulativeSizes: readonly number[];
  readonly getBatch?: (indices: Int32Array) => Collated<T>;

  constructor(datasets: readonly MapDataset<T>[]) {
    super();
    if (datasets.length === 0) throw new KindlingError('ConcatDataset: datasets should not be an empty list');
    this.datasets = datasets;
    let total = 0;
    this.cumulativeSizes = datasets.map((d) => (total += d.length));
    if (datasets.every((d) => typeof d.getBatch === 'function')) this.getBatch = (indices) => this.batch(indices);
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }

  /** Which dataset holds global `index`, and the index inside it. */
  locate(index: number): [dataset: number, local: number] {
    let lo = 0;
    let hi = this.cumulativeSizes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (index < this.cumulativeSizes[mid]) hi = mid;
      else lo = mid + 1;
    }
    return [lo, index - (lo === 0 ? 0 : this.cumulativeSizes[lo - 1])];
  }

  getItem(index: number): T {
    checkIndex('ConcatDataset.getItem', index, this.length);
    const [d, local] = this.locate(index);
    return this.datasets[d].getItem(local);
  }

  private batch(indices: Int32Array): Collated<T> {
    checkIndices('ConcatDataset.getBatch', indices, this.length);
    const groups = this.datasets.map(() => ({ local: [] as number[], positions: [] as number[] }));
    indices.forEach((index, position) => {
      const [d, local] = this.locate(index);
      groups[d].local.push(local);
      groups[d].positions.push(position);
    });
    const used = groups.map((g, d) => ({ ...g, d })).filter((g) => g.local.length > 0);
    const parts = used.map((g) => (this.datasets[g.d].getBatch as (i: Int32Array) => Collated<T>)(Int32Array.from(g.local)));
    if (parts.length === 1) return parts[0];
    const joined = catBatches(parts);
    disposeTensors(parts);
    // Row `at` of `joined` holds the sample requested at positions[...]; invert that.
    const order = new Int32Array(indices.length);
    let at = 0;
    for (const g of used) for (const p of g.positions) order[p] = at++;
    const orderTensor = tensor(order);
    const out = reorderBatch(joined, orderTensor);
    orderTensor.dispose();
    disposeTensors(joined);
    return out;
  }
}
