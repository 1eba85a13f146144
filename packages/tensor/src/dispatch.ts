import { enterOp, leaveOp } from './alloc-limit.js';
import type { Tensor } from './tensor.js';

/** One call of a public op, as interceptors see it. */
export interface OpCall {
  /** The op's name (`add`, `matmul`, `sum`, `view`...). */
  readonly name: string;
  /** Tensor arguments, in order. For in-place ops the first is the tensor written to. */
  readonly inputs: readonly Tensor[];
  /** Non-tensor arguments (dims, flags, scalars), as the op's gradient rule needs them. */
  readonly attrs: Readonly<Record<string, unknown>>;
  /** Whether the op writes into `inputs[0]`. */
  readonly inplace: boolean;
}

/** What an op returns: one tensor, or several (e.g. `topk` gives values and indices). */
export type OpResult = Tensor | readonly Tensor[];

/**
 * A layer around every public op. `@kindling/autograd` installs one that
 * records the graph; `tensor` itself knows nothing of gradients. An
 * interceptor must call `run` at most once and return what it returns. It
 * may keep a call's inputs only if it gives the call's outputs a `gradFn`:
 * ops free the temporary inputs they made (scalar operands) otherwise.
 */
export type Interceptor = (call: OpCall, run: () => OpResult) => OpResult;

let interceptor: Interceptor | null = null;
let depth = 0;

/** Installs (or, with null, removes) the op interceptor. There is one slot: autograd owns it. */
export function setInterceptor(next: Interceptor | null): void {
  interceptor = next;
}

/**
 * Whether a `dispatch` call made now would hand its inputs to the interceptor
 * (which may keep them, e.g. autograd saving them for backward). Ops use it to
 * free temporary inputs they made themselves when nobody else can hold them.
 */
export function inputsMayBeKept(): boolean {
  return interceptor !== null && depth === 0;
}

/**
 * Runs a public op through the interceptor. Ops called inside another op's
 * `run` are implementation details and bypass the interceptor, so a gradient
 * rule sees `logSoftmax`, not the exp/sum/log it lowers to.
 */
export function dispatch<R extends OpResult>(
  name: string,
  inputs: readonly Tensor[],
  attrs: Readonly<Record<string, unknown>>,
  run: () => R,
  inplace = false,
): R {
  // The op's name is kept for allocation errors raised inside it (see alloc-limit.ts).
  const outer = enterOp(name);
  try {
    if (interceptor === null || depth > 0) return run();
    const hook = interceptor;
    return hook({ name, inputs, attrs, inplace }, () => {
      depth++;
      try {
        return run();
      } finally {
        depth--;
      }
    }) as R;
  } finally {
    leaveOp(outer);
  }
}

/**
 * Runs `fn` with the interceptor active again, even inside another op. Used by
 * composite ops whose pieces should each be recorded (ops with no gradient rule
 * of their own), and by autograd when a backward pass builds a graph.
 */
export function dispatchNested<T>(fn: () => T): T {
  const saved = depth;
  depth = 0;
  try {
    return fn();
  } finally {
    depth = saved;
  }
}
