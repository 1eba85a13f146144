/**
 * @packageDocumentation
 * `@kindling/tensor`: strided tensors, dtypes, broadcasting, the op dispatcher
 * and the backend interface. It knows no concrete backend and no autograd:
 * backends register themselves (`registerBackend`) and autograd installs an
 * interceptor (`setInterceptor`).
 */
export { Tensor, isTensor, type TensorLike } from './tensor.js';
export {
  type DType,
  type TypedArray,
  type TypedArrayConstructor,
  DTYPES,
  promoteTypes,
  promoteWithScalar,
  canCast,
  isFloating,
  isIntegral,
  itemSize,
  allocArray,
  arrayTypeOf,
} from './dtype.js';
export { float16Bits, float16FromBits, roundToFloat16, roundArrayToFloat16 } from './half.js';
export { KindlingError, ShapeError, DTypeError, DeviceError } from './errors.js';
export { coalesceDims, type DimWalk } from './coalesce.js';
export { broadcastShapes, contiguousStrides, isContiguous, numel, normalizeDim, normalizeDims, shapesEqual, type Shape } from './shape.js';
export type { Backend, View, StorageHandle, UnaryOp, BinaryOp, ReduceOp, RandomKind, RandomKey, FusedKernels } from './backend.js';
export { COMPARISON_OPS } from './backend.js';
export { registerBackend, getBackend, hasBackend, listBackends, getDefaultDevice, setDefaultDevice } from './registry.js';
export { memory, type BackendMemory } from './storage.js';
export { tidy, keep, type TidyResult } from './scope.js';
export { Generator, defaultGenerator, manualSeed, type GeneratorState } from './generator.js';
export { philoxBlock, philoxFill, uint32ToUniform, uint32PairToNormal } from './philox.js';
export { dispatch, dispatchNested, setInterceptor, type Interceptor, type OpCall, type OpResult } from './dispatch.js';
export { setGradHooks, type GradHooks, type GradNode, type BackwardOptions } from './grad-hooks.js';
export type { NestedArray } from './read.js';
export { formatTensor } from './format.js';

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
export { fromHandle as tensorFromHandle, broadcastView } from './ops/util.js';
export {
  add,
  sub,
  mul,
  div,
  pow,
  neg,
  abs,
  sign,
  exp,
  expm1,
  log,
  log1p,
  sqrt,
  rsqrt,
  square,
  reciprocal,
  sin,
  cos,
  tanh,
  sigmoid,
  relu,
  floor,
  ceil,
  round,
  trunc,
  maximum,
  minimum,
  remainder,
  floorDivide,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  logicalAnd,
  logicalOr,
  logicalNot,
  isnan,
  where,
  maskedFill,
  clamp,
} from './ops/elementwise.js';
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
export { reluBackward } from './ops/relu-backward.js';
export { COLLECTION_THRESHOLD_BYTES, canRequestCollection, requestedCollections, setCollectionThreshold } from './gc-pressure.js';
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
export { cast, clone, contiguous, to, toAsync } from './ops/convert.js';
export { nllLoss, nllSampleWeights, type NllLossOptions, type Reduction } from './ops/loss.js';
export { crossEntropyLoss, type CrossEntropyLossOptions } from './ops/cross-entropy.js';
