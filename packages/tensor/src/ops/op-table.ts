import type { DType } from '../dtype.js';
import { KindlingError } from '../errors.js';
import { erf } from './special-math.js';

/*
 * Every elementwise op, defined once. An entry says what the rest of Kindling
 * needs to know of the op: how its result dtype follows from its inputs, the
 * dtypes PyTorch refuses, whether and how it is differentiable, the PyTorch
 * function that is its reference, the inputs it is tested on, its parameters
 * with their defaults, and its math on one element.
 *
 * From here derive the `UnaryOp`/`BinaryOp` unions of the backend interface,
 * the op functions and `Tensor` methods, the plain-TypeScript kernels, the
 * conformance fixtures (tools/fixtures/generate_tensor_ops.py reads this
 * table) and the list of ops gradcheck covers. Backends hold one kernel per
 * op in tables typed over these keys, so an op without a kernel does not
 * compile. The recipe for adding an op is in docs/contributing.md.
 */

/** How a unary op's result dtype follows from its input's. */
export type UnaryDTypeRule =
  /** The input's dtype (`neg`, `relu`, `floor`). */
  | 'same'
  /** Floating inputs keep their dtype; integer and bool inputs compute in float32 (`exp`, `erf`). */
  | 'float'
  /** Floating inputs only: PyTorch has no integer kernel (`gelu`, `silu`). */
  | 'floatOnly'
  /** Always bool (`isnan`, `logicalNot`). */
  | 'bool';

/** How a binary op's result dtype follows from its operands'. */
export type BinaryDTypeRule =
  /** The promoted dtype of the operands (`add`, `pow`). */
  | 'promote'
  /** The promoted dtype, and float32 when both operands are integral (`div`). */
  | 'trueDiv'
  /** bool, comparing in the promoted dtype (`eq`, `logicalAnd`). */
  | 'compare';

/**
 * Whether autograd differentiates the op: `smooth` ops have a derivative rule
 * (in `@kindling/autograd`'s `rules/elementwise.ts`), `zero` ops are piecewise
 * constant (their gradient is zero), `none` ops produce bool.
 */
export type Differentiability = 'smooth' | 'zero' | 'none';

/**
 * Where an input is drawn from for fixtures and finite-difference checks:
 * `real` anywhere (kinks at 0 are avoided by gradcheck), `positive` (logs,
 * roots, divisors), `exponent` small numbers for `pow`.
 */
export type Domain = 'real' | 'positive' | 'exponent';

/** Named numeric parameters of an op (`beta`, `threshold` of softplus), by name. */
export type OpParams = Readonly<Record<string, number>>;

/** An entry of the unary table. */
export interface UnaryOpSpec<P extends OpParams = OpParams> {
  /** The PyTorch function it matches, as Python: `torch.exp`, `torch.nn.functional.gelu`. */
  readonly torch: string;
  /** Extra keyword arguments of the PyTorch call (`{ approximate: 'tanh' }`); parameters are passed by their snake_case names. */
  readonly torchKwargs?: Readonly<Record<string, string>>;
  readonly dtype: UnaryDTypeRule;
  /** Input dtypes refused as PyTorch refuses them, with an optional hint for the error message. */
  readonly refuses?: { readonly dtypes: readonly DType[]; readonly hint?: string };
  readonly grad: Differentiability;
  readonly domain: Domain;
  /** Parameters and their defaults (PyTorch's, under camelCase names); none if absent. */
  readonly params?: P;
  /** Parameter values besides the defaults that fixtures cover. */
  readonly examples?: readonly Partial<P>[];
  /** The op on one element, in float64; integer results are wrapped to the dtype by the caller. */
  readonly math: (x: number, params: P) => number;
  /** The op on an integer element where it differs from `math` (the caller wraps the result). */
  readonly integer?: (x: number, params: P) => number;
  /** Refuses parameters that do not fit an input dtype: the error message, or undefined when they fit. */
  readonly check?: (dtype: DType, params: P) => string | undefined;
}

