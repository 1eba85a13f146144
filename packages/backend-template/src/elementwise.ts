import type { DType } from '@kindling/tensor';
import type { BinaryOp, StorageHandle, UnaryOp, UnaryParams, View } from '@kindling/tensor/backend';
import { binaryMath, unaryMath } from '@kindling/tensor/backend';
import { arrayOf, converter, dense, produce } from './storage.js';
import { walk } from './strided.js';

/*
 * Elementwise primitives. The math of every op is not written here: it is
 * the op's entry in the op table of @kindling/tensor (`UNARY_OPS[op].math`,
 * `BINARY_OPS[op].math`, and `.integer` where integers differ, like int32
 * `mul`, which must wrap). So an op added to the table runs here unchanged;
 * a GPU backend, which cannot call JavaScript, would translate each entry
 * into its shading language instead.
 *
 * All operands of a call share one shape (broadcast operands arrive with
 * stride 0), and the result is a fresh contiguous storage.
 */

/** `out[i] = op(x[i])`, computed in `outDtype`. */
export function unary<K extends UnaryOp>(op: K, x: View, outDtype: DType, params: UnaryParams<K>): StorageHandle {
  // Bool results (isnan, logicalNot) look at x as it is; the others compute in
  // the result's dtype, so x is converted first (int32 -> float32 for exp).
  const computeIn = outDtype === 'bool' ? x.dtype : outDtype;
  const math = unaryMath(op, computeIn);
  const input = converter(computeIn);
  const src = arrayOf(x.handle);
  return produce(outDtype, x.shape, [x], (at) => math(input(src[at[0]]), params));
}

/** `out[i] = op(a[i], b[i])`; `a` and `b` share a dtype, the result has `outDtype` (bool for comparisons). */
export function binary(op: BinaryOp, a: View, b: View, outDtype: DType): StorageHandle {
  const f = binaryMath(op, a.dtype);
  const da = arrayOf(a.handle);
  const db = arrayOf(b.handle);
  return produce(outDtype, a.shape, [a, b], (at) => f(da[at[0]], db[at[1]]));
}

/** `out[i] = cond[i] ? a[i] : b[i]`. */
export function where(cond: View, a: View, b: View, outDtype: DType): StorageHandle {
  const dc = arrayOf(cond.handle);
  const da = arrayOf(a.handle);
  const db = arrayOf(b.handle);
  return produce(outDtype, cond.shape, [cond, a, b], (at) => (dc[at[0]] !== 0 ? da[at[1]] : db[at[2]]));
}

/** A contiguous copy of `x` in `dtype`: the conversion is `converter(dtype)`, nothing else. */
export function cast(x: View, dtype: DType): StorageHandle {
  const src = arrayOf(x.handle);
  return produce(dtype, x.shape, [x], (at) => src[at[0]]);
}

/**
 * Writes `src` into the view `dst`, converting to `dst.dtype`. The source is
 * read whole before anything is written, because it may be a view of the
 * same storage (`y.copy_(y.t())` must not read what it already overwrote).
 */
export function assign(dst: View, src: View): void {
  const values = dense(src);
  const target = arrayOf(dst.handle);
  const store = converter(dst.dtype);
  walk(dst.shape, [dst], (i, at) => {
    target[at[0]] = store(values[i]);
  });
}

/** Writes `value`, converted to `dst.dtype`, into every element of the view `dst`. */
export function fill(dst: View, value: number): void {
  const target = arrayOf(dst.handle);
  const v = converter(dst.dtype)(value);
  walk(dst.shape, [dst], (_, at) => {
    target[at[0]] = v;
  });
}
