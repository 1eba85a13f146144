import type { RandomKey } from './backend.js';
import { philoxFill } from './philox.js';

/**
 * A random stream: a 64-bit seed and a counter of values drawn so far. Every
 * random op takes its key from a generator and advances it by the number of
 * elements it draws, so a seed fixes every later random op, on any backend.
 */
export class Generator {
  private seedWords: [number, number] = [0, 0];
  private drawn = 0;

  constructor(seed: number | bigint = 0) {
    this.manualSeed(seed);
  }

  /** Reseeds the stream and restarts its counter (`torch.Generator.manual_seed`). */
  manualSeed(seed: number | bigint): this {
    const big = BigInt.asUintN(64, typeof seed === 'bigint' ? seed : BigInt(Math.trunc(seed)));
    this.seedWords = [Number(big & 0xffffffffn), Number(big >> 32n)];
    this.drawn = 0;
    return this;
  }

  /** The seed as set by `manualSeed`. */
  initialSeed(): bigint {
    return (BigInt(this.seedWords[1]) << 32n) | BigInt(this.seedWords[0]);
  }

  /** Reserves `count` values and returns the key that produces them. */
  next(count: number): RandomKey {
    const key: RandomKey = { seed: this.seedWords, offset: this.drawn };
    this.drawn += count;
    return key;
  }

  /** `count` uniform floats in [0, 1) computed on the host (for samplers and shuffles). */
  uniform(count: number): Float64Array {
    const out = new Float64Array(count);
    philoxFill('uniform', this.next(count), out);
    return out;
  }

  /** A uniformly random permutation of `0..n-1` (Fisher-Yates over this stream). */
  randperm(n: number): Int32Array {
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    const u = this.uniform(n);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(u[i] * (i + 1));
      const tmp = perm[i];
      perm[i] = perm[j];
      perm[j] = tmp;
    }
    return perm;
  }

  /** The state to save in a checkpoint; `setState` restores it exactly. */
  getState(): GeneratorState {
    return { seed: this.initialSeed().toString(), offset: this.drawn };
  }

  setState(state: GeneratorState): void {
    this.manualSeed(BigInt(state.seed));
    this.drawn = state.offset;
  }
}

/** A JSON-safe snapshot of a `Generator`. */
export interface GeneratorState {
  seed: string;
  offset: number;
}

/** The generator random ops use when none is given. */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator: every later random op becomes reproducible. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}
