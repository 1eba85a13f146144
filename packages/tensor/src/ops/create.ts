import { checkAllocation } from '../alloc-limit.js';
import type { RandomKind } from '../backend.js';
import { type DType, type TypedArray, allocArray, inferDType, isFloating } from '../dtype.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { type Generator, defaultGenerator } from '../generator.js';
import { getBackend, getDefaultDevice } from '../registry.js';
import { checkShape, numel } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add, remainder } from './elementwise.js';
import { type CreateOptions, checkBackendDType, checkCreateOptions, disposeTemps, fromHandle } from './util.js';
import { cast } from './convert.js';

/** Nested arrays of numbers or booleans, as `tensor()` accepts. */
export type NestedInput = number | boolean | readonly NestedInput[];

export interface TensorOptions extends CreateOptions {
  /** With a typed array, the shape to give it (default: 1-D). */
  shape?: readonly number[];
}

function finish(t: Tensor, options: CreateOptions | undefined): Tensor {
  if (options?.requiresGrad) t.requiresGrad_(true);
  return t;
}

function fromData(op: string, data: TypedArray, dtype: DType, shape: readonly number[], options: CreateOptions | undefined): Tensor {
  const backend = getBackend(options?.device ?? getDefaultDevice(), op);
  checkBackendDType(op, backend, dtype);
  return finish(fromHandle(backend, backend.upload(dtype, data), dtype, shape), options);
}

function dtypeOfArray(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  return 'uint8';
}

function isTypedArray(x: unknown): x is TypedArray {
  return x instanceof Float32Array || x instanceof Float64Array || x instanceof Int32Array || x instanceof Uint8Array;
}

/** Shape of a nested array, checking it is rectangular. */
function nestedShape(data: NestedInput): number[] {
  const shape: number[] = [];
  let level: NestedInput = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0] as NestedInput;
  }
  const check = (x: NestedInput, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (typeof x !== 'number' && typeof x !== 'boolean') {
        throw new TypeError(
          `tensor: expected a number or boolean at ${path || 'the top level'}, got ${Array.isArray(x) ? 'an array' : typeof x}`,
        );
      }
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new ShapeError(
        `tensor: expected a sequence of length ${shape[dim]} at dim ${dim} (${path || 'top'}), got ${Array.isArray(x) ? `length ${x.length}` : typeof x}`,
      );
    }
    x.forEach((v: NestedInput, i: number) => {
      check(v, dim + 1, `${path}[${i}]`);
    });
  };
  check(data, 0, '');
  return shape;
}

/**
 * A tensor from nested arrays, a number, or a typed array. Without `dtype`,
 * integers give int32, any fraction float32, booleans bool, and a typed array
 * its own type. The data is copied.
 */
export function tensor(data: NestedInput | TypedArray, options?: TensorOptions): Tensor {
  checkCreateOptions('tensor', options);
  if (isTypedArray(data)) {
    const shape = options?.shape ? checkShape('tensor', options.shape) : [data.length];
    if (numel(shape) !== data.length)
      throw new ShapeError(`tensor: shape ${fmtShape(shape)} needs ${numel(shape)} elements, got an array of ${data.length}`);
    const src = dtypeOfArray(data);
    const dtype = options?.dtype ?? src;
    const converted = dtype === src || (dtype === 'bool' && src === 'uint8') ? data : convertArray(data, dtype);
    return fromData('tensor', converted, dtype, shape, options);
  }
  const shape = nestedShape(data);
  const flat = (Array.isArray(data) ? (data as unknown[]).flat(Number.POSITIVE_INFINITY as 1) : [data]) as (number | boolean)[];
  const dtype = options?.dtype ?? inferDType(flat);
  const out = allocArray(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    out[i] = dtype === 'bool' ? Number(v !== 0 && v !== false) : Number(v);
  }
  if (options?.shape) throw new TypeError('tensor: the shape option only applies to typed arrays; nested arrays carry their shape');
  return fromData('tensor', out, dtype, shape, options);
}

function convertArray(data: TypedArray, dtype: DType): TypedArray {
  const out = allocArray(dtype, data.length);
  for (let i = 0; i < data.length; i++) out[i] = dtype === 'bool' ? Number(data[i] !== 0) : data[i];
  return out;
}

/** A 0-dim tensor holding `value`. */
export function scalar(value: number | boolean, options?: CreateOptions): Tensor {
  return tensor(value, options);
}

/** Shapes may be given as an array or as separate numbers: `zeros([2, 3])` or `zeros(2, 3)`. */
export type ShapeArgs = [readonly number[], CreateOptions?] | [...number[]] | [...number[], CreateOptions];

