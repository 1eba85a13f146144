/**
 * @packageDocumentation
 * `@kindling/trainer`: the `kindling-train` CLI, also usable as a library.
 */
export { runCli, buildProgram } from './program.js';
export { train, type TrainResult, type TrainOptions } from './train.js';
export { type TrainConfig, MNIST_PRESET, FASHION_PRESET, mergeConfig, presetConfig } from './config.js';
export type { Reporter, EpochSummary, RunInfo, RunEnd } from './reporter.js';
export { HumanReporter } from './human-reporter.js';
export { JsonReporter } from './json-reporter.js';
export { evaluate, type Evaluation } from './evaluate.js';
export { TrainingDivergedError, DIVERGED_EXIT_CODE, type Divergence, type DivergedQuantity } from './divergence.js';
export { validateResumeState } from './resume-check.js';