/** An entry of the binary table. */
export interface BinaryOpSpec {
  readonly torch: string;
  readonly dtype: BinaryDTypeRule;
  /**
   * Dtypes refused as PyTorch refuses them: the dtype the operands promote
   * to, or with `anyOperand` either operand's own dtype (`sub` of a bool).
   */
  readonly refuses?: { readonly dtypes: readonly DType[]; readonly anyOperand?: boolean; readonly hint?: string };
  /** Takes PyTorch's `alpha`, which scales the second operand (`add`, `sub`). */
  readonly alpha?: boolean;
  readonly grad: Differentiability;
  /** Domains of the two operands. */
  readonly domain: readonly [Domain, Domain];
  /** The op on two floating elements, in float64. */
  readonly math: (a: number, b: number) => number;
  /** The op on two integers (int32, uint8, bool as 0/1) where it differs from `math`; the caller wraps the result. */
  readonly integer?: (a: number, b: number) => number;
}

/** Round half to even, like `torch.round`. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const SQRT1_2 = Math.SQRT1_2;
/** √(2/π), the scale inside tanh-approximated GELU. */
const GELU_TANH_BETA = Math.sqrt(2 / Math.PI);
const GELU_TANH_KAPPA = 0.044715;

/** Elementwise functions of one argument. */
export const UNARY_OPS = {
  /** `-x` (`torch.neg`). */
  neg: {
    torch: 'torch.neg',
    dtype: 'same',
    refuses: { dtypes: ['bool'], hint: 'use logicalNot() to invert a mask' },
    grad: 'smooth',
    domain: 'real',
    math: (x) => -x,
  },
  /** `|x|` (`torch.abs`). */
  abs: { torch: 'torch.abs', dtype: 'same', refuses: { dtypes: ['bool'] }, grad: 'smooth', domain: 'real', math: Math.abs },
  /** -1, 0 or 1 by the sign of x; 0 for NaN (`torch.sign`). */
  sign: {
    torch: 'torch.sign',
    dtype: 'same',
    grad: 'zero',
    domain: 'real',
    math: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? x : 0),
  },
  /** `eˣ` (`torch.exp`). */
  exp: { torch: 'torch.exp', dtype: 'float', grad: 'smooth', domain: 'real', math: Math.exp },
  /** `eˣ - 1`, accurate near 0 (`torch.expm1`). */
  expm1: { torch: 'torch.expm1', dtype: 'float', grad: 'smooth', domain: 'real', math: Math.expm1 },
  /** Natural logarithm (`torch.log`). */
  log: { torch: 'torch.log', dtype: 'float', grad: 'smooth', domain: 'positive', math: Math.log },
  /** `log(1 + x)`, accurate near 0 (`torch.log1p`). */
  log1p: { torch: 'torch.log1p', dtype: 'float', grad: 'smooth', domain: 'positive', math: Math.log1p },
  /** `√x` (`torch.sqrt`). */
  sqrt: { torch: 'torch.sqrt', dtype: 'float', grad: 'smooth', domain: 'positive', math: Math.sqrt },
  /** `1/√x` (`torch.rsqrt`). */
  rsqrt: { torch: 'torch.rsqrt', dtype: 'float', grad: 'smooth', domain: 'positive', math: (x) => 1 / Math.sqrt(x) },
  /** `1/x` (`torch.reciprocal`). */
  reciprocal: { torch: 'torch.reciprocal', dtype: 'float', grad: 'smooth', domain: 'positive', math: (x) => 1 / x },
  /** Sine (`torch.sin`). */
  sin: { torch: 'torch.sin', dtype: 'float', grad: 'smooth', domain: 'real', math: Math.sin },
  /** Cosine (`torch.cos`). */
  cos: { torch: 'torch.cos', dtype: 'float', grad: 'smooth', domain: 'real', math: Math.cos },
  /** Hyperbolic tangent (`torch.tanh`). */
  tanh: { torch: 'torch.tanh', dtype: 'float', grad: 'smooth', domain: 'real', math: Math.tanh },
  /** `1 / (1 + e⁻ˣ)` (`torch.sigmoid`). */
  sigmoid: { torch: 'torch.sigmoid', dtype: 'float', grad: 'smooth', domain: 'real', math: sigmoid },
  /** The error function `2/√π ∫₀ˣ e^{-t²} dt` (`torch.erf`). */
  erf: { torch: 'torch.erf', dtype: 'float', grad: 'smooth', domain: 'real', math: erf },
  /** `max(x, 0)`, NaN stays NaN (`torch.relu`). */
  relu: {
    torch: 'torch.relu',
    dtype: 'same',
    refuses: { dtypes: ['bool'] },
    grad: 'smooth',
    domain: 'real',
    math: (x) => (x > 0 ? x : x === x ? 0 : x),
  },
  /** `x` where x > 0, else `negativeSlope · x` (`F.leaky_relu`). */
  leakyRelu: {
    torch: 'torch.nn.functional.leaky_relu',
    dtype: 'floatOnly',
    grad: 'smooth',
    domain: 'real',
    params: { negativeSlope: 0.01 },
    examples: [{ negativeSlope: 0.2 }, { negativeSlope: -1.5 }],
    math: (x, { negativeSlope }) => (x > 0 ? x : x * negativeSlope),
  },
  /** `x` where x > 0, else `alpha · (eˣ - 1)` (`F.elu`). */
  elu: {
    torch: 'torch.nn.functional.elu',
    dtype: 'floatOnly',
    grad: 'smooth',
    domain: 'real',
    params: { alpha: 1 },
    examples: [{ alpha: 0.5 }],
    math: (x, { alpha }) => (x > 0 ? x : alpha * Math.expm1(x)),
  },
  /** `min(max(x, minVal), maxVal)`, NaN stays NaN; integer inputs clamp to the bounds truncated (`F.hardtanh`). */
  hardtanh: {
    torch: 'torch.nn.functional.hardtanh',
    dtype: 'same',
    refuses: { dtypes: ['bool'] },
    grad: 'smooth',
    domain: 'real',
    params: { minVal: -1, maxVal: 1 },
    examples: [
      { minVal: -0.5, maxVal: 2 },
      { minVal: 0.5, maxVal: 0.25 },
    ],
    math: (x, { minVal, maxVal }) => (x !== x ? x : Math.min(Math.max(x, minVal), maxVal)),
    integer: (x, { minVal, maxVal }) => Math.min(Math.max(x, Math.trunc(minVal)), Math.trunc(maxVal)),
    check: (dtype, { minVal, maxVal }) =>
      dtype === 'uint8' && (minVal < 0 || maxVal < 0)
        ? `cannot clamp a uint8 tensor to negative limits (got ${minVal}, ${maxVal})`
        : undefined,
  },
  /** `log(1 + e^{βx}) / β`, and `x` where `βx > threshold` (`F.softplus`). */
  softplus: {
    torch: 'torch.nn.functional.softplus',
    dtype: 'floatOnly',
    grad: 'smooth',
    domain: 'real',
    params: { beta: 1, threshold: 20 },
    examples: [{ beta: 2, threshold: 1.5 }, { beta: 0.5 }],
    math: (x, { beta, threshold }) => (x * beta > threshold ? x : Math.log1p(Math.exp(x * beta)) / beta),
  },
  /** `x · Φ(x)`, Φ the standard normal CDF (`F.gelu`). */
  gelu: {
    torch: 'torch.nn.functional.gelu',
    dtype: 'floatOnly',
    grad: 'smooth',
    domain: 'real',
    math: (x) => x * 0.5 * (1 + erf(x * SQRT1_2)),
  },
  /** GELU with Φ approximated by `½(1 + tanh(√(2/π)(x + 0.044715x³)))` (`F.gelu(x, approximate='tanh')`). */
  geluTanh: {
    torch: 'torch.nn.functional.gelu',
    torchKwargs: { approximate: 'tanh' },
    dtype: 'floatOnly',
    grad: 'smooth',
    domain: 'real',
    math: (x) => 0.5 * x * (1 + Math.tanh(GELU_TANH_BETA * (x + GELU_TANH_KAPPA * x * x * x))),
  },
  /** `x · sigmoid(x)`, also called swish (`F.silu`). */
  silu: { torch: 'torch.nn.functional.silu', dtype: 'floatOnly', grad: 'smooth', domain: 'real', math: (x) => x / (1 + Math.exp(-x)) },
  /** `log(sigmoid(x))`, computed as `min(x, 0) - log1p(e^{-|x|})` so it never overflows (`F.logsigmoid`). */
  logsigmoid: {
    torch: 'torch.nn.functional.logsigmoid',
    dtype: 'floatOnly',
    grad: 'smooth',
    domain: 'real',
    math: (x) => Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x))),
  },
  /** Largest integer ≤ x (`torch.floor`). */
  floor: { torch: 'torch.floor', dtype: 'same', refuses: { dtypes: ['bool'] }, grad: 'zero', domain: 'real', math: Math.floor },
  /** Smallest integer ≥ x (`torch.ceil`). */
  ceil: { torch: 'torch.ceil', dtype: 'same', refuses: { dtypes: ['bool'] }, grad: 'zero', domain: 'real', math: Math.ceil },
  /** Nearest integer, ties to even (`torch.round`). */
  round: { torch: 'torch.round', dtype: 'same', refuses: { dtypes: ['bool'] }, grad: 'zero', domain: 'real', math: roundHalfEven },
  /** x without its fractional part (`torch.trunc`). */
  trunc: { torch: 'torch.trunc', dtype: 'same', refuses: { dtypes: ['bool'] }, grad: 'zero', domain: 'real', math: Math.trunc },
  /** `x == 0` (`torch.logical_not`). */
  logicalNot: { torch: 'torch.logical_not', dtype: 'bool', grad: 'none', domain: 'real', math: (x) => (x === 0 ? 1 : 0) },
  /** Whether x is NaN (`torch.isnan`). */
  isnan: { torch: 'torch.isnan', dtype: 'bool', grad: 'none', domain: 'real', math: (x) => (x !== x ? 1 : 0) },
} as const satisfies Record<string, UnaryOpSpec>;

