import type { DType } from '@kindling/tensor';
import {
  type BinaryOp,
  type BinaryTable,
  type BoolUnaryOp,
  type ComparisonOp,
  type SameDTypeUnaryOp,
  type UnaryOp,
  type UnaryParams,
  binarySpec,
  unarySpec,
} from '@kindling/tensor/backend';

/*
 * The elementwise ops as WGSL expressions: one table per WGSL type, each typed
 * over the op table of @kindling/tensor, so an op added there without a kernel
 * here does not compile. Entries are expressions over already-converted
 * operands; the functions they call (`k_erf`, ...) live in MATH. Comparisons
 * and bool ops yield bool words (`0u`/`1u`).
 */

/** WGSL of unary op `K` on `x`, its parameters given as WGSL expressions. */
type UnaryKernel<K extends UnaryOp> = (x: string, p: UnaryParams<K, string>) => string;
type UnaryKernels<Ops extends UnaryOp> = { readonly [K in Ops]: UnaryKernel<K> };
type BinaryKernels<Ops extends BinaryOp> = { readonly [K in Ops]: (a: string, b: string) => string };

/** Unary ops integer inputs compute in their own dtype: the rest compute in float32 (their rule is `float`) or refuse them. */
export type IntegerUnaryOp = SameDTypeUnaryOp | BoolUnaryOp;
/** Binary ops integer operands compute in their own dtype: true division computes in float32. */
export type IntegerBinaryOp = { [K in BinaryOp]: BinaryTable[K]['dtype'] extends 'trueDiv' ? never : K }[BinaryOp];

const bool = (condition: string): string => `select(0u, 1u, ${condition})`;

/** f32 kernels; float16 computes here too. */
const F32_UNARY: UnaryKernels<UnaryOp> = {
  neg: (x) => `-(${x})`,
  abs: (x) => `abs(${x})`,
  sign: (x) => `k_sign(${x})`,
  exp: (x) => `k_exp(${x})`,
  expm1: (x) => `k_expm1(${x})`,
  log: (x) => `k_log(${x})`,
  log1p: (x) => `k_log1p(${x})`,
  sqrt: (x) => `k_sqrt(${x})`,
  rsqrt: (x) => `(1.0 / k_sqrt(${x}))`,
  reciprocal: (x) => `(1.0 / ${x})`,
  sin: (x) => `k_sin(${x})`,
  cos: (x) => `k_cos(${x})`,
  tanh: (x) => `k_tanh(${x})`,
  sigmoid: (x) => `k_sigmoid(${x})`,
  erf: (x) => `k_erf(${x})`,
  relu: (x) => `k_relu(${x})`,
  leakyRelu: (x, p) => `select(${x} * ${p.negativeSlope}, ${x}, ${x} > 0.0)`,
  elu: (x, p) => `select(${p.alpha} * k_expm1(${x}), ${x}, ${x} > 0.0)`,
  hardtanh: (x, p) => `k_hardtanh(${x}, ${p.minVal}, ${p.maxVal})`,
  softplus: (x, p) => `k_softplus(${x}, ${p.beta}, ${p.threshold})`,
  gelu: (x) => `k_gelu(${x})`,
  geluTanh: (x) => `k_gelu_tanh(${x})`,
  silu: (x) => `(${x} / (1.0 + k_exp(-(${x}))))`,
  logsigmoid: (x) => `k_logsigmoid(${x})`,
  floor: (x) => `floor(${x})`,
  ceil: (x) => `ceil(${x})`,
  round: (x) => `round(${x})`,
  trunc: (x) => `trunc(${x})`,
  logicalNot: (x) => bool(`${x} == 0.0`),
  isnan: (x) => bool(`k_isnan(${x})`),
};

// Integer isnan still names x: a binding the shader never reads would vanish from its layout.
const NEVER_NAN = (x: string): string => bool(`false && ${x} != ${x}`);

/** int32 kernels: arithmetic wraps like torch's int32. */
const I32_UNARY: UnaryKernels<IntegerUnaryOp> = {
  neg: (x) => `-(${x})`,
  abs: (x) => `abs(${x})`,
  sign: (x) => `sign(${x})`,
  relu: (x) => `max(${x}, 0)`,
  // The bounds truncate toward zero (k_f2i), as torch converts them for integer tensors.
  hardtanh: (x, p) => `min(max(${x}, k_f2i(${p.minVal})), k_f2i(${p.maxVal}))`,
  floor: (x) => x,
  ceil: (x) => x,
  round: (x) => x,
  trunc: (x) => x,
  logicalNot: (x) => bool(`${x} == 0`),
  isnan: NEVER_NAN,
};

