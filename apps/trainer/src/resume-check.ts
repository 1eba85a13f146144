import type { LoadedTrainingState } from '@kindling/checkpoint';
import type { Tensor } from '@kindling/tensor';
import { UsageError } from './errors.js';
import type { RunState } from './run-state.js';

/*
 * A checkpoint's hyper-parameters are JSON, and JSON turns NaN and infinities
 * into null; a hand-edited or foreign file may hold strings. Loaded as they
 * are, they would silently train on NaN (`"lr": "abc"` becomes the
 * optimizer's learning rate), so `--resume` checks every stored number first.
 */

type Check = (v: number) => boolean;

const finite: Check = () => true;
const nonNegative: Check = (v) => v >= 0;
const unit: Check = (v) => v >= 0 && v <= 1;
const nonNegativeInt: Check = (v) => Number.isInteger(v) && v >= 0;
/** Most epochs a checkpoint may claim: far beyond any real run, far below where counts lose precision. */
export const MAX_EPOCH = 1_000_000;
const epochCount: Check = (v) => Number.isSafeInteger(v) && v >= 0 && v <= MAX_EPOCH;
const stepCount: Check = (v) => Number.isSafeInteger(v) && v >= 0;

/** Ranges of the optimizers' hyper-parameters, by their stored (PyTorch) names. */
const GROUP_NUMBERS: Record<string, [Check, string]> = {
  lr: [nonNegative, 'a learning rate ≥ 0'],
  momentum: [unit, 'a number in [0, 1]'],
  dampening: [unit, 'a number in [0, 1]'],
  weight_decay: [nonNegative, 'a number ≥ 0'],
  eps: [nonNegative, 'a number ≥ 0'],
  rho: [unit, 'a number in [0, 1]'],
  alpha: [unit, 'a number in [0, 1]'],
  lr_decay: [nonNegative, 'a number ≥ 0'],
  initial_accumulator_value: [nonNegative, 'a number ≥ 0'],
};
const GROUP_BOOLEANS = new Set(['nesterov', 'amsgrad', 'maximize', 'centered']);

function refuse(where: string, field: string, value: unknown, expected: string): never {
  throw new UsageError(`${where}: stored ${field} is ${JSON.stringify(value) ?? String(value)}, expected ${expected}`);
}

function number(where: string, field: string, value: unknown, check: Check, expected: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) refuse(where, field, value, expected);
}

function numbers(where: string, field: string, value: unknown, length: number, check: Check, expected: string): void {
  if (!Array.isArray(value) || value.length !== length) refuse(where, field, value, `a list of ${length} numbers`);
  value.forEach((v, i) => {
    number(where, `${field}[${i}]`, v, check, expected);
  });
}

function checkGenerator(where: string, field: string, value: unknown): void {
  const g = value as { seed?: unknown; offset?: unknown } | null;
  if (g === null || typeof g !== 'object') refuse(where, field, value, 'a random generator state');
  if (typeof g.seed !== 'string' || !/^\d{1,20}$/.test(g.seed)) refuse(where, `${field}.seed`, g.seed, 'a seed of decimal digits');
  number(where, `${field}.offset`, g.offset, nonNegativeInt, 'a whole number ≥ 0');
}

function checkOptimizer(where: string, optimizer: NonNullable<LoadedTrainingState['optimizer']>): void {
  if (!Array.isArray(optimizer.param_groups)) refuse(where, 'optimizer.param_groups', optimizer.param_groups, 'a list');
  optimizer.param_groups.forEach((group, g) => {
    for (const [key, value] of Object.entries(group)) {
      const field = `optimizer.param_groups[${g}].${key}`;
      if (key === 'params') continue;
      if (key === 'betas') numbers(where, field, value, 2, (v) => v >= 0 && v < 1, 'a number in [0, 1)');
      else if (GROUP_BOOLEANS.has(key)) {
        if (typeof value !== 'boolean') refuse(where, field, value, 'true or false');
      } else if (key in GROUP_NUMBERS) number(where, field, value, ...GROUP_NUMBERS[key]);
      else if (typeof value === 'number') number(where, field, value, finite, 'a finite number');
    }
  });
  for (const [id, entry] of Object.entries(optimizer.state)) {
    for (const [key, value] of Object.entries(entry)) {
      if (typeof value !== 'object') number(where, `optimizer.state[${id}].${key}`, value, nonNegative, 'a number ≥ 0');
    }
  }
}