/** PyTorch's `div_floor` for floats: floor of the exact quotient, IEEE results for b == 0. */
function floatFloorDivide(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div === 0) return Math.sign(a / b) < 0 || Object.is(a / b, -0) ? -0 : 0;
  let floored = Math.floor(div);
  if (div - floored > 0.5) floored += 1;
  return floored;
}

/** Python's modulo: the result takes the divisor's sign. */
function pythonMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

function nonZeroDivisor(op: string, b: number): number {
  if (b === 0) throw new KindlingError(`${op}: integer division by zero (ZeroDivisionError)`);
  return b;
}

const compare = (torch: string, math: (a: number, b: number) => boolean) =>
  ({
    torch,
    dtype: 'compare',
    grad: 'none',
    domain: ['real', 'real'],
    math: (a: number, b: number) => (math(a, b) ? 1 : 0),
  }) as const satisfies BinaryOpSpec;

/** Elementwise functions of two arguments, broadcast against each other. */
export const BINARY_OPS = {
  /** `a + b` (`torch.add`). */
  add: { torch: 'torch.add', dtype: 'promote', alpha: true, grad: 'smooth', domain: ['real', 'real'], math: (a, b) => a + b },
  /** `a - b` (`torch.sub`). */
  sub: {
    torch: 'torch.sub',
    dtype: 'promote',
    alpha: true,
    refuses: { dtypes: ['bool'], anyOperand: true, hint: 'to invert a mask use logicalNot()' },
    grad: 'smooth',
    domain: ['real', 'real'],
    math: (a, b) => a - b,
  },
  /** `a · b` (`torch.mul`); int32 products wrap exactly. */
  mul: { torch: 'torch.mul', dtype: 'promote', grad: 'smooth', domain: ['real', 'real'], math: (a, b) => a * b, integer: Math.imul },
  /** True division: integer operands give float32 (`torch.div`). */
  div: { torch: 'torch.div', dtype: 'trueDiv', grad: 'smooth', domain: ['real', 'positive'], math: (a, b) => a / b },
  /** `aᵇ` (`torch.pow`). */
  pow: {
    torch: 'torch.pow',
    dtype: 'promote',
    refuses: { dtypes: ['bool'] },
    grad: 'smooth',
    domain: ['positive', 'exponent'],
    math: Math.pow,
  },
  /** The larger operand, NaN if either is (`torch.maximum`). */
  maximum: {
    torch: 'torch.maximum',
    dtype: 'promote',
    grad: 'smooth',
    domain: ['real', 'real'],
    math: (a, b) => (a !== a || b !== b ? Number.NaN : a > b ? a : b),
  },
  /** The smaller operand, NaN if either is (`torch.minimum`). */
  minimum: {
    torch: 'torch.minimum',
    dtype: 'promote',
    grad: 'smooth',
    domain: ['real', 'real'],
    math: (a, b) => (a !== a || b !== b ? Number.NaN : a < b ? a : b),
  },
  /** Python's `%`: the result takes the divisor's sign (`torch.remainder`). */
  remainder: {
    torch: 'torch.remainder',
    dtype: 'promote',
    refuses: { dtypes: ['bool'] },
    grad: 'smooth',
    domain: ['positive', 'positive'],
    math: pythonMod,
    integer: (a, b) => pythonMod(a, nonZeroDivisor('remainder', b)),
  },
  /** Python's `//`: the quotient rounded toward -∞ (`torch.floor_divide`). */
  floorDivide: {
    torch: 'torch.floor_divide',
    dtype: 'promote',
    refuses: { dtypes: ['bool'] },
    grad: 'zero',
    domain: ['positive', 'positive'],
    math: floatFloorDivide,
    integer: (a, b) => Math.floor(a / nonZeroDivisor('floorDivide', b)),
  },
  /** `a == b` (`torch.eq`). */
  eq: compare('torch.eq', (a, b) => a === b),
  /** `a != b` (`torch.ne`). */
  ne: compare('torch.ne', (a, b) => a !== b),
  /** `a < b` (`torch.lt`). */
  lt: compare('torch.lt', (a, b) => a < b),
  /** `a <= b` (`torch.le`). */
  le: compare('torch.le', (a, b) => a <= b),
  /** `a > b` (`torch.gt`). */
  gt: compare('torch.gt', (a, b) => a > b),
  /** `a >= b` (`torch.ge`). */
  ge: compare('torch.ge', (a, b) => a >= b),
  /** Both non-zero (`torch.logical_and`). */
  logicalAnd: compare('torch.logical_and', (a, b) => a !== 0 && b !== 0),
  /** Either non-zero (`torch.logical_or`). */
  logicalOr: compare('torch.logical_or', (a, b) => a !== 0 || b !== 0),
} as const satisfies Record<string, BinaryOpSpec>;

