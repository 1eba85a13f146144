import { type Generator, KindlingError, type TidyResult, defaultGenerator, tidy } from '@kindling/tensor';
import { defaultCollate, disposeTensors } from './collate.js';
import { type Collated, type IterableDataset, type MapDataset, isIterableDataset } from './dataset.js';
import { BatchSampler, type BatchSamplerLike, RandomSampler, type Sampler, SequentialSampler } from './sampler.js';

/** Options of `DataLoader` (PyTorch's names, in camelCase). */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Reshuffle every epoch (map-style datasets only). */
  shuffle?: boolean;
  /** Custom order of indices; excludes `shuffle`. */
  sampler?: Sampler;
  /** Custom groups of indices; excludes `batchSize`, `shuffle`, `sampler` and `dropLast`. */
  batchSampler?: BatchSamplerLike;
  /** Drop the last batch when it is smaller than `batchSize`. */
  dropLast?: boolean;
  /**
   * Turns a list of samples into a batch. Without it, datasets with `getBatch`
   * build each batch at once and others go through `defaultCollate`.
   */
  collate?: (samples: T[]) => B;
  /** The random stream `shuffle` uses (default: the global generator). */
  generator?: Generator;
  /**
   * Batches built ahead of the one being consumed (default 1): the next batch
   * is made in a turn of the event loop, while the current one trains if the
   * step awaits (a GPU read, I/O), else when it is asked for. 0 builds each
   * batch on demand. Either way the loader yields to the event loop for every
   * batch, so tensors a loop never disposes are freed as it goes. Building
   * ahead starts with the second batch, so a pass that takes one batch
   * (`next(iter(loader))`) builds only that one.
   */
  prefetch?: number;
}

type Scheduler = (fn: () => void) => void;

// A macrotask, so prefetching runs while the consumer awaits (GPU reads, I/O), not inside its step.
const schedule: Scheduler =
  typeof setImmediate === 'function'
    ? (fn) => {
        setImmediate(fn);
      }
    : (fn) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          channel.port1.close();
          fn();
        };
        channel.port2.postMessage(null);
      };

/** Resolves on the next turn of the event loop (a macrotask). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => schedule(resolve));
}

/**
 * A batch built ahead of time by the scheduler, in a turn of the event loop:
 * while the consumer awaits a GPU read or I/O, or else once it asks for the
 * batch and awaits `scheduled`.
 */
class BatchJob<B> {
  private state: 'pending' | 'done' | 'failed' | 'taken' = 'pending';
  private value: B | undefined;
  private error: unknown;
  /** Settles after the scheduler's turn for this job, whether it built the batch then or found it taken. */
  readonly scheduled: Promise<void>;

  constructor(private readonly build: () => B) {
    this.scheduled = new Promise((resolve) =>
      schedule(() => {
        this.run();
        resolve();
      }),
    );
  }

  run(): void {
    if (this.state !== 'pending') return;
    try {
      this.value = this.build();
      this.state = 'done';
    } catch (error) {
      this.error = error;
      this.state = 'failed';
    }
  }

  /** The batch (built now if its turn has not come yet); rethrows the build's error. */
  take(): B {
    this.run();
    if (this.state === 'failed') throw this.error;
    const value = this.value as B;
    // The scheduler may hold this job until the loop idles; it must not hold the batch.
    this.value = undefined;
    this.state = 'taken';
    return value;
  }

  cancel(): void {
    if (this.state === 'done') disposeTensors(this.value);
    this.state = 'taken';
    this.value = undefined;
  }
}

/**
 * Iterates over a dataset in batches (`torch.utils.data.DataLoader`), with
 * `for await (const [x, y] of loader)`. Each batch's tensors belong to the
 * consumer (dispose them, or let `tidy`/GC do it); tensors made while
 * building a batch are disposed.
 */
export class DataLoader<T, B = Collated<T>> implements AsyncIterable<B> {
  readonly dataset: MapDataset<T> | IterableDataset<T>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly prefetch: number;
  /** The sampler of indices (null for iterable datasets). */
  readonly sampler: Sampler | null;
  /** Groups of indices, one per batch (null for iterable datasets). */
  readonly batchSampler: BatchSamplerLike | null;
  private readonly collate: ((samples: T[]) => B) | undefined;

