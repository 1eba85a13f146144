/**
 * @packageDocumentation
 * `@kindling/tensor/internal`: the seams between Kindling's own packages,
 * not an API for applications (it may change in any release). Autograd
 * installs its interceptor and gradient hooks here; packages wrap kernel
 * results (`tensorFromHandle`) and reach ops that exist for gradient rules
 * (`reluBackward`), optimizers' list ops (`foreachAdd_`) or shared bookkeeping
 * (`nllSampleWeights`).
 */
export { dispatch, dispatchNested, setInterceptor, type Interceptor, type OpCall, type OpResult } from './dispatch.js';
export { setGradHooks, hasGradHooks, type GradHooks } from './grad-hooks.js';
export { fromHandle as tensorFromHandle, broadcastView } from './ops/util.js';
export { printAsRepr } from './inspect.js';
export { reluBackward } from './ops/relu-backward.js';
export { logSoftmaxBackward } from './ops/log-softmax-backward.js';
export { linearBackward, type LinearGradsNeeded } from './ops/linear-backward.js';
export { nllSampleWeights } from './ops/loss.js';
export { nllGradOnHost } from './ops/nll-grad.js';
export { foreachAdd_ } from './ops/foreach.js';
export { promoteWithScalar } from './dtype.js';
export { normalizeDim, normalizeDims } from './shape.js';
export { formatTensor } from './format.js';
export { canRequestCollection, requestedCollections } from './gc-pressure.js';
export { unaryOp, binaryOp, unaryResultType } from './ops/run-elementwise.js';
export { conv2dInputGrad, conv2dWeightGrad, conv2dWindow } from './ops/conv-grad.js';
export type { ConvAttrs } from './ops/conv2d.js';
export type { ConvTransposeAttrs } from './ops/conv-transpose.js';
export { unfoldBackward } from './ops/unfold-view.js';
// The gradients of pooling, padding and resampling, for autograd's rules.
export { maxPool2dBackward } from './ops/max-pool.js';
export { avgPool2dBackward, type AvgPoolArgs } from './ops/avg-pool.js';
export { adaptiveAvgPool2dBackward } from './ops/adaptive-pool.js';
export type { BatchNormAttrs } from './ops/batch-norm.js';
export { padBackward, type PadAttrs } from './ops/pad.js';
export { interpolateBackward, type InterpolateAttrs } from './ops/interpolate.js';
// PyTorch's tuple of values and indices, for ops in other packages that return one.
export { valuesIndices } from './ops/reduce.js';
export { resetNonLeafGradWarning, NON_LEAF_GRAD_WARNING } from './grad-warning.js';
