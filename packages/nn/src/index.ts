/**
 * @packageDocumentation
 * `@kindling/nn`: modules, layers, losses and initialisers (`torch.nn`).
 *
 * ```ts
 * import '@kindling/backend-cpu';
 * import { Conv2d, Flatten, LogSoftmax, Linear, MaxPool2d, NLLLoss, ReLU, Sequential } from '@kindling/nn';
 * const model = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 10), new LogSoftmax(1));
 * const cnn = new Sequential(new Conv2d(1, 32, 3), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(5408, 10));
 * const loss = new NLLLoss()(model(images), labels); // modules and losses are callable
 * ```
 */
export { Module, type LoadStateDictOptions, type IncompatibleKeys } from './module.js';
export { Parameter, isParameter } from './parameter.js';
export { Sequential, type SequentialConstructor, type NamedModules, type LayerAt, type IndexedLayers } from './sequential.js';
export { ModuleList, ModuleDict } from './containers.js';
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
  Identity,
} from './layers/activations.js';
export { Dropout, Dropout2d } from './layers/dropout.js';
export { Flatten, Unflatten } from './layers/reshape.js';
export { ConvNd, Conv1d, Conv2d, type ConvOptions, type PaddingMode } from './layers/conv.js';
export { ConvTranspose2d, type ConvTranspose2dOptions } from './layers/conv-transpose.js';
export {
  MaxPool2d,
  AvgPool2d,
  AdaptiveAvgPool2d,
  type MaxPool2dOptions,
  type AvgPool2dOptions,
  type AdaptiveSize,
} from './layers/pooling.js';
export { BatchNorm, BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './layers/batch-norm.js';
export type { Pair } from './layers/window.js';
export { Loss, CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss, type ClassLossOptions } from './losses.js';
export * as functional from './functional.js';
export * as F from './functional.js';
export * as init from './init.js';
export type { CrossEntropyOptions, GeluOptions, Reduction } from './functional.js';
export { type MlpSpec, MLP_SPEC_METADATA_KEY, buildMlp, mlpSpecMetadata, mlpSpecFromMetadata } from './mlp-spec.js';
export {
  type ModelSpec,
  type LayerSpec,
  type JsonValue,
  MODEL_SPEC_METADATA_KEY,
  MAX_MODEL_ELEMENTS,
  MAX_MODEL_LAYERS,
  buildModel,
  parseModelSpec,
  modelSpecOf,
  modelSpecParameterCount,
  modelSpecMetadata,
  modelSpecFromMetadata,
  mlpToModelSpec,
} from './model-spec.js';
export { modelSpecStateShapes, checkModelSpecShapes } from './model-spec-shapes.js';
