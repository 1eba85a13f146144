import type { UnaryOpSpec } from './op-spec.js';
import { erf } from './special-math.js';

// The unary half of the op table (see `op-table.ts`); the recipe for adding an op is in docs/contributing.md.

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
