import { type Generator, KindlingError, defaultGenerator } from '@kindling/tensor';
import { toInt32 } from './indices.js';

/**
 * An ordering of dataset indices for one epoch (`torch.utils.data.Sampler`).
 * Kindling's samplers also offer `indices()`, the whole epoch as one
 * Int32Array, which `BatchSampler` slices without a per-index loop.
 */
export interface Sampler extends Iterable<number> {
  /** Number of indices one epoch yields. */
  readonly length: number;
  /** One epoch of indices at once (each call starts a new epoch). */
  indices?(): Int32Array;
}

/** Yields groups of indices (`torch.utils.data.BatchSampler`); each group becomes one batch. */
export interface BatchSamplerLike extends Iterable<Int32Array | readonly number[]> {
  readonly length?: number;
}

/** `0, 1, ..., n-1` in order. */
export class SequentialSampler implements Sampler {
  constructor(private readonly dataSource: { readonly length: number }) {}

  get length(): number {
    return this.dataSource.length;
  }

  indices(): Int32Array {
    const out = new Int32Array(this.length);
    for (let i = 0; i < out.length; i++) out[i] = i;
    return out;
  }

  [Symbol.iterator](): Iterator<number> {
    return this.indices()[Symbol.iterator]();
  }
}

/** Options of `RandomSampler`. */
export interface RandomSamplerOptions {
  /** Draw with replacement (default false: a permutation). */
  replacement?: boolean;
  /** Indices per epoch (default: the dataset length). */
  numSamples?: number;
  /** Random stream (default: the global generator, so `manualSeed` fixes the order). */
  generator?: Generator;
}

/** A fresh random order every epoch, without replacement unless asked. */
export class RandomSampler implements Sampler {
  readonly replacement: boolean;
  private readonly numSamplesOption: number | undefined;
  private readonly generator: Generator;

  constructor(
    private readonly dataSource: { readonly length: number },
    options: RandomSamplerOptions = {},
  ) {
    this.replacement = options.replacement ?? false;
    this.numSamplesOption = options.numSamples;
    this.generator = options.generator ?? defaultGenerator;
    if (this.numSamplesOption !== undefined && (!Number.isInteger(this.numSamplesOption) || this.numSamplesOption <= 0)) {
      throw new KindlingError(`RandomSampler: numSamples should be a positive integer, got ${this.numSamplesOption}`);
    }
  }

  get length(): number {
    return this.numSamplesOption ?? this.dataSource.length;
  }

  indices(): Int32Array {
    const n = this.dataSource.length;
    const count = this.length;
    if (this.replacement) {
      const u = this.generator.uniform(count);
      return Int32Array.from(u, (x) => Math.floor(x * n));
    }
    // Like PyTorch, more samples than the dataset holds means whole permutations back to back.
    const out = new Int32Array(count);
    for (let start = 0; start < count; start += n) out.set(this.generator.randperm(n).subarray(0, Math.min(n, count - start)), start);
    return out;
  }

  [Symbol.iterator](): Iterator<number> {
    return this.indices()[Symbol.iterator]();
  }
}

/** The given indices in a fresh random order every epoch. */
export class SubsetRandomSampler implements Sampler {
  private readonly subset: Int32Array;

  constructor(
    indices: ArrayLike<number> | Iterable<number>,
    private readonly generator: Generator = defaultGenerator,
  ) {
    this.subset = toInt32('SubsetRandomSampler', indices);
  }

  get length(): number {
    return this.subset.length;
  }

  indices(): Int32Array {
    const perm = this.generator.randperm(this.subset.length);
    return perm.map((p) => this.subset[p]);
  }

  [Symbol.iterator](): Iterator<number> {
    return this.indices()[Symbol.iterator]();
  }
}

/** Groups a sampler's indices into batches of `batchSize` (the last one smaller unless `dropLast`). */
export class BatchSampler implements BatchSamplerLike {
  constructor(
    readonly sampler: Sampler,
    readonly batchSize: number,
    readonly dropLast = false,
  ) {
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new KindlingError(`BatchSampler: batchSize should be a positive integer, got ${batchSize}`);
    }
  }

  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Int32Array> {
    const all = this.sampler.indices ? this.sampler.indices() : Int32Array.from(this.sampler);
    const end = this.dropLast ? all.length - (all.length % this.batchSize) : all.length;
    for (let start = 0; start < end; start += this.batchSize) yield all.subarray(start, Math.min(start + this.batchSize, end));
  }
}
