import { type DType, isFloating } from '../dtype.js';
import { dispatch } from '../dispatch.js';
import { ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes, contiguousStrides, numel, shapesEqual } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { cast, clone } from './convert.js';
import { ones, tensor, zeros } from './create.js';
import * as E from './elementwise.js';
import { type AdvancedIndex, type IndexItem, type IndexPlan, planIndex } from './index-parse.js';
import { advancedLayout, applySteps, resultPerm } from './index-read.js';
import { scatterAdd } from './indexing.js';
import { backendOf, broadcastView, checkSameDevice, scalarTensor } from './util.js';
import { expand, permute, reshape } from './views.js';

/** What `indexPut_`'s gradient rule needs (`@kindling/autograd`'s rules/index-put.ts). */
export interface IndexPutAttrs {
  /** The index, with masks replaced by their coordinates: it reads the written region of any tensor of the target's shape. */
  readonly index: readonly IndexItem[];
  /** Set for `x[mask] = scalar`: the write was a `where` over `mask`, which needs no count of its true elements. */
  readonly mask: Tensor | null;
  /** The value, when it was a number. */
  readonly scalar?: number;
  /** PyTorch's node: `CopySlices` when the index also slices/selects, `IndexPutBackward0` for tensor indices alone. */
  readonly nodeName: string;
}

/**
 * `value` without its leading size-1 dims, as PyTorch's setitem strips them
 * (`x[0, :2] = torch.ones(1, 2)` writes a `[2]` region), then checked to
 * broadcast to the indexed region's `shape`.
 */
function fitValue(op: string, value: Tensor, shape: readonly number[]): Tensor {
  const lead = value.shape.findIndex((s) => s !== 1);
  const stripped = lead === -1 ? [] : value.shape.slice(lead);
  const fitted = stripped.length === value.ndim ? value : reshape(value, stripped);
  checkValueShape(op, value, fitted, shape);
  return fitted;
}

function checkValueShape(op: string, value: Tensor, fitted: Tensor, shape: readonly number[]): void {
  let ok = false;
  try {
    ok = shapesEqual(broadcastShapes(op, fitted.shape, shape), shape);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new ShapeError(
      `${op}: shape mismatch: value tensor of shape ${fmtShape(value.shape)} cannot be broadcast to indexing result of shape ${fmtShape(shape)}`,
    );
  }
}

/** A number as `dtype` stores it (PyTorch truncates a float written into an integer tensor). */
const storedNumber = (value: number | boolean, dtype: DType): number =>
  dtype === 'bool' ? Number(Boolean(value)) : isFloating(dtype) ? Number(value) : Math.trunc(Number(value));

/** `x[mask] = value` for a mask over x's leading dims and a scalar value: a `where`, on any backend. */
function writeMask(x: Tensor, mask: Tensor, value: TensorLike): void {
  const cond = reshape(mask, [...mask.shape, ...x.shape.slice(mask.ndim).map(() => 1)]);
  const merged = E.where(cond, typeof value === 'boolean' ? Number(value) : value, x);
  backendOf(x).assign(x.view_(), broadcastView(merged, x.shape));
  merged.dispose();
  cond.dispose();
}

/**
 * Writes `value` at the tensor indices `advanced` of the view `v`. Backends
 * have no scatter that overwrites, so the written rows are summed in with
 * scatterAdd beside a count of writes per row, and `where` keeps the old rows
 * that no index names. A row named twice gets its last value, as on
 * PyTorch's CPU, where the indices can be read synchronously; elsewhere the
 * mean of its values (PyTorch leaves the result of duplicate indices undefined).
 */
function writeAdvanced(op: string, v: Tensor, advanced: readonly AdvancedIndex[], value: TensorLike): void {
  const layout = advancedLayout(op, v, advanced);
  const floating = isFloating(v.dtype);
  const work: DType = v.dtype === 'float64' ? 'float64' : floating ? 'float32' : 'int32';
  const temps: Tensor[] = [];
  const keep = <U extends Tensor>(t: U): U => {
    temps.push(t);
    return t;
  };
  const val = keep(
    value instanceof Tensor ? fitValue(op, value, layout.shape) : scalarTensor(storedNumber(value, v.dtype), work, v.device),
  );
  const perm = resultPerm(layout);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  const count = numel(layout.bshape);
  const rows = keep(reshape(keep(permute(keep(expand(val, layout.shape)), inverse)), [count, ...layout.rest]));
  const ones1 = layout.rest.map(() => 1);
  const byRow = keep(reshape(layout.linear, [count, ...ones1]));
  // Only the last write to each row counts where the indices can be read here: the others are scaled by 0.
  const lastWrites = lastWriteMask(layout.linear);
  const weights = keep(
    lastWrites
      ? reshape(keep(tensor(lastWrites, { dtype: work, device: v.device })), [count, ...ones1])
      : ones([count, ...ones1], { dtype: work, device: v.device }),
  );
  const written = lastWrites ? keep(E.mul(keep(cast(rows, work)), weights)) : keep(cast(rows, work));
  const indexedRows = numel(layout.indexedSizes);
  const summed = keep(
    scatterAdd(
      keep(zeros([indexedRows, ...layout.rest], { dtype: work, device: v.device })),
      0,
      keep(expand(byRow, [count, ...layout.rest])),
      written,
    ),
  );
  const counts = keep(scatterAdd(keep(zeros([indexedRows, ...ones1], { dtype: work, device: v.device })), 0, byRow, weights));
  const divisor = keep(E.maximum(counts, 1));
  const mean = keep(floating ? E.div(summed, divisor) : E.floorDivide(summed, divisor));
  const target = keep(permute(v, layout.perm));
  const old = keep(reshape(target, [indexedRows, ...layout.rest]));
  const merged = keep(E.where(keep(E.gt(counts, 0)), mean, old));
  backendOf(v).assign(target.view_(), { ...merged.view_(), shape: target.shape, strides: contiguousStrides(target.shape) });
  layout.linear.dispose();
  for (const t of temps) if (t !== value) t.dispose();
}