  constructor(dataset: MapDataset<T> | IterableDataset<T>, options: DataLoaderOptions<T, B> = {}) {
    this.dataset = dataset;
    this.collate = options.collate;
    this.prefetch = options.prefetch ?? 1;
    if (!Number.isInteger(this.prefetch) || this.prefetch < 0) {
      throw new KindlingError(`DataLoader: prefetch should be a non-negative integer, got ${options.prefetch}`);
    }
    const batchSize = options.batchSize ?? 1;
    if (options.batchSampler && (options.batchSize !== undefined || options.shuffle || options.sampler || options.dropLast)) {
      throw new KindlingError('DataLoader: batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast');
    }
    if (options.sampler && options.shuffle) throw new KindlingError('DataLoader: sampler option is mutually exclusive with shuffle');
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new KindlingError(`DataLoader: batchSize should be a positive integer, got ${options.batchSize}`);
    }
    this.dropLast = options.dropLast ?? false;
    if (isIterableDataset(dataset)) {
      if (options.shuffle || options.sampler || options.batchSampler) {
        throw new KindlingError(
          'DataLoader: an IterableDataset has no indices, so shuffle, sampler and batchSampler are not allowed (shuffle inside the dataset instead)',
        );
      }
      this.sampler = null;
      this.batchSampler = null;
      this.batchSize = batchSize;
      return;
    }
    this.sampler =
      options.sampler ??
      (options.shuffle ? new RandomSampler(dataset, { generator: options.generator ?? defaultGenerator }) : new SequentialSampler(dataset));
    this.batchSampler = options.batchSampler ?? new BatchSampler(this.sampler, batchSize, this.dropLast);
    this.batchSize = options.batchSampler ? null : batchSize;
  }

  /** Number of batches one epoch yields (throws for an iterable dataset of unknown length). */
  get length(): number {
    if (this.batchSampler) {
      if (this.batchSampler.length === undefined) throw new KindlingError('DataLoader.length: the batchSampler has no length');
      return this.batchSampler.length;
    }
    const n = (this.dataset as IterableDataset<T>).length;
    if (n === undefined) throw new KindlingError('DataLoader.length: the IterableDataset does not know its length');
    const size = this.batchSize ?? 1;
    return this.dropLast ? Math.floor(n / size) : Math.ceil(n / size);
  }

  /** Builds the batch of `indices` (what one iteration step yields). */
  fetch(indices: Int32Array | readonly number[]): B {
    const dataset = this.dataset as MapDataset<T>;
    const index = indices instanceof Int32Array ? indices : Int32Array.from(indices);
    return tidy(() => {
      if (!this.collate && dataset.getBatch) return dataset.getBatch(index) as unknown as TidyResult;
      const samples = Array.from(index, (i) => dataset.getItem(i));
      return (this.collate ? this.collate(samples) : defaultCollate(samples)) as unknown as TidyResult;
    }) as unknown as B;
  }

  [Symbol.asyncIterator](): AsyncIterator<B> {
    return isIterableDataset(this.dataset) ? this.iterateStream(this.dataset) : this.iterateIndexed();
  }

  private async *iterateIndexed(): AsyncGenerator<B> {
    const groups = (this.batchSampler as BatchSamplerLike)[Symbol.iterator]();
    const queue: BatchJob<B>[] = [];
    const fill = (): void => {
      while (queue.length < this.prefetch) {
        const next = groups.next();
        if (next.done) return;
        queue.push(new BatchJob(() => this.fetch(next.value)));
      }
    };
    // Nothing is built ahead until the second batch is asked for: `next(iter(loader))` takes one
    // batch and drops the iterator, which must not leave a batch built for nobody.
    let taken = 0;
    try {
      for (;;) {
        // One turn of the event loop per batch, even for a consumer that never awaits anything
        // else: tensors the garbage collector found unreachable are freed in such turns (see
        // @kindling/tensor's gc-pressure), so a loop without tidy keeps a bounded heap.
        let batch: B;
        const job = queue.shift();
        if (job) {
          await job.scheduled;
          batch = job.take();
        } else {
          const next = groups.next();
          if (next.done) return;
          await nextTurn();
          batch = this.fetch(next.value);
        }
        if (++taken >= 2) fill();
        yield batch;
      }
    } finally {
      // Early exit (break, throw): batches built ahead are nobody's, so free them.
      for (const job of queue) job.cancel();
    }
  }

  private async *iterateStream(dataset: IterableDataset<T>): AsyncGenerator<B> {
    const size = this.batchSize ?? 1;
    let samples: T[] = [];
    const flush = (): B => {
      const batch = samples;
      samples = [];
      return tidy(() => (this.collate ? this.collate(batch) : defaultCollate(batch)) as unknown as TidyResult) as unknown as B;
    };
    for await (const sample of dataset) {
      samples.push(sample);
      if (samples.length === size) yield flush();
    }
    if (samples.length > 0 && !this.dropLast) yield flush();
  }
}
