import { KindlingError, type Tensor, unflatten } from '@kindling/tensor';
import { Module } from '../module.js';
import { pyTuple } from './window.js';

function checkDim(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new KindlingError(`${owner}: ${name} must be an integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Flattens dims `startDim..endDim` into one (`nn.Flatten`); the defaults keep
 * the batch dim, so `[N, 64, 12, 12]` becomes `[N, 9216]`.
 */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
    checkDim('Flatten', 'startDim', startDim);
    checkDim('Flatten', 'endDim', endDim);
  }
  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Splits dim `dim` into `sizes` (`nn.Unflatten`), the inverse of `Flatten`:
 * `new Unflatten(1, [64, 12, 12])` turns `[N, 9216]` into `[N, 64, 12, 12]`.
 * One size may be -1 (inferred).
 */
export class Unflatten extends Module {
  readonly unflattenedSize: readonly number[];

  constructor(
    readonly dim: number,
    unflattenedSize: readonly number[],
  ) {
    super();
    checkDim('Unflatten', 'dim', dim);
    const ok =
      Array.isArray(unflattenedSize) &&
      unflattenedSize.length > 0 &&
      unflattenedSize.every((s) => Number.isInteger(s) && (s >= 0 || s === -1)) &&
      unflattenedSize.filter((s) => s === -1).length <= 1;
    if (!ok) {
      throw new KindlingError(
        `Unflatten: unflattenedSize must be a non-empty list of sizes (at most one -1), got ${JSON.stringify(unflattenedSize)}`,
      );
    }
    this.unflattenedSize = [...unflattenedSize];
  }
  forward(x: Tensor): Tensor {
    return unflatten(x, this.dim, this.unflattenedSize);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`;
  }
}
