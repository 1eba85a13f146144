import { KindlingError } from './errors.js';
import type { Tensor } from './tensor.js';

/**
 * A node of the backward graph, as `tensor.gradFn` exposes it. Named like
 * PyTorch's (`AddmmBackward0`, `MeanBackward0`...). `@kindling/autograd`
 * defines the real nodes; this is the shape every package may rely on.
 */
export interface GradNode {
  readonly name: string;
  /** The nodes gradients flow to next, with the output index of each (PyTorch's `next_functions`). */
  readonly nextFunctions: ReadonlyArray<readonly [GradNode | null, number]>;
  /** Asks the node to hand its gradient for output `t` to `t.grad` during backward (`retainGrad`). */
  retainOutput?(t: Tensor): void;
}

/** Options of `tensor.backward()`. */
export interface BackwardOptions {
  /** Keep the graph's saved tensors so backward can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients. */
  createGraph?: boolean;
}

/** What `@kindling/autograd` plugs into tensors. */
export interface GradHooks {
  backward(root: Tensor, gradient: Tensor | undefined, options: BackwardOptions): void;
}

let hooks: GradHooks | null = null;

/** @internal Installed by `@kindling/autograd`. */
export function setGradHooks(next: GradHooks | null): void {
  hooks = next;
}

/** Whether `@kindling/autograd` is installed, so `backward()` works (the conformance suite checks before testing gradients). */
export function hasGradHooks(): boolean {
  return hooks !== null;
}

export function gradHooks(op: string): GradHooks {
  if (!hooks)
    throw new KindlingError(
      `${op}: gradients need '@kindling/autograd', which is not loaded; add import '@kindling/autograd' (or use 'kindling', which loads it)`,
    );
  return hooks;
}