function checkScheduler(where: string, scheduler: Record<string, unknown>, groups: number): void {
  for (const [key, value] of Object.entries(scheduler)) {
    const field = `scheduler.${key}`;
    if (key === 'last_epoch') number(where, field, value, (v) => Number.isInteger(v) && v >= -1, 'an integer ≥ -1');
    else if (key === 'base_lrs' || key === '_last_lr') numbers(where, field, value, groups, nonNegative, 'a learning rate ≥ 0');
    else if (typeof value === 'number' || value === null) number(where, field, value, finite, 'a finite number');
  }
}

/**
 * Refuses (with a one-line {@link UsageError} naming the field, what was
 * expected and what was found) a training checkpoint whose stored numbers
 * are not finite numbers in range: position, run state, optimizer
 * hyper-parameters and state counters, scheduler state. `where` starts the
 * message (`--resume runs/latest/last.safetensors`).
 */
export function validateResumeState(state: LoadedTrainingState, where: string): void {
  number(where, 'epoch', state.epoch, epochCount, `a whole number in [0, ${MAX_EPOCH.toLocaleString('en-US')}]`);
  number(where, 'step', state.step, stepCount, 'a whole number ≥ 0 (a safe integer)');
  const run = state.extra?.run as unknown as RunState;
  number(where, 'run.batchInEpoch', run.batchInEpoch, nonNegativeInt, 'a whole number ≥ 0');
  number(where, 'run.partialSamples', run.partialSamples, nonNegativeInt, 'a whole number ≥ 0');
  number(where, 'run.partialLossSum', run.partialLossSum, nonNegative, 'a number ≥ 0');
  number(where, 'run.bestAccuracy', run.bestAccuracy, (v) => v >= -1 && v <= 1, 'an accuracy in [0, 1] (or -1: none yet)');
  checkGenerator(where, 'run.shuffle', run.shuffle);
  if (state.rng) checkGenerator(where, 'rng', state.rng);
  if (state.optimizer) checkOptimizer(where, state.optimizer);
  if (state.scheduler) checkScheduler(where, state.scheduler, state.optimizer?.param_groups.length ?? 1);
}

/**
 * The name of the first tensor of `dicts` holding a NaN or an infinity, or
 * null when all are finite. A checkpoint with such weights predicts NaN and
 * resumes into NaN losses, so loaders refuse it by name.
 */
export async function firstNonFiniteTensor(...dicts: Array<Record<string, Tensor> | undefined>): Promise<string | null> {
  for (const dict of dicts) {
    for (const [name, t] of Object.entries(dict ?? {})) {
      const data = await t.read();
      for (let i = 0; i < data.length; i++) if (!Number.isFinite(Number(data[i]))) return name;
    }
  }
  return null;
}

/** The one-line refusal for {@link firstNonFiniteTensor}'s finding. */
export function nonFiniteMessage(where: string, tensor: string): string {
  return `${where}: the weights are not finite (tensor ${JSON.stringify(tensor)} holds NaN or infinity); the checkpoint cannot be used`;
}

/**
 * Refuses (one line naming the first bad tensor) a checkpoint whose model
 * weights hold NaN or infinity. (A non-finite optimizer state is left to the
 * training loop's watch, which names the step it shows up at.)
 */
export async function validateResumeWeights(state: LoadedTrainingState, where: string): Promise<void> {
  const bad = await firstNonFiniteTensor(state.model);
  if (bad !== null) throw new UsageError(nonFiniteMessage(where, bad));
}
