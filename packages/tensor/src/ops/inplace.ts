import { type DType, canCast, isFloating } from '../dtype.js';
import { dispatch } from '../dispatch.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { type Generator, defaultGenerator } from '../generator.js';
import { broadcastShapes, shapesEqual } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import * as E from './elementwise.js';
import { backendOf, broadcastView, checkSameDevice, fromHandle } from './util.js';

/**
 * Runs `compute` (an out-of-place op) and writes its result into `target`.
 * PyTorch's rules hold: the result may not need a wider category than
 * `target` (float into int fails) and may not change `target`'s shape.
 */
function writeInto<T extends Tensor>(
  name: string,
  target: T,
  others: readonly Tensor[],
  attrs: Record<string, unknown>,
  compute: () => Tensor,
  direct?: () => boolean,
): T {
  target.assertAlive(name);
  checkSameDevice(name, [target, ...others]);
  dispatch(
    name,
    [target, ...others],
    attrs,
    () => {
      if (direct?.()) {
        target.noteWrite();
        return target;
      }
      const result = compute();
      if (!canCast(result.dtype, target.dtype)) {
        result.dispose();
        throw new DTypeError(`${name}: result type ${result.dtype} can't be cast to the desired output type ${target.dtype}`);
      }
      const shape = broadcastShapes(name, target.shape, result.shape);
      if (!shapesEqual(shape, target.shape)) {
        result.dispose();
        throw new ShapeError(`${name}: output with shape ${fmtShape(target.shape)} doesn't match the broadcast shape ${fmtShape(shape)}`);
      }
      backendOf(target).assign(target.view_(), broadcastView(result, target.shape));
      if (result !== target) result.dispose();
      target.noteWrite();
      return target;
    },
    true,
  );
  return target;
}

const tensorsOf = (...xs: TensorLike[]): Tensor[] => xs.filter((x): x is Tensor => x instanceof Tensor);

/** Attrs of an in-place binary op: a number operand is not an input tensor, so its value travels here. */
const scalarAttr = (other: TensorLike, attrs: Record<string, unknown> = {}): Record<string, unknown> =>
  other instanceof Tensor ? attrs : { ...attrs, scalar: Number(other) };

/**
 * `t += alpha * other` by the backend's fused in-place kernel, when it takes
 * this case: a tensor operand of t's floating dtype that broadcasts to t's shape.
 */
function axpyInto(t: Tensor, other: TensorLike, alpha: number): boolean {
  if (!(other instanceof Tensor) || other.dtype !== t.dtype || !isFloating(t.dtype)) return false;
  const fused = backendOf(t).fused;
  if (!fused?.axpy || !shapesEqual(broadcastShapes('add_', t.shape, other.shape), t.shape)) return false;
  return fused.axpy(t.view_(), broadcastView(other, t.shape), alpha);
}

export const add_ = <T extends Tensor>(t: T, other: TensorLike, options?: { alpha?: number }): T =>
  writeInto(
    'add_',
    t,
    tensorsOf(other),
    scalarAttr(other, { alpha: options?.alpha ?? 1 }),
    () => E.add(t, other, options),
    () => axpyInto(t, other, options?.alpha ?? 1),
  );
export const sub_ = <T extends Tensor>(t: T, other: TensorLike, options?: { alpha?: number }): T =>
  writeInto(
    'sub_',
    t,
    tensorsOf(other),
    scalarAttr(other, { alpha: options?.alpha ?? 1 }),
    () => E.sub(t, other, options),
    () => axpyInto(t, other, -(options?.alpha ?? 1)),
  );
export const mul_ = <T extends Tensor>(t: T, other: TensorLike): T =>
  writeInto('mul_', t, tensorsOf(other), scalarAttr(other), () => E.mul(t, other));
export const div_ = <T extends Tensor>(t: T, other: TensorLike): T =>
  writeInto('div_', t, tensorsOf(other), scalarAttr(other), () => E.div(t, other));
export const pow_ = <T extends Tensor>(t: T, other: TensorLike): T =>
  writeInto('pow_', t, tensorsOf(other), scalarAttr(other), () => E.pow(t, other));
export const maximum_ = <T extends Tensor>(t: T, other: TensorLike): T =>
  writeInto('maximum_', t, tensorsOf(other), scalarAttr(other), () => E.maximum(t, other));
