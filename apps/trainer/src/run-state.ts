import type { GeneratorState } from '@kindling/tensor';
import type { TrainConfig } from './config.js';
import type { EpochSummary } from './reporter.js';

/**
 * The trainer's own part of a training checkpoint (stored as `extra`): where
 * in the epoch the run stopped and what it needs to carry on exactly.
 */
export interface RunState {
  config: TrainConfig;
  /** The shuffling generator's state at the start of the current epoch. */
  shuffle: GeneratorState;
  /** Batches of the current epoch already trained (0 at an epoch boundary). */
  batchInEpoch: number;
  /** Loss sum and sample count of those batches, so the epoch's mean loss stays right. */
  partialLossSum: number;
  partialSamples: number;
  bestAccuracy: number;
  history: EpochSummary[];
}

export function isRunState(value: unknown): value is RunState {
  const v = value as Partial<RunState> | null;
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof v.config === 'object' &&
    typeof v.shuffle === 'object' &&
    typeof v.batchInEpoch === 'number' &&
    Array.isArray(v.history)
  );
}
