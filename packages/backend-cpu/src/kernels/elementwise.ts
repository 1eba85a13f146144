import { type BinaryOp, type DType, KindlingError, type StorageHandle, type UnaryOp, type View } from '@kindling/tensor';
import { dataOf, elementOffsets, isDense, newStorage, sizeOf, storeConverter } from './storage.js';

/** Round half to even, like `torch.round`. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  // NaN has sign 0 in PyTorch.
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? x : 0),
  exp: Math.exp,
  expm1: Math.expm1,
  log: Math.log,
  log1p: Math.log1p,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  reciprocal: (x) => 1 / x,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  // Branches keep exp's argument non-positive, so neither side overflows.
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : x === x ? 0 : x),
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
  trunc: Math.trunc,
  logicalNot: (x) => (x === 0 ? 1 : 0),
  isnan: (x) => (x !== x ? 1 : 0),
};

export function unary(op: UnaryOp, x: View, outDtype: DType): StorageHandle {
  const f = UNARY[op];
  const n = sizeOf(x.shape);
  const result = newStorage(outDtype, n);
  const out = result.data;
  const src = dataOf(x.handle);
  const store = storeConverter(outDtype);
  if (isDense(x)) {
    const o = x.offset;
    if (store) for (let i = 0; i < n; i++) out[i] = store(f(src[o + i]));
    else for (let i = 0; i < n; i++) out[i] = f(src[o + i]);
  } else {
    const offsets = elementOffsets(x);
    for (let i = 0; i < n; i++) out[i] = store ? store(f(src[offsets[i]])) : f(src[offsets[i]]);
  }
  return result;
}

function integerDivisor(op: string, b: number): number {
  if (b === 0) throw new KindlingError(`${op}: integer division by zero (ZeroDivisionError)`);
  return b;
}

/** PyTorch's `div_floor` for floats: floor of the exact quotient, IEEE results for b == 0. */
function floatFloorDivide(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div === 0) return Math.sign(a / b) < 0 || Object.is(a / b, -0) ? -0 : 0;
  let floored = Math.floor(div);
  if (div - floored > 0.5) floored += 1;
  return floored;
}

/** Python's modulo: the result takes the divisor's sign. */
function pythonMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

function binaryFunction(op: BinaryOp, dtype: DType): (a: number, b: number) => number {
  const integral = dtype === 'int32' || dtype === 'uint8' || dtype === 'bool';
  switch (op) {
    case 'add':
      return (a, b) => a + b;
    case 'sub':
      return (a, b) => a - b;
    // int32 products can exceed 2^53; imul wraps exactly like int32 arithmetic.
    case 'mul':
      return dtype === 'int32' ? Math.imul : (a, b) => a * b;
    case 'div':
      return (a, b) => a / b;
    case 'pow':
      return Math.pow;
    case 'maximum':
      return (a, b) => (a !== a || b !== b ? Number.NaN : a > b ? a : b);
    case 'minimum':
      return (a, b) => (a !== a || b !== b ? Number.NaN : a < b ? a : b);
    case 'remainder':
      return integral ? (a, b) => pythonMod(a, integerDivisor('remainder', b)) : pythonMod;
    case 'floorDivide':
      return integral ? (a, b) => Math.floor(a / integerDivisor('floorDivide', b)) : floatFloorDivide;
    case 'eq':
      return (a, b) => (a === b ? 1 : 0);
    case 'ne':
      return (a, b) => (a !== b ? 1 : 0);
    case 'lt':
      return (a, b) => (a < b ? 1 : 0);
    case 'le':
      return (a, b) => (a <= b ? 1 : 0);
    case 'gt':
      return (a, b) => (a > b ? 1 : 0);
    case 'ge':
      return (a, b) => (a >= b ? 1 : 0);
    case 'logicalAnd':
      return (a, b) => (a !== 0 && b !== 0 ? 1 : 0);
    case 'logicalOr':
      return (a, b) => (a !== 0 || b !== 0 ? 1 : 0);
  }
}

export function binary(op: BinaryOp, a: View, b: View, outDtype: DType): StorageHandle {
  const f = binaryFunction(op, a.dtype);
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
