import { KindlingError, type Tensor } from '@kindling/tensor';
import { runBackward } from './engine.js';
import { edgeOf } from './node.js';
import { rootOf } from './backward.js';

export interface GradOptions {
  /** Gradients of the outputs (the vector of the vector-Jacobian product); required for non-scalar outputs. */
  gradOutputs?: Tensor | readonly (Tensor | undefined)[];
  /** Keep the graph for another backward (defaults to `createGraph`). */
  retainGraph?: boolean;
  /** Record the gradient computation, so the results can be differentiated again. */
  createGraph?: boolean;
  /** Return null for inputs the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs` (`torch.autograd.grad`),
 * returned instead of accumulated into `.grad`.
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  const ins = Array.isArray(inputs) ? (inputs as readonly Tensor[]) : [inputs as Tensor];
  const gradOutputs =
    options.gradOutputs === undefined ? [] : Array.isArray(options.gradOutputs) ? options.gradOutputs : [options.gradOutputs];
  const createGraph = options.createGraph ?? false;
  const capture = ins.map((t, i) => {
    const [node, slot] = edgeOf(t);
    if (!node) throw new KindlingError(`grad: input ${i} does not require grad`);
    return [node, slot] as const;
  });
  const roots = outs.map((t, i) => rootOf(t, gradOutputs[i] as Tensor | undefined, i, 'grad'));
  const result = runBackward(roots, { retainGraph: options.retainGraph ?? createGraph, createGraph, capture });
  return result.map((g, i) => {
    if (g === null && !options.allowUnused) {
      throw new KindlingError(
        `grad: input ${i} appears to not have been used in the graph; pass { allowUnused: true } if this is intended`,
      );
    }
    if (g === null) return null;
    return createGraph ? g : g.detach();
  });
}
