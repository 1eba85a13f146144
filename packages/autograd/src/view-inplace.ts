import { type GradNode, KindlingError, type Tensor, isFloating, where, zeros, isGradEnabled } from '@kindling/tensor';
import type { OpCall, OpResult } from '@kindling/tensor/internal';
import { type BackwardFn, FunctionNode, type SavedTensor, edgeOf, metaOf, setOutputIndex, setViewRefresh } from './node.js';
import { sumToShape } from './sum-to-shape.js';
import { Region, baseIndices, layoutOf } from './view-index.js';

/*
 * In-place ops through views (PyTorch's view + CopySlices machinery). A view
 * shares its base's storage, so writing into it changes the base: the base's
 * history must change too, or the base's gradient silently ignores the write.
 * Every op result that shares an input's storage is remembered as a view of
 * that input's base. An in-place op on a view then gives the base a new node,
 * CopySlices, and the view a node reading its region of the base's gradient.
 * Other views of the base re-derive their node the same way when next used.
 */

interface ViewInfo {
  /** The tensor the chain of views started from (PyTorch's `_base`); never itself a view. */
  readonly base: Tensor;
  /** `base.gradFn` when this view's gradFn was derived from it: a different one means the base was written in place since. */
  baseNode: GradNode | null;
  /** Made with grad mode on: PyTorch refuses to record in-place writes through views made under no_grad. */
  readonly tracked: boolean;
}

const views = new WeakMap<Tensor, ViewInfo>();

/** The view record of `t`, if `t` is a view still sharing its base's storage (`resize_` can move a base). */
export function viewInfoOf(t: Tensor): ViewInfo | undefined {
  const info = views.get(t);
  return info && info.base.storage === t.storage ? info : undefined;
}

/** Remembers each output of a call that shares an input's storage as a view of that input's base. */
export function trackViews(call: OpCall, result: OpResult): OpResult {
  if (call.inplace) return result;
  // Every op passes here: a single result is looked at without wrapping it in an array.
  if (Array.isArray(result)) for (const out of result as readonly Tensor[]) trackView(call, out);
  else trackView(call, result as Tensor);
  return result;
}

function trackView(call: OpCall, out: Tensor): void {
  if (!isFloating(out.dtype) || call.inputs.includes(out)) return;
  const input = call.inputs.find((t) => t.storage === out.storage);
  if (!input) return;
  // A leaf that requires grad owns its gradient even when it is a view (`tensor(...).reshape(...).requiresGrad_()`).
  const parent = input.isLeaf && input.requiresGrad ? undefined : viewInfoOf(input);
  const base = parent?.base ?? input;
  views.set(out, { base, baseNode: base.gradFn, tracked: isGradEnabled() && (parent?.tracked ?? true) });
}

/** Zeros of the base's shape with `g` added at the view's positions: the gradient a view sends its base. */
function scatterToBase(g: Tensor, region: Region, baseShape: readonly number[]): Tensor {
  const flat = zeros([baseShape.reduce((a, b) => a * b, 1)], { dtype: g.dtype, device: g.device });
  if (region.indices.length === 0) return flat.reshape(baseShape);
  return flat.scatterAdd(0, region.index(), g.reshape(-1)).reshape(baseShape);
}

/** The node of a view whose base was written in place: PyTorch's AsStridedBackward0, from the base's current node. */
function asStridedNode(base: Tensor, view: Tensor, known?: Region): FunctionNode {
  const b = layoutOf(base);
  const v = layoutOf(view);
  const device = base.device;
  let region = known;
  return new FunctionNode(
    'AsStridedBackward0',
    [edgeOf(base)],
    [metaOf(base)],
    [metaOf(view)],
    ([g]) => {
      region ??= new Region(baseIndices('backward', b, v, false), b.shape, device);
      return [scatterToBase(g, region, b.shape)];
    },
    [],
  );
}

/** Points `view` at its base's current history. */
function rebase(view: Tensor, info: ViewInfo, region?: Region): void {
  info.baseNode = info.base.gradFn;
  if (!info.base.requiresGrad) {
    view.setGradFn(null, false);
    return;
  }
  const node = asStridedNode(info.base, view, region);
  view.setGradFn(node, true);
  setOutputIndex(view, 0);
  if (view.retainsGrad) node.retainOutput(view);
}

/** Re-derives `t`'s gradFn if `t` is a view whose base was written in place since (PyTorch does it on access). */
export function refreshView(t: Tensor): void {
  const info = views.get(t);
  if (info?.tracked && info.base.gradFn !== info.baseNode && info.base.storage === t.storage) rebase(t, info);
}
setViewRefresh(refreshView);

/**
 * Refuses what PyTorch refuses for an in-place op on a view under grad mode,
 * and returns the base positions the view covers (refusing overlapping views).
 */
export function checkInplaceOnView(call: OpCall, info: ViewInfo): Region {
  const { base } = info;
  if (!info.tracked) {
    throw new KindlingError(
      `${call.name}: a view created under noGrad is being modified in place with grad mode on; ` +
        'make the view and the in-place op both inside noGrad (not recorded) or both outside (recorded)',
    );
  }
  if (base.isLeaf && base.requiresGrad) {
    throw new KindlingError(
      `${call.name}: a view of a leaf tensor that requires grad is being used in an in-place operation; ` +
        'wrap the update in noGrad() (as optimizers do) or clone the leaf first',
    );
  }
  const view = call.inputs[0];
  return new Region(baseIndices(call.name, layoutOf(base), layoutOf(view), true), base.shape, base.device);
}

/**
 * Records an in-place op that wrote through `view` as CopySlices on its base.
 * Its backward takes the base's gradient, hands the view's region of it to
 * the op's derivative (`opBackward`, whose first input is the view), puts what
 * that gives for the view's old values back into the region, and sends the
 * result along the base's old history; the op's other inputs get what the
 * derivative gives them. `edges` are the op's input edges taken before it ran.
 */
export function recordCopySlices(
  call: OpCall,
  info: ViewInfo,
  region: Region,
  edges: ReadonlyArray<readonly [GradNode | null, number]>,
  opBackward: BackwardFn,
  saved: readonly SavedTensor[],
): void {
  const { base } = info;
  const view = call.inputs[0];
  const viewShape = view.shape;
  const baseEdge = edgeOf(base);
  const baseShape = base.shape;
  const others = call.inputs.slice(1);
  const backward: BackwardFn = ([g]) => {
    const grads = opBackward([g.reshape(-1).gather(0, region.index()).reshape(viewShape)]);
    let toBase: Tensor | null = null;
    if (baseEdge[0]) {
      const old = grads[0];
      toBase = old ? where(region.mask(), scatterToBase(sumToShape(old, viewShape), region, baseShape), g) : where(region.mask(), 0, g);
    }
    return [toBase, ...others.map((_, k) => grads[k + 1] ?? null)];
  };
  const node = new FunctionNode(
    'CopySlices',
    [baseEdge, ...edges.slice(1)],
    [metaOf(base), ...others.map(metaOf)],
    [metaOf(base)],
    backward,
    saved,
    call.name,
  );
  base.setGradFn(node, true);
  setOutputIndex(base, 0);
  if (base.retainsGrad) node.retainOutput(base);
  rebase(view, info, region);
}
