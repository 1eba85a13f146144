/**
 * @packageDocumentation
 * `@kindling/autograd`: reverse-mode automatic differentiation with PyTorch's
 * semantics. Importing it installs gradient recording into `@kindling/tensor`'s
 * dispatcher: ops on tensors that require grad build a graph of nodes
 * (`tensor.gradFn`), and `tensor.backward()` walks it.
 */
import { setGradHooks, setInterceptor } from '@kindling/tensor/internal';
import { backward } from './backward.js';
import { record } from './record.js';
import './rules/elementwise.js';
import './rules/reduce.js';
import './rules/linalg.js';
import './rules/views.js';
import './rules/indexing.js';
import './rules/inplace.js';
import './rules/index-put.js';
import './rules/conv.js';
import './rules/pooling.js';
import './rules/normalization.js';
import './rules/resampling.js';

setInterceptor(record);
setGradHooks({ backward });

export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from '@kindling/tensor';
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled, isAnomalyCheckNanEnabled, type AnomalyOptions } from './anomaly.js';
export { grad, type GradOptions } from './grad.js';
export { gradcheck, type GradcheckOptions } from './gradcheck.js';
export { defineFunction, FunctionContext, type FunctionSpec } from './function.js';
export { registerGradRule, differentiableOps, type GradRule, type RuleContext } from './rule.js';
export { FunctionNode, AccumulateGrad, type TensorMeta } from './node.js';
export { sumToShape } from './sum-to-shape.js';
