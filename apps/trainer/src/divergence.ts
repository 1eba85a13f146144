import { type Tensor, stack, tidy } from '@kindling/tensor';

/** What turned non-finite first (non-finite gradients show as weights: the optimizer step carries them there). */
export type DivergedQuantity = 'loss' | 'weights' | 'optimizer state' | 'test loss';

/** Where and how a run diverged, as `--json` reports it. */
export interface Divergence {
  quantity: DivergedQuantity;
  /** `"NaN"`, `"Infinity"` or `"-Infinity"` (JSON has no such numbers). */
  value: string;
  /** 1-based epoch. */
  epoch: number;
  /** 1-based batch within the epoch. */
  step: number;
  /** Optimizer steps since the start of the run, this one included. */
  globalStep: number;
  lr: number;
}

/** Exit status of a run stopped because it diverged (documented in the README). */
export const DIVERGED_EXIT_CODE = 3;

/**
 * A run stopped because its loss, gradients or weights stopped being finite
 * numbers. Nothing was saved after the last good checkpoint; the CLI prints
 * the one-line message and exits with {@link DIVERGED_EXIT_CODE}.
 */
export class TrainingDivergedError extends Error {
  readonly exitCode = DIVERGED_EXIT_CODE;

  constructor(readonly divergence: Divergence) {
    super(describeDivergence(divergence));
    this.name = 'TrainingDivergedError';
  }
}

// 1e+20 rather than 100000000000000000000; 0.001 as typed.
const formatLr = (lr: number) => (lr !== 0 && (Math.abs(lr) >= 1e6 || Math.abs(lr) < 1e-4) ? lr.toExponential() : String(lr));

/** `train: the loss became NaN at epoch 1, step 12 (lr 1000); try a lower --lr`. */
export function describeDivergence(d: Divergence): string {
  // Weights and optimizer state are only looked at every few steps: name the step they were found at.
  const at = d.quantity === 'weights' || d.quantity === 'optimizer state' ? 'by' : 'at';
  return `train: the ${d.quantity} became ${d.value} ${at} epoch ${d.epoch}, step ${d.step} (lr ${formatLr(d.lr)}); try a lower --lr`;
}

/**
 * One scalar that is 0 when every element of `tensors` is finite and NaN
 * otherwise: a sum per tensor (NaN and ±Infinity survive a sum), one sum of
 * those, times 0 (0·finite = 0, 0·±Infinity = NaN). It can be folded into a
 * value read anyway, so checking costs no extra device sync.
 */
export function nonFiniteFlag(tensors: readonly Tensor[]): Tensor {
  return tidy(() => sumOfSums(tensors).mul(0));
}

/** Σ over tensors of their element sums, as a scalar tensor (non-finite if any element is). */
export function sumOfSums(tensors: readonly Tensor[]): Tensor {
  return tidy(() => stack(tensors.map((t) => t.sum())).sum());
}

/**
 * The first of `named` holding a NaN or an infinity, with that value, or null.
 * One device read for all of them (used before saving a checkpoint).
 */
export async function firstNonFinite(named: ReadonlyArray<[string, Tensor]>): Promise<{ name: string; value: number } | null> {
  if (named.length === 0) return null;
  const sums = sumsOf(named.map(([, t]) => t));
  try {
    const values = await sums.read();
    const i = values.findIndex((v) => !Number.isFinite(v));
    return i < 0 ? null : { name: named[i][0], value: values[i] };
  } finally {
    sums.dispose();
  }
}

function sumsOf(tensors: readonly Tensor[]): Tensor {
  return tidy(() => stack(tensors.map((t) => t.sum())));
}
