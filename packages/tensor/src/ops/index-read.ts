import { dispatch, inputsMayBeKept } from '../dispatch.js';
import type { TypedArray } from '../dtype.js';
import { ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes, numel } from '../shape.js';
import { Tensor } from '../tensor.js';
import * as E from './elementwise.js';
import { type AdvancedIndex, type BasicStep, type IndexItem, type IndexPlan, planIndex } from './index-parse.js';
import { indexSelect } from './indexing.js';
import { expand, permute, reshape, select, slice, unsqueeze, view } from './views.js';

/** Applies basic indexing's steps: a view of `x` (an alias when there are none, as `x[...]` is in PyTorch). */
export function applySteps(x: Tensor, steps: readonly BasicStep[]): Tensor {
  if (steps.length === 0) return view(x, x.shape);
  let t = x;
  for (const s of steps) {
    const next =
      s.op === 'select' ? select(t, s.dim, s.index) : s.op === 'slice' ? slice(t, s.dim, s.start, s.stop, s.step) : unsqueeze(t, s.dim);
    if (t !== x) t.dispose();
    t = next;
  }
  return t;
}

/**
 * Where the tensor indices of a plan land. Together the indexed dims `dims`
 * of the view hold `numel(indexedSizes)` positions; `linear` (int32, one per
 * element of `bshape`, row-major) numbers the position each element picks.
 */
export interface AdvancedLayout {
  readonly dims: readonly number[];
  /** The view's dims in the order [indexed dims..., other dims...]. */
  readonly perm: readonly number[];
  readonly indexedSizes: readonly number[];
  readonly rest: readonly number[];
  /** The shape the index tensors broadcast to. */
  readonly bshape: readonly number[];
  readonly linear: Tensor;
  /** PyTorch's rule: adjacent tensor indices keep their place in the result, separated ones go first. */
  readonly placeAt: number;
  /** The shape of `x[index]`. */
  readonly shape: readonly number[];
}

function hostValues(t: Tensor): TypedArray | null {
  const b = t.storage.backend;
  return b.readSync ? b.readSync(t.view_()) : null;
}

/** Broadcasts the index tensors, checks their bounds (where values can be read synchronously) and wraps negative ones. */
export function advancedLayout(op: string, v: Tensor, advanced: readonly AdvancedIndex[]): AdvancedLayout {
  const dims = advanced.map((a) => a.dim);
  let bshape: readonly number[];
  try {
    bshape = broadcastShapes(op, ...advanced.map((a) => a.index.shape));
  } catch {
    throw new ShapeError(
      `${op}: shape mismatch: indexing tensors could not be broadcast together with shapes ${advanced.map((a) => fmtShape(a.index.shape)).join(', ')}`,
    );
  }
  const indexedSizes = dims.map((d) => v.shape[d]);
  const temps: Tensor[] = [];
  let linear: Tensor | null = null;
  let stride = 1;
  for (let i = advanced.length - 1; i >= 0; i--) {
    const { index, source } = advanced[i];
    const size = indexedSizes[i];
    const values = hostValues(index);
    let negative = values === null;
    if (values) {
      for (const value of values) {
        if (value < -size || value >= size) {
          throw new ShapeError(`${op}: index ${value} is out of bounds for dimension ${source} with size ${size}`);
        }
        if (value < 0) negative = true;
      }
    }
    let idx = index;
    if (negative) {
      const below = E.lt(index, 0);
      const shifted = E.add(index, size);
      temps.push((idx = E.where(below, shifted, index)));
      below.dispose();
      shifted.dispose();
    }
    if (stride !== 1) temps.push((idx = E.mul(idx, stride)));
    if (linear) temps.push((idx = E.add(linear, idx)));
    linear = idx;
    stride *= size;
  }
  const count = numel(bshape);
  const flat = reshape(expand(linear as Tensor, bshape), [count]);
  for (const t of temps) if (t !== flat) t.dispose();
  const rest = v.shape.filter((_, d) => !dims.includes(d));
  const adjacent = dims.every((d, i) => i === 0 || d === dims[i - 1] + 1);
  const placeAt = adjacent ? dims[0] : 0;
  const shape = [...rest.slice(0, placeAt), ...bshape, ...rest.slice(placeAt)];
  const perm = [...dims, ...v.shape.map((_, d) => d).filter((d) => !dims.includes(d))];
  return { dims, perm, indexedSizes, rest, bshape, linear: flat, placeAt, shape };
}

