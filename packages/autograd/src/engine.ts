import { type GradNode, KindlingError, type Tensor, keep, zeros, enableGrad, noGrad } from '@kindling/tensor';
import { checkGradients, isAnomalyEnabled, withForwardLocation } from './anomaly.js';
import { AccumulateGrad, FunctionNode } from './node.js';
import { sumToShape } from './sum-to-shape.js';

/** One starting point of a backward pass: a tensor and the gradient flowing into it. */
export interface BackwardRoot {
  readonly edge: readonly [GradNode, number];
  readonly grad: Tensor;
}

export interface EngineOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /**
   * When given, gradients reaching these edges are returned instead of being
   * accumulated into `.grad` (the functional `grad()`); no `.grad` is touched.
   */
  capture?: ReadonlyArray<readonly [GradNode, number]>;
}

/** Counts, for every node reachable from the roots, how many edges point at it. */
function countDependencies(roots: readonly BackwardRoot[]): Map<GradNode, number> {
  const deps = new Map<GradNode, number>();
  const seen = new Set<GradNode>();
  const stack = roots.map((r) => r.edge[0]);
  for (const r of stack) seen.add(r);
  while (stack.length) {
    const node = stack.pop() as GradNode;
    for (const [next] of node.nextFunctions) {
      if (!next) continue;
      deps.set(next, (deps.get(next) ?? 0) + 1);
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return deps;
}

function accumulateInto(buffers: Map<GradNode, (Tensor | null)[]>, node: GradNode, index: number, size: number, grad: Tensor): void {
  let slots = buffers.get(node);
  if (!slots) {
    slots = new Array<Tensor | null>(size).fill(null);
    buffers.set(node, slots);
  }
  const prev = slots[index];
  slots[index] = prev ? prev.add(grad) : grad;
}

function outputCount(node: GradNode): number {
  return node instanceof FunctionNode ? node.outputMeta.length : 1;
}

/**
 * Runs backward from `roots` in dependency order (a node runs once every
 * gradient flowing into it has arrived), then frees each node's saved tensors
 * unless `retainGraph`. Returns the captured gradients when `capture` is set.
 */
export function runBackward(roots: readonly BackwardRoot[], options: EngineOptions): (Tensor | null)[] {
  const deps = countDependencies(roots);
  const buffers = new Map<GradNode, (Tensor | null)[]>();
  for (const r of roots) accumulateInto(buffers, r.edge[0], r.edge[1], outputCount(r.edge[0]), r.grad);
  const captured: (Tensor | null)[] = (options.capture ?? []).map(() => null);
  const captureAt = (node: GradNode, slots: readonly (Tensor | null)[]) => {
    options.capture?.forEach(([n, i], k) => {
      if (n === node && slots[i]) captured[k] = slots[i];
    });
  };
  // The caller holds the gradients it passed in, so those are never handed to `.grad` uncopied.
  const rootGrads = new Set(roots.map((r) => r.grad));
  const ready: GradNode[] = [...new Set(roots.map((r) => r.edge[0]))].filter((n) => !deps.get(n));
  const mode = options.createGraph ? enableGrad : noGrad;
  mode(() => {
    while (ready.length) {
      const node = ready.pop() as GradNode;
      const slots = buffers.get(node) ?? [];
      buffers.delete(node);
      captureAt(node, slots);
      let inputGrads: readonly (Tensor | null)[] = [];
      if (node instanceof AccumulateGrad) {
        if (!options.capture && slots[0]) node.accumulate(slots[0], options.createGraph, !rootGrads.has(slots[0]));
      } else if (node instanceof FunctionNode) {
        inputGrads = isAnomalyEnabled() ? applyChecked(node, slots, options) : applyNode(node, slots, options);
      }
      node.nextFunctions.forEach(([next, index], k) => {
        if (!next) return;
        const g = inputGrads[k];
        if (g) accumulateInto(buffers, next, index, outputCount(next), g);
        const left = (deps.get(next) ?? 1) - 1;
        deps.set(next, left);
        if (left === 0) ready.push(next);
      });
    }
  });
  return captured;
}

/** `applyNode` in anomaly mode: its errors say where the forward op was called, and non-finite gradients throw. */
function applyChecked(node: FunctionNode, slots: readonly (Tensor | null)[], options: EngineOptions): readonly (Tensor | null)[] {
  let grads: readonly (Tensor | null)[];
  try {
    grads = applyNode(node, slots, options);
  } catch (e) {
    throw withForwardLocation(e, node.name, node.forwardTrace);
  }
  checkGradients(node.name, node.forwardTrace, grads);
  return grads;
}

function applyNode(node: FunctionNode, slots: readonly (Tensor | null)[], options: EngineOptions): readonly (Tensor | null)[] {
  node.outputMeta.forEach((_, i) => {
    const out = node.output(i);
    const g = slots[i];
    if (out?.retainsGrad && g) out.grad = keep(out.grad ? out.grad.add(g) : options.createGraph ? g : g.detach().clone());
  });
  if (slots.every((g) => !g)) {
    if (!options.retainGraph) node.release();
    return [];
  }
  const grads = node.outputMeta.map((meta, i) => slots[i] ?? zeros(meta.shape, { dtype: meta.dtype, device: meta.device }));
  const raw = node.apply(grads);
  if (!options.retainGraph) node.release();
  return raw.map((g, k) => {
    const meta = node.inputMeta[k];
    if (!g || !meta || !node.nextFunctions[k]?.[0]) return null;
    let out = sumToShape(g, meta.shape);
    if (out.dtype !== meta.dtype) out = out.cast(meta.dtype);
    if (out.shape.length !== meta.shape.length || out.shape.some((d, i) => d !== meta.shape[i])) {
      throw new KindlingError(
        `${node.name}: gradient of shape [${out.shape.join(',')}] does not match input ${k} of shape [${meta.shape.join(',')}]`,
      );
    }
    return out;
  });
}
