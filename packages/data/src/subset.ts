import { type Generator, KindlingError, defaultGenerator } from '@kindling/tensor';
import { type Collated, Dataset, type MapDataset } from './dataset.js';
import { checkIndex, checkIndices, toInt32 } from './indices.js';

/** The samples of `dataset` at `indices`, in that order (`torch.utils.data.Subset`). */
export class Subset<T> extends Dataset<T> {
  readonly dataset: MapDataset<T>;
  readonly indices: Int32Array;
  /** Present when the underlying dataset batches: a batch maps its indices and asks it. */
  readonly getBatch?: (indices: Int32Array) => Collated<T>;

  constructor(dataset: MapDataset<T>, indices: ArrayLike<number> | Iterable<number>) {
    super();
    this.dataset = dataset;
    this.indices = toInt32('Subset', indices);
    checkIndices('Subset', this.indices, dataset.length);
    const inner = dataset.getBatch?.bind(dataset);
    if (inner) {
      this.getBatch = (batch: Int32Array): Collated<T> => {
        checkIndices('Subset.getBatch', batch, this.indices.length);
        const mapped = new Int32Array(batch.length);
        for (let i = 0; i < batch.length; i++) mapped[i] = this.indices[batch[i]];
        return inner(mapped);
      };
    }
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number): T {
    checkIndex('Subset.getItem', index, this.indices.length);
    return this.dataset.getItem(this.indices[index]);
  }
}

/**
 * Splits `dataset` into non-overlapping random subsets
 * (`torch.utils.data.random_split`). `lengths` are sample counts summing to
 * the dataset's length, or fractions summing to 1 (remainders go one by one
 * to the first subsets, as in PyTorch). The permutation comes from
 * `generator` (default: the global generator), so a seed fixes the split.
 */
export function randomSplit<T>(dataset: MapDataset<T>, lengths: readonly number[], generator: Generator = defaultGenerator): Subset<T>[] {
  const n = dataset.length;
  let counts = [...lengths];
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.every((l) => l >= 0 && l <= 1) && Math.abs(total - 1) < 1e-9 && total !== n) {
    counts = lengths.map((f) => Math.floor(n * f));
    let rest = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i]++;
  }
  if (counts.some((c) => !Number.isInteger(c) || c < 0) || counts.reduce((a, b) => a + b, 0) !== n) {
    throw new KindlingError(
      `randomSplit: lengths [${lengths.join(', ')}] must be non-negative counts summing to the dataset length ${n}, or fractions summing to 1`,
    );
  }
  const perm = generator.randperm(n);
  const out: Subset<T>[] = [];
  let start = 0;
  for (const c of counts) {
    out.push(new Subset(dataset, perm.subarray(start, start + c)));
    start += c;
  }
  return out;
}
