import type { DType } from '../dtype.js';

// The shape of an entry of the op table (`op-table.ts`): what Kindling needs to know of an op.

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
