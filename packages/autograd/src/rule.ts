import type { Tensor } from '@kindling/tensor';
import type { OpCall } from '@kindling/tensor/internal';
import type { TensorMeta } from './node.js';

/** What a gradient rule can read when it runs. */
export interface RuleContext {
  /** Input `i`, if the rule listed it in `saveInputs`. */
  input(i: number): Tensor;
  /** Output `i`, if the rule listed it in `saveOutputs`. */
  output(i: number): Tensor;
  /** Shape/dtype/device of every input (always available). */
  readonly inputMeta: readonly TensorMeta[];
  /**
   * Whether each input required grad when the op ran (PyTorch's
   * `needs_input_grad`): a rule may return null for the others and skip
   * computing their gradients, which the engine would drop anyway.
   */
  readonly needsInputGrad: readonly boolean[];
  /** The op's non-tensor arguments. */
  readonly attrs: Readonly<Record<string, unknown>>;
}

/**
 * The derivative of one op: given the gradients of its outputs, the gradients
 * of its inputs (null where an input gets none). Rules may return gradients
 * at the broadcast shape or in a wider dtype; the engine sums and casts them
 * back to each input. Rules use ordinary tensor ops, so with `createGraph`
 * their work is recorded and higher-order gradients follow.
 */
export interface GradRule {
  /** PyTorch's name for the node (`MulBackward0`), or a function of the call. */
  readonly name: string | ((call: OpCall) => string);
  /** Inputs backward reads; a function of the call when that depends on which inputs require grad. */
  readonly saveInputs?: readonly number[] | ((call: OpCall) => readonly number[]);
  readonly saveOutputs?: readonly number[];
  backward(ctx: RuleContext, grads: readonly Tensor[]): readonly (Tensor | null)[];
}

const rules = new Map<string, GradRule>();

/** The inputs `rule` saves for this call. */
export function savedInputIndices(rule: GradRule, call: OpCall): readonly number[] {
  const save = rule.saveInputs ?? [];
  return typeof save === 'function' ? save(call) : save;
}

/** Registers the derivative of the op dispatched as `op`. Later registrations replace earlier ones. */
export function registerGradRule(op: string, rule: GradRule): void {
  rules.set(op, rule);
}

export function gradRuleOf(op: string): GradRule | undefined {
  return rules.get(op);
}

/** Ops that have a registered derivative. */
export function differentiableOps(): string[] {
  return [...rules.keys()];
}
