import type { Tensor } from '@kindling/tensor';
import { dispatch } from '@kindling/tensor/internal';
import { SavedTensor } from './node.js';
import { registerGradRule } from './rule.js';

/**
 * The `ctx` of a custom function: what forward leaves for backward.
 * `State` types any extra values (`ctx.state.alpha = 2`).
 */
export class FunctionContext<State extends object = Record<string, unknown>> {
  private saved: SavedTensor[] = [];
  /** Non-tensor values forward passes to backward. */
  state: Partial<State> = {};

  constructor(
    /** For each input, whether it requires grad (PyTorch's `ctx.needs_input_grad`). */
    readonly needsInputGrad: readonly boolean[],
  ) {}

  /** Keeps tensors for backward; in-place changes to them are detected. */
  saveForBackward(...tensors: Tensor[]): void {
    this.saved = tensors.map((t) => new SavedTensor(t));
  }

  get savedTensors(): Tensor[] {
    return this.saved.map((s) => s.unpack());
  }
}

/** A custom differentiable op: its own forward, and its own backward. */
export interface FunctionSpec<State extends object = Record<string, unknown>> {
  /** Names the op; the backward node is called `${name}Backward`. */
  readonly name: string;
  /** Computes the output from the inputs; ops inside are not recorded. */
  forward(ctx: FunctionContext<State>, ...inputs: Tensor[]): Tensor;
  /** Gradients of the inputs given the output's gradient (null for inputs without one). */
  backward(ctx: FunctionContext<State>, gradOutput: Tensor): Tensor | null | readonly (Tensor | null)[];
}

let nextId = 0;

/**
 * Defines an op with a hand-written derivative, like subclassing
 * `torch.autograd.Function`. Returns the function to call (PyTorch's `.apply`).
 *
 * @example
 * const cube = defineFunction({
 *   name: 'Cube',
 *   forward(ctx, x) { ctx.saveForBackward(x); return x.pow(3); },
 *   backward(ctx, g) { const [x] = ctx.savedTensors; return g.mul(x.pow(2)).mul(3); },
 * });
 * const y = cube(x); // y.gradFn.name === 'CubeBackward'
 */
export function defineFunction<State extends object = Record<string, unknown>>(spec: FunctionSpec<State>): (...inputs: Tensor[]) => Tensor {
  const op = `custom:${spec.name}:${nextId++}`;
  registerGradRule(op, {
    name: `${spec.name}Backward`,
    backward: (ctx, [g]) => {
      const fctx = ctx.attrs.ctx as FunctionContext<State>;
      const result = spec.backward(fctx, g);
      return Array.isArray(result) ? (result as (Tensor | null)[]) : [result as Tensor | null];
    },
  });
  return (...inputs: Tensor[]) => {
    const ctx = new FunctionContext<State>(inputs.map((t) => t.requiresGrad));
    return dispatch(op, inputs, { ctx }, () => spec.forward(ctx, ...inputs));
  };
}
