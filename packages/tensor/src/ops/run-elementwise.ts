import { type DType, isFloating } from '../dtype.js';
import { dispatch, inputsMayBeKept } from '../dispatch.js';
import { DTypeError, KindlingError } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { type BinaryOp, type UnaryOp, type UnaryParams, binarySpec, resolveParams, unarySpec } from './op-table.js';
import { asTensor, broadcastView, castTo, checkBackendDType, checkSameDevice, disposeTemps, fromHandle, resultType } from './util.js';

/*
 * How every op of the elementwise table runs: its dtype rule picks the result
 * dtype (refusing what PyTorch refuses), its parameters are defaulted, and
 * one `dispatch` hands it to autograd and the backend's kernel.
 */

/** Options of a unary op: any of its parameters (the others keep their defaults). */
export type UnaryOptions<K extends UnaryOp> = Partial<UnaryParams<K>>;

/** Options of `add` and `sub`. */
export interface AlphaOptions {
  /** Multiplies the second operand (default 1). */
  alpha?: number;
}

function refusal(op: string, dtype: DType, hint: string | undefined): DTypeError {
  return new DTypeError(`${op}: not supported for ${dtype} tensors${hint ? `; ${hint}` : ''}`);
}

/** The dtype unary `op` gives for an input of `dtype`, or the error PyTorch would raise. */
export function unaryResultType(op: UnaryOp, dtype: DType): DType {
  const spec = unarySpec(op);
  if (spec.refuses?.dtypes.includes(dtype)) throw refusal(op, dtype, spec.refuses.hint);
  switch (spec.dtype) {
    case 'same':
      return dtype;
    case 'bool':
      return 'bool';
    case 'float':
      return isFloating(dtype) ? dtype : 'float32';
    case 'floatOnly':
      if (!isFloating(dtype)) throw new DTypeError(`${op}: expected a floating point tensor (float16, float32 or float64), got ${dtype}`);
      return dtype;
  }
}

/** Runs unary `op` of the table on `x`, dispatched under the op's own name with its parameters as attrs. */
export function unaryOp<K extends UnaryOp>(op: K, x: Tensor, options?: UnaryOptions<K>): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  x.assertAlive(op);
  const outDtype = unaryResultType(op, x.dtype);
  const params = resolveParams(op, options);
  const problem = unarySpec(op).check?.(x.dtype, params);
  if (problem) throw new KindlingError(`${op}: ${problem}`);
  const backend = x.storage.backend;
  checkBackendDType(op, backend, outDtype);
  return dispatch(op, [x], params, () => fromHandle(backend, backend.unary(op, x.view_(), outDtype, params), outDtype, x.shape));
}

/** The first operand that is a tensor (it decides the device of number operands). */
export function firstTensor(name: string, a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor) return a;
  if (b instanceof Tensor) return b;
  throw new TypeError(`${name}: at least one argument must be a Tensor, got ${typeof a} and ${typeof b}`);
}

const describeOperand = (x: TensorLike): string => (x instanceof Tensor ? `${x.dtype} tensor` : typeof x);

/** The dtype binary `op` computes in for operands promoting to `promoted`, checking what it refuses. */
function binaryComputeType(op: BinaryOp, a: TensorLike, b: TensorLike, promoted: DType): DType {
  const spec = binarySpec(op);
  const refuses = spec.refuses;
  if (refuses?.anyOperand && [a, b].some((x) => x instanceof Tensor && refuses.dtypes.includes(x.dtype))) {
    throw new DTypeError(
      `${op}: not supported with a bool tensor (got ${describeOperand(a)} and ${describeOperand(b)})${refuses.hint ? `; ${refuses.hint}` : ''}`,
    );
  }
  const compute: DType = spec.dtype === 'trueDiv' && !isFloating(promoted) ? 'float32' : promoted;
  if (refuses?.dtypes.includes(compute))
    throw new DTypeError(`${op}: not supported for ${compute} tensors (got ${compute} and ${compute})`);
  return compute;
}

/**
 * Broadcasts, promotes and runs binary `op` of the table. A number operand
 * becomes a scalar tensor of the promoted dtype, freed once the op has run
 * unless autograd recorded it.
 */
export function binaryOp(op: BinaryOp, a: TensorLike, b: TensorLike, options?: AlphaOptions): Tensor {
  const alpha = options?.alpha;
  if (alpha !== undefined && alpha !== 1) {
    if (!binarySpec(op).alpha) throw new KindlingError(`${op}: takes no alpha`);
    b = b instanceof Tensor ? binaryOp('mul', b, alpha) : (b as number) * alpha;
  }
  const anchor = firstTensor(op, a, b);
  const promoted = resultType(a, b);
  const compute = binaryComputeType(op, a, b, promoted);
  const outDtype: DType = binarySpec(op).dtype === 'compare' ? 'bool' : compute;
  const shape = broadcastShapes(op, a instanceof Tensor ? a.shape : [], b instanceof Tensor ? b.shape : []);
  const ta = asTensor(a, promoted, anchor.device);
  const tb = asTensor(b, promoted, anchor.device);
  const backend = checkSameDevice(op, [ta, tb]);
  checkBackendDType(op, backend, compute);
  const mayKeep = inputsMayBeKept();
  const out = dispatch(op, [ta, tb], {}, () => {
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
export function freeScalars(mayKeep: boolean, out: Tensor, made: readonly Tensor[], operands: readonly TensorLike[]): void {
  if (mayKeep && out.gradFn !== null) return;
  for (const t of made) if (!operands.includes(t)) t.dispose();
}