/** The permutation that takes [bshape..., rest...] to the result's order. */
export function resultPerm(layout: AdvancedLayout): number[] {
  const nb = layout.bshape.length;
  const restDims = layout.rest.map((_, i) => nb + i);
  const bDims = layout.bshape.map((_, i) => i);
  return [...restDims.slice(0, layout.placeAt), ...bDims, ...restDims.slice(layout.placeAt)];
}

/** What the `index` op's gradient rule (`IndexBackward0` in `@kindling/autograd`) needs to route gradients back. */
export interface IndexAttrs {
  /** Whether the indexed dims are adjacent: merged in place at `placeAt`, else moved first by `perm`. */
  readonly adjacent: boolean;
  readonly placeAt: number;
  readonly perm: readonly number[];
  /** The number of positions the indexed dims hold together. */
  readonly rows: number;
  /** The sizes of the dims that are not indexed. */
  readonly rest: readonly number[];
}

/**
 * `v[indices]` for the tensor indices of a plan: a copy, by one op (`index`,
 * PyTorch's IndexBackward0 under autograd). Adjacent indexed dims are merged in
 * place and picked along that one dim (no copy of `v` when it is contiguous
 * there); separated ones are moved first, and their result dims lead.
 */
function readAdvanced(v: Tensor, advanced: readonly AdvancedIndex[]): Tensor {
  const layout = advancedLayout('at', v, advanced);
  const { dims, rest, bshape, placeAt } = layout;
  const attrs: IndexAttrs = {
    adjacent: dims.every((d, i) => i === 0 || d === dims[i - 1] + 1),
    placeAt,
    perm: layout.perm,
    rows: numel(layout.indexedSizes),
    rest,
  };
  const out = dispatch('index', [v, layout.linear], attrs as unknown as Record<string, unknown>, () => {
    const temps: Tensor[] = [];
    let result: Tensor;
    if (attrs.adjacent) {
      const merged = reshape(v, [...rest.slice(0, placeAt), attrs.rows, ...rest.slice(placeAt)]);
      const picked = indexSelect(merged, placeAt, layout.linear);
      result = reshape(picked, layout.shape);
      temps.push(merged, picked);
    } else {
      const moved = permute(v, layout.perm);
      const merged = reshape(moved, [attrs.rows, ...rest]);
      const picked = indexSelect(merged, 0, layout.linear);
      result = reshape(picked, [...bshape, ...rest]);
      temps.push(moved, merged, picked);
    }
    for (const t of temps) if (t !== v && t !== result) t.dispose();
    return result;
  });
  // The gradient rule keeps the index when autograd records the op.
  if (!inputsMayBeKept() || !v.requiresGrad) layout.linear.dispose();
  return out;
}

/** Reads `x[...index]` from a parsed plan (basic steps, then tensor indices). */
export function readPlan(x: Tensor, plan: IndexPlan): Tensor {
  const v = applySteps(x, plan.steps);
  if (plan.advanced.length === 0) return v;
  const out = readAdvanced(v, plan.advanced);
  v.dispose();
  return out;
}

/**
 * Python's `x[i, j, ...]`: `x.at(0, '0:5')` is `x[0, :5]`. Integers, slices and
 * `null` give a view sharing `x`'s storage; int32 and bool tensors (advanced
 * indexing) give a copy. Differentiable.
 */
export function at(x: Tensor, ...index: IndexItem[]): Tensor {
  x.assertAlive('at');
  return readPlan(x, planIndex('at', x, index));
}

/** Host copies of the bool tensors among `index`, read asynchronously (for backends such as WebGPU). */
export async function readMasks(index: readonly IndexItem[]): Promise<Map<Tensor, TypedArray>> {
  const masks = new Map<Tensor, TypedArray>();
  for (const item of index) {
    if (item instanceof Tensor && item.dtype === 'bool') masks.set(item, await item.storage.backend.read(item.view_()));
  }
  return masks;
}

/** `at` for any backend: reads boolean masks' values asynchronously first, since their count of true elements sizes the result. */
export async function atAsync(x: Tensor, ...index: IndexItem[]): Promise<Tensor> {
  x.assertAlive('atAsync');
  const masks = await readMasks(index);
  return readPlan(x, planIndex('at', x, index, masks));
}