export const sqrt_ = <T extends Tensor>(t: T): T => writeInto('sqrt_', t, [], {}, () => E.sqrt(t));
export const neg_ = <T extends Tensor>(t: T): T => writeInto('neg_', t, [], {}, () => E.neg(t));
export const relu_ = <T extends Tensor>(t: T): T => writeInto('relu_', t, [], {}, () => E.relu(t));
export const clamp_ = <T extends Tensor>(t: T, min?: number | null, max?: number | null): T =>
  writeInto('clamp_', t, [], { min, max }, () => E.clamp(t, min, max));

export function addcmul_<T extends Tensor>(t: T, t1: Tensor, t2: Tensor, value = 1): T {
  // PyTorch's kernel order: self + (value * t1) * t2.
  return writeInto('addcmul_', t, [t1, t2], { value }, () => {
    const scaled = E.mul(t1, value);
    const prod = E.mul(scaled, t2);
    const out = E.add(t, prod);
    scaled.dispose();
    prod.dispose();
    return out;
  });
}

export function addcdiv_<T extends Tensor>(t: T, t1: Tensor, t2: Tensor, value = 1): T {
  // PyTorch's kernel order: self + (value * t1) / t2.
  return writeInto('addcdiv_', t, [t1, t2], { value }, () => {
    const scaled = E.mul(t1, value);
    const q = E.div(scaled, t2);
    const out = E.add(t, q);
    scaled.dispose();
    q.dispose();
    return out;
  });
}

export function lerp_<T extends Tensor>(t: T, end: Tensor, weight: number): T {
  return writeInto('lerp_', t, [end], { weight }, () => {
    const diff = E.sub(end, t);
    const out = E.add(t, diff, { alpha: weight });
    diff.dispose();
    return out;
  });
}

export function fill_<T extends Tensor>(t: T, value: number | boolean): T {
  t.assertAlive('fill_');
  if (t.dtype !== 'bool' && typeof value === 'number' && !isFloating(t.dtype) && !Number.isInteger(value)) {
    throw new DTypeError(`fill_: value ${value} can't be written into a tensor of dtype ${t.dtype}`);
  }
  dispatch(
    'fill_',
    [t],
    { value },
    () => {
      backendOf(t).fill(t.view_(), Number(value));
      t.noteWrite();
      return t;
    },
    true,
  );
  return t;
}

export function copy_<T extends Tensor>(t: T, src: Tensor): T {
  t.assertAlive('copy_');
  src.assertAlive('copy_');
  const shape = broadcastShapes('copy_', t.shape, src.shape);
  if (!shapesEqual(shape, t.shape)) {
    throw new ShapeError(`copy_: source of shape ${fmtShape(src.shape)} cannot be broadcast to the destination shape ${fmtShape(t.shape)}`);
  }
  const moved = src.device === t.device ? src : src.to(t.device);
  dispatch(
    'copy_',
    [t, src],
    {},
    () => {
      const b = backendOf(t);
      // A source overlapping the destination is copied out first so no element is read after it is written.
      const source = moved.storage === t.storage ? fromHandle(b, b.cast(moved.view_(), moved.dtype), moved.dtype, moved.shape) : moved;
      b.assign(t.view_(), broadcastView(source, t.shape));
      if (source !== moved) source.dispose();
      if (moved !== src) moved.dispose();
      t.noteWrite();
      return t;
    },
    true,
  );
  return t;
}

function randomFill<T extends Tensor>(
  name: string,
  t: T,
  kind: 'uniform' | 'normal',
  scale: number,
  shift: number,
  generator: Generator | undefined,
): T {
  if (!isFloating(t.dtype)) throw new DTypeError(`${name}: expected a floating point tensor, got ${t.dtype}`);
  return writeInto(name, t, [], { scale, shift }, () => {
    const b = backendOf(t);
    const dtype: DType = t.dtype;
    const raw = fromHandle(b, b.random(kind, dtype, t.numel(), (generator ?? defaultGenerator).next(t.numel())), dtype, t.shape);
    const scaled = E.mul(raw, scale);
    const out = E.add(scaled, shift);
    raw.dispose();
    scaled.dispose();
    return out;
  });
}

export const uniform_ = <T extends Tensor>(t: T, low: number, high: number, generator?: Generator): T =>
  randomFill('uniform_', t, 'uniform', high - low, low, generator);
export const normal_ = <T extends Tensor>(t: T, mean: number, std: number, generator?: Generator): T =>
  randomFill('normal_', t, 'normal', std, mean, generator);
