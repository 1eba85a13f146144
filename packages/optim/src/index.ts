/**
 * @packageDocumentation
 * `@kindling/optim`: optimizers and learning-rate schedulers (`torch.optim`),
 * with PyTorch 1.13's update formulas op for op.
 */
export { Optimizer, type ParamGroup, type ParamState, type ParamsInput, type OptimizerStateDict } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export { LRScheduler, type SchedulerStateDict } from './schedulers/lr-scheduler.js';
export {
  StepLR,
  MultiStepLR,
  ExponentialLR,
  CosineAnnealingLR,
  LinearLR,
  OneCycleLR,
  ReduceLROnPlateau,
  type OneCycleOptions,
  type ReduceLROnPlateauOptions,
} from './schedulers/schedulers.js';
export { clipGradNorm_, clipGradValue_ } from './clip-grad.js';
