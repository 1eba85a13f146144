/**
 * @packageDocumentation
 * `@kindling/tensor`: strided tensors, dtypes, broadcasting and every tensor
 * op (`torch` and `torch.Tensor`). It knows no concrete backend and no
 * autograd: importing a backend package registers a device, importing
 * `@kindling/autograd` makes ops record gradients.
 *
 * Two more entry points serve other packages, not applications:
 * `@kindling/tensor/backend` (the interface a backend implements, the op
 * table, helpers for kernels) and `@kindling/tensor/internal` (the seams
 * between Kindling's own packages). `@kindling/conformance` is the backend
 * conformance suite.
 */
export { Tensor, isTensor, type TensorLike, type NormalOptions, type UniformOptions } from './tensor.js';
export { type DType, type TypedArray, DTYPES, promoteTypes, canCast, isFloating, isIntegral, itemSize } from './dtype.js';
export { KindlingError, ShapeError, DTypeError, DeviceError } from './errors.js';
export { broadcastShapes, type Shape } from './shape.js';
export { hasBackend, listBackends, getDefaultDevice, setDefaultDevice } from './registry.js';
export { memory, type BackendMemory } from './storage.js';
export { tidy, keep, type TidyResult } from './scope.js';
// Grad mode lives here so that inference code (`@kindling/nn` without `@kindling/autograd`) can use noGrad.
export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from './grad-mode.js';
export { Generator, defaultGenerator, manualSeed, type GeneratorState } from './generator.js';
export type { GradNode, BackwardOptions } from './grad-hooks.js';
export type { NestedArray } from './read.js';
// Python's print and repr (null prints None, tensors and modules their PyTorch repr).
export { print, repr, formatPrint, type Print, type PrintOptions } from './print.js';
export { COLLECTION_THRESHOLD_BYTES, setCollectionThreshold } from './gc-pressure.js';

export {
  tensor,
  scalar,
  zeros,
  ones,
  empty,
  full,
  zerosLike,
  onesLike,
  emptyLike,
  fullLike,
  arange,
  linspace,
  eye,
  rand,
  randn,
  randint,
  randperm,
  randLike,
  randnLike,
  type NestedInput,
  type TensorOptions,
  type RandomOptions,
  type ShapeArgs,
} from './ops/create.js';
export type { CreateOptions } from './ops/util.js';
export * from './ops/elementwise.js';
export type { AlphaOptions, UnaryOptions } from './ops/run-elementwise.js';
export type { UnaryParams } from './ops/op-table.js';
export {
  sum,
  mean,
  prod,
  max,
  min,
  amax,
  amin,
  argmax,
  argmin,
  logsumexp,
  variance as var,
  std,
  any,
  all,
  type ValuesIndices,
} from './ops/reduce.js';
export { matmul, mm, linear } from './ops/linalg.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { affine, type AffineOptions } from './ops/affine.js';
export {
  view,
  reshape,
  flatten,
  unflatten,
  squeeze,
  unsqueeze,
  permute,
  transpose,
  t,
  expand,
  broadcastTensors,
  narrow,
  slice,
  select,
  split,
  chunk,
  unbind,
} from './ops/views.js';
export { indexSelect, gather, scatterAdd, cat, stack, topk, sort } from './ops/indexing.js';
// Python's indexing: x.at(...) for x[...], x.indexPut_(index, value) for x[index] = value.
export { span, type Span, type IndexItem } from './ops/index-parse.js';
export { at, atAsync, type IndexAttrs } from './ops/index-read.js';
export { indexPut_, type IndexPutAttrs } from './ops/index-put.js';
export { cast, clone, contiguous, to, toAsync } from './ops/convert.js';
export { nllLoss, type NllLossOptions, type Reduction } from './ops/loss.js';
export { crossEntropyLoss, type CrossEntropyLossOptions } from './ops/cross-entropy.js';

// Convolution and im2col (torch.nn.functional.conv1d/conv2d/conv_transpose2d/unfold/fold).
export { conv2d } from './ops/conv2d.js';
export { conv1d, type Conv1dOptions } from './ops/conv1d.js';
export { convTranspose2d, type ConvTranspose2dOptions } from './ops/conv-transpose.js';
export type { Conv2dOptions, ConvPadding } from './ops/conv-args.js';
export { unfold } from './ops/im2col.js';
export { fold } from './ops/col2im.js';
export type { Pair, WindowOptions } from './ops/window-args.js';

// Pooling, batch norm, padding and resampling (torch.nn.functional.max_pool2d/avg_pool2d/adaptive_avg_pool2d/batch_norm/pad/interpolate).
export { maxPool2d, maxPool2dWithIndices, type MaxPool2dOptions } from './ops/max-pool.js';
export { avgPool2d, type AvgPool2dOptions } from './ops/avg-pool.js';
export { adaptiveAvgPool2d, type AdaptiveSize } from './ops/adaptive-pool.js';
export { batchNorm, type BatchNormOptions } from './ops/batch-norm.js';
export { pad, type PadMode, type PadOptions } from './ops/pad.js';
export { interpolate, type InterpolateOptions } from './ops/interpolate.js';
