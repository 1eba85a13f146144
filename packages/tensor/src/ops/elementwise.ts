import { type BinaryOp, COMPARISON_OPS, type UnaryOp } from '../backend.js';
import { type DType, isFloating } from '../dtype.js';
import { dispatch, inputsMayBeKept } from '../dispatch.js';
import { DTypeError } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { asTensor, broadcastView, castTo, checkBackendDType, checkSameDevice, disposeTemps, fromHandle, resultType } from './util.js';

type UnaryKind = 'same' | 'float' | 'bool';

/** Runs a unary kernel: `float` ops turn integer inputs into float32 (like `torch.exp`). */
function unary(name: string, op: UnaryOp, x: Tensor, kind: UnaryKind): Tensor {
  x.assertAlive(name);
  const outDtype: DType = kind === 'bool' ? 'bool' : kind === 'float' && !isFloating(x.dtype) ? 'float32' : x.dtype;
  if (x.dtype === 'bool' && (op === 'neg' || op === 'sign')) {
    throw new DTypeError(`${name}: not supported for bool tensors, use logicalNot() instead`);
  }
  return dispatch(name, [x], {}, () => {
    const b = x.storage.backend;
    return fromHandle(b, b.unary(op, x.view_(), outDtype), outDtype, x.shape);
  });
}

export const neg = (x: Tensor): Tensor => unary('neg', 'neg', x, 'same');
export const abs = (x: Tensor): Tensor => unary('abs', 'abs', x, 'same');
export const sign = (x: Tensor): Tensor => unary('sign', 'sign', x, 'same');
export const exp = (x: Tensor): Tensor => unary('exp', 'exp', x, 'float');
export const expm1 = (x: Tensor): Tensor => unary('expm1', 'expm1', x, 'float');
export const log = (x: Tensor): Tensor => unary('log', 'log', x, 'float');
export const log1p = (x: Tensor): Tensor => unary('log1p', 'log1p', x, 'float');
export const sqrt = (x: Tensor): Tensor => unary('sqrt', 'sqrt', x, 'float');
export const rsqrt = (x: Tensor): Tensor => unary('rsqrt', 'rsqrt', x, 'float');
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', 'reciprocal', x, 'float');
export const sin = (x: Tensor): Tensor => unary('sin', 'sin', x, 'float');
export const cos = (x: Tensor): Tensor => unary('cos', 'cos', x, 'float');
export const tanh = (x: Tensor): Tensor => unary('tanh', 'tanh', x, 'float');
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', 'sigmoid', x, 'float');
export const relu = (x: Tensor): Tensor => unary('relu', 'relu', x, 'same');
export const floor = (x: Tensor): Tensor => unary('floor', 'floor', x, 'same');
export const ceil = (x: Tensor): Tensor => unary('ceil', 'ceil', x, 'same');
export const round = (x: Tensor): Tensor => unary('round', 'round', x, 'same');
export const trunc = (x: Tensor): Tensor => unary('trunc', 'trunc', x, 'same');
export const logicalNot = (x: Tensor): Tensor => unary('logicalNot', 'logicalNot', x, 'bool');
export const isnan = (x: Tensor): Tensor => unary('isnan', 'isnan', x, 'bool');

/** `x * x` */
export function square(x: Tensor): Tensor {
  return mul(x, x);
}

type BinaryKind = 'arith' | 'trueDiv' | 'compare';

function firstTensor(name: string, a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor) return a;
  if (b instanceof Tensor) return b;
  throw new TypeError(`${name}: at least one argument must be a Tensor, got ${typeof a} and ${typeof b}`);
}

/**
 * Broadcasts, promotes and runs a binary kernel. `trueDiv` ops compute in the
 * default float type when both operands are integral (like `torch.div`).
 */
function binary(name: string, op: BinaryOp, a: TensorLike, b: TensorLike, kind: BinaryKind, attrs: Record<string, unknown> = {}): Tensor {
  const anchor = firstTensor(name, a, b);
  const promoted = resultType(a, b);
  const compute: DType = kind === 'trueDiv' && !isFloating(promoted) ? 'float32' : promoted;
  if (compute === 'bool' && NO_BOOL.has(op)) throw new DTypeError(`${name}: not supported for bool tensors (got bool and bool)`);
  const outDtype: DType = kind === 'compare' ? 'bool' : compute;
  const shape = broadcastShapes(name, a instanceof Tensor ? a.shape : [], b instanceof Tensor ? b.shape : []);
  const ta = asTensor(a, promoted, anchor.device);
  const tb = asTensor(b, promoted, anchor.device);
  const backend = checkSameDevice(name, [ta, tb]);
  checkBackendDType(name, backend, compute);
  const mayKeep = inputsMayBeKept();
  const out = dispatch(name, [ta, tb], attrs, () => {
    const ca = castTo(ta, compute);
    const cb = castTo(tb, compute);
    const handle = backend.binary(op, broadcastView(ca, shape), broadcastView(cb, shape), outDtype);
    disposeTemps([ca, cb], [ta, tb]);
    return fromHandle(backend, handle, outDtype, shape);
  });
  freeScalars(mayKeep, out, [ta, tb], [a, b]);
  return out;
}

