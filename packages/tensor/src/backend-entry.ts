/**
 * @packageDocumentation
 * `@kindling/tensor/backend`: what a backend package needs. The `Backend`
 * interface it implements, the op table its kernel tables are typed over
 * (`UNARY_OPS`, `BINARY_OPS`: every elementwise op with its math, dtype rule
 * and parameters), `registerBackend`, and helpers kernels share (dim
 * coalescing, float16 rounding, the Philox random stream). Applications use
 * `@kindling/tensor`; a backend proves itself with `@kindling/conformance`.
 */
export type { Backend, View, StorageHandle, ReduceOp, RandomKind, RandomKey, FusedKernels, Window2d } from './backend.js';
export { windowOutputSize } from './backend.js';
export {
  UNARY_OPS,
  BINARY_OPS,
  UNARY_OP_NAMES,
  BINARY_OP_NAMES,
  unarySpec,
  binarySpec,
  unaryMath,
  binaryMath,
  defaultParams,
  isComparison,
  isTensorMethodOp,
  type UnaryOp,
  type BinaryOp,
  type UnaryParams,
  type UnaryOpSpec,
  type BinaryOpSpec,
  type UnaryTable,
  type BinaryTable,
  type UnaryDTypeRule,
  type BinaryDTypeRule,
  type Differentiability,
  type Domain,
  type OpParams,
  type SameDTypeUnaryOp,
  type BoolUnaryOp,
  type SmoothUnaryOp,
  type SmoothBinaryOp,
  type ComparisonOp,
  type AlphaBinaryOp,
  type TensorMethodUnaryOp,
} from './ops/op-table.js';
export { registerBackend, getBackend } from './registry.js';
export { onFusedUse, type FusedKernelName, type FusedUseListener } from './fused-use.js';
export { checkAllocation, storageTooLarge, formatBytes, runningOp, type AllocationLimits } from './alloc-limit.js';
export { type TypedArrayConstructor, allocArray, arrayTypeOf } from './dtype.js';
export { coalesceDims, type DimWalk } from './coalesce.js';
export { contiguousStrides, isContiguous, numel, shapesEqual } from './shape.js';
export { float16Bits, float16FromBits, roundToFloat16, roundArrayToFloat16 } from './half.js';
export { philoxBlock, philoxFill, uint32ToUniform, uint32PairToNormal } from './philox.js';