function parseShapeArgs(op: string, args: readonly unknown[]): { shape: number[]; options: CreateOptions | undefined } {
  if (Array.isArray(args[0])) return { shape: checkShape(op, args[0] as number[]), options: args[1] as CreateOptions | undefined };
  const last = args[args.length - 1];
  const hasOptions = last !== undefined && typeof last === 'object';
  const dims = (hasOptions ? args.slice(0, -1) : args) as number[];
  return { shape: checkShape(op, dims), options: hasOptions ? (last as CreateOptions) : undefined };
}

function filled(op: string, shape: readonly number[], value: number | boolean, options: CreateOptions | undefined): Tensor {
  checkCreateOptions(op, options);
  const dtype = options?.dtype ?? (typeof value === 'boolean' ? 'bool' : Number.isInteger(value) && op === 'full' ? 'int32' : 'float32');
  const backend = getBackend(options?.device ?? getDefaultDevice(), op);
  checkBackendDType(op, backend, dtype);
  checkAllocation(backend, dtype, shape, op);
  const t = fromHandle(backend, backend.alloc(dtype, numel(shape)), dtype, shape);
  if (value !== 0 && value !== false) backend.fill(t.view_(), Number(value));
  return finish(t, options);
}

/** A tensor of zeros (float32 unless `dtype` says otherwise). */
export function zeros(...args: ShapeArgs): Tensor {
  const { shape, options } = parseShapeArgs('zeros', args);
  return filled('zeros', shape, 0, options);
}

export function ones(...args: ShapeArgs): Tensor {
  const { shape, options } = parseShapeArgs('ones', args);
  return filled('ones', shape, 1, options);
}

/** An uninitialized tensor in PyTorch; here zero-filled, since fresh storage always is. */
export function empty(...args: ShapeArgs): Tensor {
  const { shape, options } = parseShapeArgs('empty', args);
  return filled('empty', shape, 0, options);
}

/** A tensor filled with `value` (dtype inferred from it: int32, float32 or bool). */
export function full(shape: readonly number[], value: number | boolean, options?: CreateOptions): Tensor {
  return filled('full', checkShape('full', shape), value, options);
}

function likeOptions(t: Tensor, options: CreateOptions | undefined): CreateOptions {
  return { dtype: t.dtype, device: t.device, ...options };
}

export const zerosLike = (t: Tensor, options?: CreateOptions): Tensor => zeros(t.shape, likeOptions(t, options));
export const onesLike = (t: Tensor, options?: CreateOptions): Tensor => ones(t.shape, likeOptions(t, options));
export const emptyLike = (t: Tensor, options?: CreateOptions): Tensor => empty(t.shape, likeOptions(t, options));
export const fullLike = (t: Tensor, value: number | boolean, options?: CreateOptions): Tensor =>
  full(t.shape, value, likeOptions(t, options));

/**
 * `[start, end)` in steps of `step`: `arange(5)`, `arange(1, 4)`, `arange(0, 1, 0.25)`.
 * Integral arguments give int32, any fraction float32.
 */
