import { type DType, isIntegral } from '../dtype.js';
import { KindlingError } from '../errors.js';
import { BINARY_OPS } from './binary-table.js';
import type { BinaryOpSpec, OpParams, UnaryOpSpec } from './op-spec.js';
import { UNARY_OPS } from './unary-table.js';

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

export { UNARY_OPS } from './unary-table.js';
export { BINARY_OPS } from './binary-table.js';
export type { BinaryDTypeRule, BinaryOpSpec, Differentiability, Domain, OpParams, UnaryDTypeRule, UnaryOpSpec } from './op-spec.js';

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

/**
 * Unary `op` on one element of `dtype`, as a kernel in JavaScript computes it:
 * the entry's `integer` form for integer and bool dtypes where it has one,
 * else its `math`.
 */
export function unaryMath<K extends UnaryOp>(op: K, dtype: DType): (x: number, params: UnaryParams<K>) => number {
  const spec = unarySpec(op);
  return (isIntegral(dtype, true) && spec.integer) || spec.math;
}

/** Binary `op` on two elements of `dtype`: the `integer` form for integer and bool dtypes where it has one, else `math`. */
export function binaryMath(op: BinaryOp, dtype: DType): (a: number, b: number) => number {
  const spec = BINARY_OPS[op] as BinaryOpSpec;
  return (isIntegral(dtype, true) && spec.integer) || spec.math;
}

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