/** 1 for the last occurrence of each row index and 0 for earlier ones, or null where the indices can't be read synchronously. */
function lastWriteMask(linear: Tensor): Float32Array | null {
  const backend = linear.storage.backend;
  const rows = backend.readSync ? backend.readSync(linear.view_()) : null;
  if (!rows) return null;
  const mask = new Float32Array(rows.length);
  const seen = new Set<number>();
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = Number(rows[i]);
    if (!seen.has(row)) mask[i] = 1;
    seen.add(row);
  }
  return mask;
}

function writePlan(op: string, x: Tensor, plan: IndexPlan, value: TensorLike): void {
  const v = applySteps(x, plan.steps);
  if (plan.advanced.length > 0) {
    writeAdvanced(op, v, plan.advanced, value);
  } else if (value instanceof Tensor) {
    const fitted = fitValue(op, value, v.shape);
    // A value that shares the target's storage is copied first, so no element is read after it is written.
    const src = value.storage === x.storage ? clone(fitted) : fitted;
    backendOf(x).assign(v.view_(), broadcastView(src, v.shape));
    if (src !== value) src.dispose();
    if (fitted !== value && fitted !== src) fitted.dispose();
  } else {
    backendOf(x).fill(v.view_(), storedNumber(value, x.dtype));
  }
  v.dispose();
}

/** The index when it is one bool mask over leading dims and the value a scalar: the case `where` writes on any backend. */
function scalarMask(x: Tensor, items: readonly IndexItem[], value: TensorLike): Tensor | null {
  const [mask] = items;
  if (items.length !== 1 || !(mask instanceof Tensor) || mask.dtype !== 'bool' || mask.ndim === 0 || mask.ndim > x.ndim) return null;
  if (value instanceof Tensor && value.ndim !== 0) return null;
  return mask.shape.every((s, i) => s === x.shape[i]) ? mask : null;
}

/**
 * Python's `x[index] = value`, in place: `x.indexPut_([mask], 0)` is
 * `x[mask] = 0`, `x.indexPut_([':', 0], y)` is `x[:, 0] = y`. `index` is
 * one item or an array of items, as `at` takes them (so `x[[0, 2]] = v` is
 * `x.indexPut_([[0, 2]], v)`); `value` is a number or a tensor that
 * broadcasts to the shape of `x.at(...index)`. Recorded by autograd as an
 * in-place op: the target's gradient is zero where it was written, the
 * value's is the incoming gradient there.
 */
export function indexPut_<T extends Tensor>(x: T, index: IndexItem | readonly IndexItem[], value: TensorLike): T {
  const op = 'indexPut_';
  const items: readonly IndexItem[] = Array.isArray(index) ? (index as readonly IndexItem[]) : [index as IndexItem];
  const inputs = value instanceof Tensor ? [x, value] : [x];
  checkSameDevice(op, [...inputs, ...items.filter((i): i is Tensor => i instanceof Tensor)]);
  const mask = scalarMask(x, items, value);
  const plan = mask ? null : planIndex(op, x, items);
  const attrs: IndexPutAttrs = {
    index: plan ? plan.resolved : items,
    mask,
    ...(value instanceof Tensor ? {} : { scalar: Number(value) }),
    nodeName: items.every((i) => i instanceof Tensor || Array.isArray(i)) ? 'IndexPutBackward0' : 'CopySlices',
  };
  dispatch(
    op,
    inputs,
    attrs as unknown as Record<string, unknown>,
    () => {
      if (mask) writeMask(x, mask, value);
      else writePlan(op, x, plan as IndexPlan, value);
      x.noteWrite();
      return x;
    },
    true,
  );
  return x;
}