export function arange(startOrEnd: number, end?: number | CreateOptions, step?: number | CreateOptions, options?: CreateOptions): Tensor {
  let start = 0;
  let stop = startOrEnd;
  let delta = 1;
  let opts = options;
  if (typeof end === 'number') {
    start = startOrEnd;
    stop = end;
    if (typeof step === 'number') delta = step;
    else opts = step ?? opts;
  } else {
    opts = end ?? opts;
  }
  checkCreateOptions('arange', opts);
  if (!Number.isFinite(start) || !Number.isFinite(stop))
    throw new RangeError(`arange: start and end must be finite numbers, got start=${start}, end=${stop}`);
  if (delta === 0 || !Number.isFinite(delta)) throw new RangeError(`arange: step must be a non-zero finite number, got ${delta}`);
  if ((stop - start) * delta < 0)
    throw new RangeError(`arange: upper bound ${stop} and lower bound ${start} are inconsistent with step sign ${delta}`);
  const n = Math.max(0, Math.ceil((stop - start) / delta));
  const dtype = opts?.dtype ?? ([start, stop, delta].every(Number.isInteger) ? 'int32' : 'float32');
  checkAllocation(getBackend(opts?.device ?? getDefaultDevice(), 'arange'), dtype, [n], 'arange');
  const data = allocArray(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * delta;
  return fromData('arange', data, dtype, [n], opts);
}

/** `steps` evenly spaced values from `start` to `end` inclusive (float32). */
export function linspace(start: number, end: number, steps: number, options?: CreateOptions): Tensor {
  checkCreateOptions('linspace', options);
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const dtype = options?.dtype ?? 'float32';
  checkAllocation(getBackend(options?.device ?? getDefaultDevice(), 'linspace'), dtype, [steps], 'linspace');
  const data = allocArray(dtype, steps);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  // PyTorch fills the two halves from both ends so the last value is exactly `end`.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) data[i] = i < half ? start + i * delta : end - (steps - 1 - i) * delta;
  return fromData('linspace', data, dtype, [steps], options);
}

/** An `n x m` identity matrix (m defaults to n). */
export function eye(n: number, m?: number | CreateOptions, options?: CreateOptions): Tensor {
  const cols = typeof m === 'number' ? m : n;
  const opts = typeof m === 'object' ? m : options;
  checkCreateOptions('eye', opts);
  const shape = checkShape('eye', [n, cols]);
  const dtype = opts?.dtype ?? 'float32';
  checkAllocation(getBackend(opts?.device ?? getDefaultDevice(), 'eye'), dtype, shape, 'eye');
  const data = allocArray(dtype, n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i] = 1;
  return fromData('eye', data, dtype, shape, opts);
}

/** Options of random creation functions. */
export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

function randomTensor(op: string, kind: RandomKind, shape: readonly number[], dtype: DType, options: RandomOptions | undefined): Tensor {
  const backend = getBackend(options?.device ?? getDefaultDevice(), op);
  checkBackendDType(op, backend, dtype);
  checkAllocation(backend, dtype, shape, op);
  const size = numel(shape);
  const key = (options?.generator ?? defaultGenerator).next(size);
  return fromHandle(backend, backend.random(kind, dtype, size, key), dtype, shape);
}

function floatDType(op: string, options: CreateOptions | undefined): DType {
  const dtype = options?.dtype ?? 'float32';
  if (!isFloating(dtype)) throw new DTypeError(`${op}: dtype must be floating point, got ${dtype}`);
  return dtype;
}

/** Uniform samples from [0, 1). Reproducible after `manualSeed`. */
export function rand(...args: [readonly number[], RandomOptions?] | [...number[]] | [...number[], RandomOptions]): Tensor {
  const { shape, options } = parseShapeArgs('rand', args);
  checkCreateOptions('rand', options);
  return finish(randomTensor('rand', 'uniform', shape, floatDType('rand', options), options as RandomOptions), options);
}

/** Standard normal samples. Reproducible after `manualSeed`. */
export function randn(...args: [readonly number[], RandomOptions?] | [...number[]] | [...number[], RandomOptions]): Tensor {
  const { shape, options } = parseShapeArgs('randn', args);
  checkCreateOptions('randn', options);
  return finish(randomTensor('randn', 'normal', shape, floatDType('randn', options), options as RandomOptions), options);
}

/** Integers uniform in `[low, high)`: `randint(10, [3])` or `randint(5, 10, [3])`. int32 by default. */
export function randint(
  lowOrHigh: number,
  highOrShape: number | readonly number[],
  shapeOrOptions?: readonly number[] | RandomOptions,
  options?: RandomOptions,
): Tensor {
  const [low, high, shape, opts] =
    typeof highOrShape === 'number'
      ? [lowOrHigh, highOrShape, shapeOrOptions as readonly number[], options]
      : [0, lowOrHigh, highOrShape, shapeOrOptions as RandomOptions | undefined];
  checkCreateOptions('randint', opts);
  if (!Array.isArray(shape)) throw new TypeError('randint: expected a shape array');
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new RangeError(`randint: expected integers low < high, got low=${low}, high=${high}`);
  }
  const dtype = opts?.dtype ?? 'int32';
  // 31 random bits reduced modulo the range: the bias is below 2^-31 * range, and it needs no float64.
  const bits = randomTensor('randint', 'bits', checkShape('randint', shape), 'int32', opts);
  const reduced = remainder(bits, high - low);
  const shifted = add(reduced, low);
  const out = cast(shifted, dtype);
  disposeTemps([bits, reduced, shifted], [out]);
  return finish(out, opts);
}

/** A random permutation of `0..n-1` (int32). */
export function randperm(n: number, options?: RandomOptions): Tensor {
  checkCreateOptions('randperm', options);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  checkAllocation(getBackend(options?.device ?? getDefaultDevice(), 'randperm'), 'int32', [n], 'randperm');
  const perm = (options?.generator ?? defaultGenerator).randperm(n);
  return fromData('randperm', perm, 'int32', [n], { ...options, dtype: 'int32' });
}

export const randLike = (t: Tensor, options?: RandomOptions): Tensor => rand(t.shape, likeOptions(t, options));
export const randnLike = (t: Tensor, options?: RandomOptions): Tensor => randn(t.shape, likeOptions(t, options));
