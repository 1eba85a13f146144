import { dispatch, inputsMayBeKept } from '../dispatch.js';
import { DTypeError, KindlingError } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import type { BinaryOp, UnaryOp } from './op-table.js';
import { type AlphaOptions, type UnaryOptions, binaryOp, firstTensor, freeScalars, unaryOp } from './run-elementwise.js';
import { asTensor, broadcastView, castTo, checkSameDevice, disposeTemps, fromHandle, resultType } from './util.js';

/*
 * The elementwise ops as functions: each op of the table in `op-table.ts`
 * (where its documentation lives) is one line here, then the ops that are not
 * a single table entry.
 */

const unary =
  <K extends UnaryOp>(op: K) =>
  (x: Tensor, options?: UnaryOptions<K>): Tensor =>
    unaryOp(op, x, options);
const binary =
  (op: BinaryOp) =>
  (a: TensorLike, b: TensorLike): Tensor =>
    binaryOp(op, a, b);

export const neg = unary('neg');
export const abs = unary('abs');
export const sign = unary('sign');
export const exp = unary('exp');
export const expm1 = unary('expm1');
export const log = unary('log');
export const log1p = unary('log1p');
export const sqrt = unary('sqrt');
export const rsqrt = unary('rsqrt');
export const reciprocal = unary('reciprocal');
export const sin = unary('sin');
export const cos = unary('cos');
export const tanh = unary('tanh');
export const sigmoid = unary('sigmoid');
export const erf = unary('erf');
export const relu = unary('relu');
export const leakyRelu = unary('leakyRelu');
export const elu = unary('elu');
export const hardtanh = unary('hardtanh');
export const softplus = unary('softplus');
export const silu = unary('silu');
export const logsigmoid = unary('logsigmoid');
export const floor = unary('floor');
export const ceil = unary('ceil');
export const round = unary('round');
export const trunc = unary('trunc');
export const logicalNot = unary('logicalNot');
export const isnan = unary('isnan');

/** `a + alpha * b` (`torch.add`). */
export const add = (a: TensorLike, b: TensorLike, options?: AlphaOptions): Tensor => binaryOp('add', a, b, options);
/** `a - alpha * b` (`torch.sub`). */
export const sub = (a: TensorLike, b: TensorLike, options?: AlphaOptions): Tensor => binaryOp('sub', a, b, options);
export const mul = binary('mul');
export const div = binary('div');
export const pow = binary('pow');
export const maximum = binary('maximum');
export const minimum = binary('minimum');
export const remainder = binary('remainder');
export const floorDivide = binary('floorDivide');
export const eq = binary('eq');
export const ne = binary('ne');
export const lt = binary('lt');
export const le = binary('le');
export const gt = binary('gt');
export const ge = binary('ge');
export const logicalAnd = binary('logicalAnd');
export const logicalOr = binary('logicalOr');

/** Options of {@link gelu}. */
export interface GeluOptions {
  /** `'none'` (default): the exact `x·Φ(x)`; `'tanh'`: the tanh approximation (`F.gelu(x, approximate='tanh')`). */
  approximate?: 'none' | 'tanh';
}

/** The Gaussian error linear unit `x·Φ(x)` (`torch.nn.functional.gelu`). */
export function gelu(x: Tensor, options?: GeluOptions): Tensor {
  const approximate = options?.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new KindlingError(`gelu: approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
  }
  return unaryOp(approximate === 'tanh' ? 'geluTanh' : 'gelu', x);
}

/** `x * x` */
export function square(x: Tensor): Tensor {
  return mul(x, x);
}

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
