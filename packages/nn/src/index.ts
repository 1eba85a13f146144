/**
 * @packageDocumentation
 * `@kindling/nn`: modules, layers, losses and initialisers (`torch.nn`).
 *
 * ```ts
 * import '@kindling/backend-cpu';
 * import { LogSoftmax, Linear, ReLU, Sequential } from '@kindling/nn';
 * const model = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 10), new LogSoftmax(1));
 * ```
 */
export { Module, type LoadStateDictOptions, type IncompatibleKeys } from './module.js';
export { Parameter, isParameter } from './parameter.js';
export { Sequential, ModuleList, ModuleDict } from './containers.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export {
  ReLU,
  LeakyReLU,
  ELU,
  Hardtanh,
  Softplus,
  GELU,
  type GeluApproximation,
  SiLU,
  Sigmoid,
  LogSigmoid,
  Tanh,
  Softmax,
  LogSoftmax,
  Dropout,
  Flatten,
  Identity,
} from './layers/activations.js';
export { Loss, CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss, type ClassLossOptions } from './losses.js';
export * as functional from './functional.js';
export * as F from './functional.js';
export * as init from './init.js';
export type { CrossEntropyOptions, GeluOptions, Reduction } from './functional.js';
export { type MlpSpec, MLP_SPEC_METADATA_KEY, buildMlp, mlpSpecMetadata, mlpSpecFromMetadata } from './mlp-spec.js';