/** The type of {@link UNARY_OPS}. */
export type UnaryTable = typeof UNARY_OPS;
/** The type of {@link BINARY_OPS}. */
export type BinaryTable = typeof BINARY_OPS;

/** Elementwise functions of one argument: the keys of {@link UNARY_OPS}. */
export type UnaryOp = keyof UnaryTable;
/** Elementwise functions of two arguments: the keys of {@link BINARY_OPS}. Comparisons and logical ops produce `bool`. */
export type BinaryOp = keyof BinaryTable;

type ParamsOf<K extends UnaryOp> = UnaryTable[K] extends { readonly params: infer P } ? P : Record<never, number>;

/** The parameters of unary `op`, as values of type `T` (numbers for kernels in TypeScript, WGSL expressions for shaders). */
export type UnaryParams<K extends UnaryOp, T = number> = { readonly [P in keyof ParamsOf<K>]: T };

/** Unary ops whose result keeps an integer input's dtype: backends need integer kernels for these. */
export type SameDTypeUnaryOp = { [K in UnaryOp]: UnaryTable[K]['dtype'] extends 'same' ? K : never }[UnaryOp];
/** Unary ops that produce bool. */
export type BoolUnaryOp = { [K in UnaryOp]: UnaryTable[K]['dtype'] extends 'bool' ? K : never }[UnaryOp];
/** Unary ops with a derivative rule. */
export type SmoothUnaryOp = { [K in UnaryOp]: UnaryTable[K]['grad'] extends 'smooth' ? K : never }[UnaryOp];
/** Binary ops with a derivative rule. */
export type SmoothBinaryOp = { [K in BinaryOp]: BinaryTable[K]['grad'] extends 'smooth' ? K : never }[BinaryOp];
/** Binary ops that take `alpha` (`add`, `sub`). */
export type AlphaBinaryOp = { [K in BinaryOp]: BinaryTable[K] extends { readonly alpha: true } ? K : never }[BinaryOp];
/** Unary ops PyTorch has as `torch.*` functions and `Tensor` methods (the rest live in `torch.nn.functional`). */
export type TensorMethodUnaryOp = { [K in UnaryOp]: UnaryTable[K]['torch'] extends `torch.nn.${string}` ? never : K }[UnaryOp];
/** Binary ops that compare (or combine logically) and produce bool. */
export type ComparisonOp = { [K in BinaryOp]: BinaryTable[K]['dtype'] extends 'compare' ? K : never }[BinaryOp];