/**
 * Disposes the tensors in `made` that `asTensor` created from number operands
 * (not the caller's tensors) once the op that took them has run: they are ours,
 * unless the interceptor recorded the op (autograd then gives `out` a backward
 * node, whose rule may read them). Left to the garbage collector instead, a
 * training loop's scalars pile up as thousands of scattered tiny blocks.
 */
function freeScalars(mayKeep: boolean, out: Tensor, made: readonly Tensor[], operands: readonly TensorLike[]): void {
  if (mayKeep && out.gradFn !== null) return;
  for (const t of made) if (!operands.includes(t)) t.dispose();
}

/** Arithmetic PyTorch does not define on bool (add/mul are logical or/and, so they stay). */
const NO_BOOL: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['pow', 'remainder', 'floorDivide']);

function scaled(other: TensorLike, alpha: number | undefined): TensorLike {
  if (alpha === undefined || alpha === 1) return other;
  return other instanceof Tensor ? mul(other, alpha) : (other as number) * alpha;
}

/** `a + alpha * b` */
export function add(a: TensorLike, b: TensorLike, options?: { alpha?: number }): Tensor {
  return binary('add', 'add', a, scaled(b, options?.alpha), 'arith');
}
/** `a - alpha * b` */
export function sub(a: TensorLike, b: TensorLike, options?: { alpha?: number }): Tensor {
  if ((a instanceof Tensor && a.dtype === 'bool') || (b instanceof Tensor && b.dtype === 'bool')) {
    const names = [a, b].map((x) => (x instanceof Tensor ? `${x.dtype} tensor` : typeof x)).join(' and ');
    throw new DTypeError(`sub: subtraction with a bool tensor is not supported (got ${names}); to invert a mask use logicalNot()`);
  }
  return binary('sub', 'sub', a, scaled(b, options?.alpha), 'arith');
}
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('mul', 'mul', a, b, 'arith');
/** True division: integer inputs give float32, as in PyTorch. */
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('div', 'div', a, b, 'trueDiv');
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary('pow', 'pow', a, b, 'arith');
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary('maximum', 'maximum', a, b, 'arith');
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary('minimum', 'minimum', a, b, 'arith');
/** Python's `%`: the result has the sign of the divisor. */
export const remainder = (a: TensorLike, b: TensorLike): Tensor => binary('remainder', 'remainder', a, b, 'arith');
export const floorDivide = (a: TensorLike, b: TensorLike): Tensor => binary('floorDivide', 'floorDivide', a, b, 'arith');

function comparison(name: BinaryOp) {
  if (!COMPARISON_OPS.has(name)) throw new Error(`${name} is not a comparison`);
  return (a: TensorLike, b: TensorLike): Tensor => binary(name, name, a, b, 'compare');
}
export const eq = comparison('eq');
export const ne = comparison('ne');
export const lt = comparison('lt');
export const le = comparison('le');
export const gt = comparison('gt');
export const ge = comparison('ge');
export const logicalAnd = comparison('logicalAnd');
export const logicalOr = comparison('logicalOr');

/** `condition ? a : b` elementwise, broadcasting all three. `condition` must be bool. */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (!(condition instanceof Tensor) || condition.dtype !== 'bool') {
    throw new DTypeError(`where: condition must be a bool tensor, got ${condition instanceof Tensor ? condition.dtype : typeof condition}`);
  }
  const anchor = firstTensor('where', a, b);
  const dtype = resultType(a, b);
  const ta = asTensor(a, dtype, anchor.device);
  const tb = asTensor(b, dtype, anchor.device);
  const backend = checkSameDevice('where', [condition, ta, tb]);
  const shape = broadcastShapes('where', condition.shape, ta.shape, tb.shape);
  const mayKeep = inputsMayBeKept();
  const out = dispatch('where', [condition, ta, tb], {}, () => {
    const ca = castTo(ta, dtype);
    const cb = castTo(tb, dtype);
    const handle = backend.where(broadcastView(condition, shape), broadcastView(ca, shape), broadcastView(cb, shape), dtype);
    disposeTemps([ca, cb], [ta, tb]);
    return fromHandle(backend, handle, dtype, shape);
  });
  freeScalars(mayKeep, out, [ta, tb], [a, b]);
  return out;
}

/** Elements of `x` with `value` where `mask` is true. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  return where(mask, value, x);
}

/** Limits `x` to `[min, max]`; either bound may be omitted (null/undefined). */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  const lo = min ?? null;
  const hi = max ?? null;
  if (lo === null && hi === null) throw new TypeError('clamp: at least one of min or max must be given');
  return dispatch('clamp', [x], { min: lo, max: hi }, () => {
    let out = x;
    if (lo !== null) out = maximum(out, lo);
    if (hi !== null) {
      const clipped = minimum(out, hi);
      if (out !== x) out.dispose();
      out = clipped;
    }
    return out;
  });
}
