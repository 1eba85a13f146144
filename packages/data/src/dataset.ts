import type { Tensor } from '@kindling/tensor';

/**
 * What the default collate makes of a sample type: tensors are stacked into
 * a batch tensor, numbers and booleans become 1-D tensors, and arrays and
 * objects keep their structure with each field collated.
 */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Collated<T[K]> }
      : T extends object
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : never;

/**
 * A map-style dataset: `length` samples reachable by index (PyTorch's
 * `__len__` and `__getitem__`). Datasets that can fetch many samples at once
 * add `getBatch`, which the `DataLoader` calls with a whole batch of indices
 * so a batch costs one gather instead of one tensor per sample.
 */
export interface MapDataset<T> {
  /** Number of samples. */
  readonly length: number;
  /** Sample `index` (0 ≤ index < length). */
  getItem(index: number): T;
  /**
   * The samples at `indices`, already batched: equal to the default collate
   * of `getItem` over the indices, computed at once.
   */
  getBatch?(indices: Int32Array): Collated<T>;
}

/**
 * Base class of map-style datasets (`torch.utils.data.Dataset`). Subclasses
 * implement `length` and `getItem`, and `getBatch` when they can.
 */
export abstract class Dataset<T> implements MapDataset<T> {
  abstract get length(): number;
  abstract getItem(index: number): T;

  /** `for (const sample of dataset)` visits every sample in order. */
  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.getItem(i);
  }
}

/**
 * A dataset that is a stream of samples (`torch.utils.data.IterableDataset`),
 * e.g. records read from a network; it has no indices, so a `DataLoader`
 * over it cannot shuffle. Subclasses implement `[Symbol.asyncIterator]`
 * (a sync or async generator method both work with `IterableDataset.from`).
 */
export abstract class IterableDataset<T> implements AsyncIterable<T> {
  /** Number of samples, when known (it lets `DataLoader.length` answer). */
  get length(): number | undefined {
    return undefined;
  }

  abstract [Symbol.asyncIterator](): AsyncIterator<T>;

  /** Wraps any iterable or async iterable (e.g. a generator function's result factory). */
  static from<T>(source: () => Iterable<T> | AsyncIterable<T>, length?: number): IterableDataset<T> {
    return new (class extends IterableDataset<T> {
      override get length(): number | undefined {
        return length;
      }
      async *[Symbol.asyncIterator](): AsyncIterator<T> {
        yield* source();
      }
    })();
  }
}

/** Whether `dataset` is a stream rather than indexable. */
export function isIterableDataset<T>(dataset: MapDataset<T> | IterableDataset<T>): dataset is IterableDataset<T> {
  return typeof (dataset as MapDataset<T>).getItem !== 'function';
}