/** The unary ops, in table order. */
export const UNARY_OP_NAMES = Object.keys(UNARY_OPS) as readonly UnaryOp[];
/** The binary ops, in table order. */
export const BINARY_OP_NAMES = Object.keys(BINARY_OPS) as readonly BinaryOp[];

/** The table entry of unary `op`, its parameter types resolved. */
export function unarySpec<K extends UnaryOp>(op: K): UnaryOpSpec<UnaryParams<K>> {
  return UNARY_OPS[op] as UnaryOpSpec as UnaryOpSpec<UnaryParams<K>>;
}

/** The defaults of unary `op`'s parameters (an empty object for ops without any). */
export function defaultParams<K extends UnaryOp>(op: K): UnaryParams<K> {
  return (unarySpec(op).params ?? NO_PARAMS) as UnaryParams<K>;
}

const NO_PARAMS: OpParams = Object.freeze({});

/** The table entry of binary `op`. */
export function binarySpec(op: BinaryOp): BinaryOpSpec {
  return BINARY_OPS[op];
}

/** Whether unary `op` is a `torch.*` function and so a `Tensor` method too (not a `torch.nn.functional` one). */
export function isTensorMethodOp(op: UnaryOp): op is TensorMethodUnaryOp {
  return !UNARY_OPS[op].torch.startsWith('torch.nn.');
}

/** Whether binary `op` produces bool. */
export function isComparison(op: BinaryOp): op is ComparisonOp {
  return BINARY_OPS[op].dtype === 'compare';
}

/** `op`'s parameters: the defaults, overridden by `given`; unknown names and non-numbers are refused. */
export function resolveParams<K extends UnaryOp>(op: K, given: Readonly<Record<string, unknown>> | undefined): UnaryParams<K> {
  const defaults: OpParams = defaultParams(op);
  if (given === undefined) return defaults as UnaryParams<K>;
  for (const [name, value] of Object.entries(given)) {
    if (!(name in defaults)) {
      const known = Object.keys(defaults);
      throw new KindlingError(`${op}: unknown option '${name}' (${known.length ? `expected ${known.join(', ')}` : 'it takes none'})`);
    }
    if (value !== undefined && typeof value !== 'number') {
      throw new KindlingError(`${op}: ${name} must be a number, got ${typeof value}`);
    }
  }
  const params: Record<string, number> = { ...defaults };
  for (const [name, value] of Object.entries(given)) if (value !== undefined) params[name] = value as number;
  return params as UnaryParams<K>;
}
