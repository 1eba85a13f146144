import type { DType } from '@kindling/tensor';
import {
  type BinaryOp,
  type StorageHandle,
  type UnaryOp,
  type UnaryParams,
  type View,
  binaryMath,
  unaryMath,
} from '@kindling/tensor/backend';
import { dataOf, elementOffsets, isDense, newStorage, sizeOf, storeConverter } from './storage.js';

/*
 * The elementwise kernels in plain TypeScript: each op's math is its entry in
 * the op table (`UNARY_OPS`/`BINARY_OPS` of @kindling/tensor), applied in
 * float64 and stored into the output's typed array, which wraps integers and
 * rounds floats as the dtype does.
 */

export function unary<K extends UnaryOp>(op: K, x: View, outDtype: DType, params: UnaryParams<K>): StorageHandle {
  // Bool results look at the input in its own dtype; the others compute in the output's.
  const f = unaryMath(op, outDtype === 'bool' ? x.dtype : outDtype);
  const n = sizeOf(x.shape);
  const result = newStorage(outDtype, n);
  const out = result.data;
  const src = dataOf(x.handle);
  const store = storeConverter(outDtype);
  if (isDense(x)) {
    const o = x.offset;
    if (store) for (let i = 0; i < n; i++) out[i] = store(f(src[o + i], params));
    else for (let i = 0; i < n; i++) out[i] = f(src[o + i], params);
  } else {
    const offsets = elementOffsets(x);
    for (let i = 0; i < n; i++) out[i] = store ? store(f(src[offsets[i]], params)) : f(src[offsets[i]], params);
  }
  return result;
}

export function binary(op: BinaryOp, a: View, b: View, outDtype: DType): StorageHandle {
  const f = binaryMath(op, a.dtype);
  const n = sizeOf(a.shape);
  const result = newStorage(outDtype, n);
  const out = result.data;
  const da = dataOf(a.handle);
  const db = dataOf(b.handle);
  const store = storeConverter(outDtype);
  const denseA = isDense(a);
  const denseB = isDense(b);
  if (denseA && denseB && !store) {
    const oa = a.offset;
    const ob = b.offset;
    for (let i = 0; i < n; i++) out[i] = f(da[oa + i], db[ob + i]);
    return result;
  }
  const scalarB = b.strides.every((s) => s === 0);
  if (denseA && scalarB && !store) {
    const oa = a.offset;
    const vb = db[b.offset];
    for (let i = 0; i < n; i++) out[i] = f(da[oa + i], vb);
    return result;
  }
  const offA = elementOffsets(a);
  const offB = elementOffsets(b);
  if (store) for (let i = 0; i < n; i++) out[i] = store(f(da[offA[i]], db[offB[i]]));
  else for (let i = 0; i < n; i++) out[i] = f(da[offA[i]], db[offB[i]]);
  return result;
}

export function where(cond: View, a: View, b: View, outDtype: DType): StorageHandle {
  const n = sizeOf(cond.shape);
  const result = newStorage(outDtype, n);
  const out = result.data;
  const dc = dataOf(cond.handle);
  const da = dataOf(a.handle);
  const db = dataOf(b.handle);
  const oc = elementOffsets(cond);
  const oa = elementOffsets(a);
  const ob = elementOffsets(b);
  for (let i = 0; i < n; i++) out[i] = dc[oc[i]] !== 0 ? da[oa[i]] : db[ob[i]];
  return result;
}