/** u32 kernels for uint8 and bool storage; the caller wraps results to 8 bits or 0/1. */
const U32_UNARY: UnaryKernels<IntegerUnaryOp> = {
  neg: (x) => `(0u - ${x})`,
  abs: (x) => x,
  sign: (x) => bool(`${x} != 0u`),
  relu: (x) => x,
  // The op table refuses negative bounds for uint8 (and hardtanh of bool), so u32() only truncates.
  hardtanh: (x, p) => `min(max(${x}, u32(${p.minVal})), u32(${p.maxVal}))`,
  floor: (x) => x,
  ceil: (x) => x,
  round: (x) => x,
  trunc: (x) => x,
  logicalNot: (x) => bool(`${x} == 0u`),
  isnan: NEVER_NAN,
};

/** Comparisons for every type, `zero` the type's zero (NaN is truthy: `!(x == 0)`). */
const comparisons = (zero: string): BinaryKernels<ComparisonOp> => ({
  eq: (a, b) => bool(`${a} == ${b}`),
  // Drivers may compile != as an ordered comparison, which is false for NaN.
  ne: (a, b) => bool(`!(${a} == ${b})`),
  lt: (a, b) => bool(`${a} < ${b}`),
  le: (a, b) => bool(`${a} <= ${b}`),
  gt: (a, b) => bool(`${a} > ${b}`),
  ge: (a, b) => bool(`${a} >= ${b}`),
  logicalAnd: (a, b) => bool(`!(${a} == ${zero}) && !(${b} == ${zero})`),
  logicalOr: (a, b) => bool(`!(${a} == ${zero}) || !(${b} == ${zero})`),
});

const F32_BINARY: BinaryKernels<BinaryOp> = {
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  div: (a, b) => `(${a} / ${b})`,
  pow: (a, b) => `k_powf(${a}, ${b})`,
  maximum: (a, b) => `k_maxf(${a}, ${b})`,
  minimum: (a, b) => `k_minf(${a}, ${b})`,
  remainder: (a, b) => `k_remf(${a}, ${b})`,
  floorDivide: (a, b) => `k_floordivf(${a}, ${b})`,
  ...comparisons('0.0'),
};

/** int32 (suffix `i`) or u32 (`u`) kernels; division by zero gives 0, since a shader cannot raise. */
const integerBinary = (suffix: 'i' | 'u'): BinaryKernels<IntegerBinaryOp> => ({
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  pow: (a, b) => `k_pow${suffix}(${a}, ${b})`,
  maximum: (a, b) => `max(${a}, ${b})`,
  minimum: (a, b) => `min(${a}, ${b})`,
  remainder: (a, b) => `k_rem${suffix}(${a}, ${b})`,
  floorDivide: (a, b) => `k_floordiv${suffix}(${a}, ${b})`,
  ...comparisons(suffix === 'i' ? '0' : '0u'),
});
const I32_BINARY = integerBinary('i');
const U32_BINARY = integerBinary('u');

function isIntegerUnary(op: UnaryOp): op is IntegerUnaryOp {
  const rule = unarySpec(op).dtype;
  return rule === 'same' || rule === 'bool';
}

function isIntegerBinary(op: BinaryOp): op is IntegerBinaryOp {
  return binarySpec(op).dtype !== 'trueDiv';
}

/**
 * The value of unary `op` on `x` computed in `dtype` (float32, int32, uint8 or
 * bool: float16 computes in float32): a `dtype` value, or a bool word for bool
 * ops. `params` are WGSL expressions of the op's parameters.
 */
export function unaryExpr<K extends UnaryOp>(op: K, dtype: DType, x: string, params: UnaryParams<K, string>): string {
  if (dtype === 'float32') return F32_UNARY[op](x, params);
  if (!isIntegerUnary(op)) throw new Error(`webgpu: unary ${op} computes in floating point, not ${dtype}`);
  // The narrowed op is still K: its parameters are K's.
  const kernel = (dtype === 'int32' ? I32_UNARY : U32_UNARY)[op] as UnaryKernel<K & IntegerUnaryOp>;
  return kernel(x, params as UnaryParams<K & IntegerUnaryOp, string>);
}

/** The value of binary `op` on `a` and `b` of `dtype`: a `dtype` value, or a bool word for comparisons. */
export function binaryExpr(op: BinaryOp, dtype: DType, a: string, b: string): string {
  if (dtype === 'float32') return F32_BINARY[op](a, b);
  if (!isIntegerBinary(op)) throw new Error(`webgpu: ${op} is only defined for float operands, got ${dtype}`);
  return (dtype === 'int32' ? I32_BINARY : U32_BINARY)[op](a, b);
}
