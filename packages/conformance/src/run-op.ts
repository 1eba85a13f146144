import { Tensor, type DType, type TensorLike } from '@kindling/tensor';
import { BINARY_OP_NAMES, UNARY_OP_NAMES } from '@kindling/tensor/backend';
import { binaryOp, unaryOp } from '@kindling/tensor/internal';
import * as K from '@kindling/tensor';
import { WINDOW_OPS } from './run-window-op.js';

type Args = Record<string, unknown>;
type OpImpl = (inputs: TensorLike[], args: Args) => Tensor | Tensor[];

const tensorAt = (inputs: TensorLike[], i: number): Tensor => {
  const x = inputs[i];
  if (!(x instanceof Tensor)) throw new TypeError(`fixture input ${i} must be a tensor`);
  return x;
};
// JSON writes Python's None as null; Kindling's optional arguments want undefined.
const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));
const dimArg = (a: Args) => opt<number | number[]>(a.dim);
const keep = (a: Args) => (a.keepdim as boolean | undefined) ?? false;

const pair = (r: K.ValuesIndices): Tensor[] => [r.values, r.indices];

/** Each fixture op name, as a call of Kindling's public API. */
const OPS: Record<string, OpImpl> = {
  // Every op of the elementwise table, with its parameters as the case's args.
  ...Object.fromEntries(UNARY_OP_NAMES.map((op) => [op, ((i, a) => unaryOp(op, tensorAt(i, 0), a)) satisfies OpImpl])),
  ...Object.fromEntries(BINARY_OP_NAMES.map((op) => [op, ((i) => binaryOp(op, i[0], i[1])) satisfies OpImpl])),
  where: (i) => K.where(tensorAt(i, 0), i[1], i[2]),
  clamp: (i, a) => K.clamp(tensorAt(i, 0), opt<number>(a.min), opt<number>(a.max)),
  sum: (i, a) => K.sum(tensorAt(i, 0), dimArg(a), keep(a)),
  mean: (i, a) => K.mean(tensorAt(i, 0), dimArg(a), keep(a)),
  amax: (i, a) => K.amax(tensorAt(i, 0), dimArg(a), keep(a)),
  amin: (i, a) => K.amin(tensorAt(i, 0), dimArg(a), keep(a)),
  logsumexp: (i, a) => K.logsumexp(tensorAt(i, 0), a.dim as number | number[], keep(a)),
  prod: (i, a) => K.prod(tensorAt(i, 0), opt<number>(a.dim), keep(a)),
  any: (i, a) => K.any(tensorAt(i, 0), opt<number>(a.dim), keep(a)),
  all: (i, a) => K.all(tensorAt(i, 0), opt<number>(a.dim), keep(a)),
  argmax: (i, a) => K.argmax(tensorAt(i, 0), opt<number>(a.dim), keep(a)),
  argmin: (i, a) => K.argmin(tensorAt(i, 0), opt<number>(a.dim), keep(a)),
  maxDim: (i, a) => pair(K.max(tensorAt(i, 0), a.dim as number, keep(a))),
  minDim: (i, a) => pair(K.min(tensorAt(i, 0), a.dim as number, keep(a))),
  var: (i, a) => K.var(tensorAt(i, 0), dimArg(a), { correction: a.correction as number, keepdim: keep(a) }),
  std: (i, a) => K.std(tensorAt(i, 0), dimArg(a), { correction: a.correction as number, keepdim: keep(a) }),
  matmul: (i) => K.matmul(tensorAt(i, 0), tensorAt(i, 1)),
  linear: (i) => K.linear(tensorAt(i, 0), tensorAt(i, 1), i.length > 2 ? tensorAt(i, 2) : null),
  softmax: (i, a) => K.softmax(tensorAt(i, 0), a.dim as number),
  logSoftmax: (i, a) => K.logSoftmax(tensorAt(i, 0), a.dim as number),
  view: (i, a) => K.view(tensorAt(i, 0), a.shape as number[]),
  reshape: (i, a) => K.reshape(tensorAt(i, 0), a.shape as number[]),
  flatten: (i, a) => K.flatten(tensorAt(i, 0), opt<number>(a.startDim), opt<number>(a.endDim)),
  squeeze: (i, a) => K.squeeze(tensorAt(i, 0), opt<number>(a.dim)),
  unsqueeze: (i, a) => K.unsqueeze(tensorAt(i, 0), a.dim as number),
  transpose: (i, a) => K.transpose(tensorAt(i, 0), a.dim0 as number, a.dim1 as number),
  permute: (i, a) => K.permute(tensorAt(i, 0), a.dims as number[]),
  expand: (i, a) => K.expand(tensorAt(i, 0), a.shape as number[]),
  narrow: (i, a) => K.narrow(tensorAt(i, 0), a.dim as number, a.start as number, a.length as number),
  slice: (i, a) => K.slice(tensorAt(i, 0), a.dim as number, opt<number>(a.start), opt<number>(a.end), opt<number>(a.step)),
  select: (i, a) => K.select(tensorAt(i, 0), a.dim as number, a.index as number),
  t: (i) => K.t(tensorAt(i, 0)),
  contiguous: (i) => K.contiguous(tensorAt(i, 0)),
  cast: (i, a) => K.cast(tensorAt(i, 0), a.dtype as DType),
  indexSelect: (i, a) => K.indexSelect(tensorAt(i, 0), a.dim as number, tensorAt(i, 1)),
  gather: (i, a) => K.gather(tensorAt(i, 0), a.dim as number, tensorAt(i, 1)),
  scatterAdd: (i, a) => K.scatterAdd(tensorAt(i, 0), a.dim as number, tensorAt(i, 1), tensorAt(i, 2)),
  cat: (i, a) =>
    K.cat(
      i.map((_, k) => tensorAt(i, k)),
      a.dim as number,
    ),
  stack: (i, a) =>
    K.stack(
      i.map((_, k) => tensorAt(i, k)),
      a.dim as number,
    ),
  topk: (i, a) => pair(K.topk(tensorAt(i, 0), a.k as number, a.dim as number, a.largest as boolean)),
  sort: (i, a) => pair(K.sort(tensorAt(i, 0), a.dim as number, a.descending as boolean)),
  // Convolution, unfold/fold, pooling, batch norm, pad, interpolate (the sliding-window fixtures).
  ...WINDOW_OPS,
};

/** Runs the fixture op `op` through Kindling's public API; always returns a list of results. */
export function runFixtureOp(op: string, inputs: TensorLike[], args: Args = {}): Tensor[] {
  const impl = OPS[op];
  if (!impl) throw new Error(`conformance: no runner for fixture op '${op}'`);
  const out = impl(inputs, args);
  return Array.isArray(out) ? out : [out];
}

/** Fixture op names the runner knows. */
export const fixtureOps: readonly string[] = Object.keys(OPS);
