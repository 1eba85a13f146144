import { type GradNode, KindlingError, type Tensor, isFloating, isGradEnabled } from '@kindling/tensor';
import type { OpCall, OpResult } from '@kindling/tensor/internal';
import { FunctionNode, SavedTensor, type TensorMeta, edgeOf, metaOf, setOutputIndex } from './node.js';
import { type GradRule, type RuleContext, gradRuleOf, savedInputIndices } from './rule.js';
import { checkInplaceOnView, recordCopySlices, refreshView, trackViews, viewInfoOf } from './view-inplace.js';

function nodeName(rule: GradRule, call: OpCall): string {
  return typeof rule.name === 'function' ? rule.name(call) : rule.name;
}

function makeContext(
  call: OpCall,
  inputs: Map<number, SavedTensor>,
  outputs: Map<number, SavedTensor>,
  inputMeta: readonly TensorMeta[] = call.inputs.map(metaOf),
): RuleContext {
  const take = (saved: Map<number, SavedTensor>, kind: string) => (i: number) => {
    const s = saved.get(i);
    if (!s) throw new Error(`autograd: the rule for '${call.name}' reads ${kind} ${i}, which it did not list as saved`);
    return s.unpack();
  };
  return {
    input: take(inputs, 'input'),
    output: take(outputs, 'output'),
    inputMeta,
    needsInputGrad: call.inputs.map((t) => t.requiresGrad),
    attrs: call.attrs,
  };
}

function saveAll(
  indices: readonly number[] | undefined,
  tensors: readonly Tensor[],
  into = new Map<number, SavedTensor>(),
): Map<number, SavedTensor> {
  for (const i of indices ?? []) if (tensors[i]) into.set(i, new SavedTensor(tensors[i]));
  return into;
}

/**
 * Records `rule` for a call whose outputs are `outputs`. Outputs are saved
 * only after they are attached to the node, so each knows where it came from.
 */
function recordNode(
  call: OpCall,
  rule: GradRule,
  edges: ReadonlyArray<readonly [GradNode | null, number]>,
  savedInputs: Map<number, SavedTensor>,
  outputs: readonly Tensor[],
): void {
  const savedOutputs = new Map<number, SavedTensor>();
  const saved: SavedTensor[] = [...savedInputs.values()];
  const inputMeta = call.inputs.map(metaOf);
  const ctx = makeContext(call, savedInputs, savedOutputs, inputMeta);
  const node = new FunctionNode(
    nodeName(rule, call),
    edges,
    inputMeta,
    outputs.map(metaOf),
    (grads) => rule.backward(ctx, grads),
    saved,
    call.name,
  );
  attach(node, outputs);
  saveAll(rule.saveOutputs, outputs, savedOutputs);
  saved.push(...savedOutputs.values());
}

function attach(node: FunctionNode, outputs: readonly Tensor[]): void {
  outputs.forEach((o, i) => {
    if (isFloating(o.dtype)) {
      o.setGradFn(node, true);
      setOutputIndex(o, i);
      // An in-place op moves a tensor that retains its grad to a new node.
      if (o.retainsGrad) node.retainOutput(o);
    }
  });
}

function recordInplace(call: OpCall, run: () => OpResult): OpResult {
  const target = call.inputs[0];
  const view = viewInfoOf(target);
  // A view made under noGrad of a base that requires grad does not require grad itself, yet writing through it changes the base.
  if (!call.inputs.some((t) => t.requiresGrad) && !view?.base.requiresGrad) return run();
  if (target.isLeaf && target.requiresGrad) {
    throw new KindlingError(
      `${call.name}: a leaf tensor that requires grad is being used in an in-place operation; ` +
        'wrap the update in noGrad() (as optimizers do) or use the out-of-place op',
    );
  }
  const region = view ? checkInplaceOnView(call, view) : null;
  const rule = gradRuleOf(call.name);
  if (!rule) {
    throw new KindlingError(
      `${call.name}: in-place op on a tensor that requires grad is not supported by autograd; use the out-of-place op`,
    );
  }
  // The node's edges and any saved copy of the target are taken before the write; the copy is recorded, for double backward.
  const edges = call.inputs.map(edgeOf);
  const saveInputs = savedInputIndices(rule, call);
  const before = call.inputs.map((t, i) => (i === 0 && saveInputs.includes(0) ? t.clone() : t));
  const savedInputs = saveAll(saveInputs, before);
  const result = run();
  if (view && region) {
    const savedOutputs = new Map<number, SavedTensor>();
    const saved: SavedTensor[] = [...savedInputs.values()];
    const ctx = makeContext(call, savedInputs, savedOutputs);
    recordCopySlices(call, view, region, edges, (grads) => rule.backward(ctx, grads), saved);
    // Saved after the view moved to its new node, like recordNode's outputs.
    saved.push(...saveAll(rule.saveOutputs, [target], savedOutputs).values());
  } else {
    recordNode(call, rule, edges, savedInputs, [target]);
  }
  return result;
}

/**
 * The interceptor `@kindling/autograd` installs: runs each op and, when grad
 * mode is on and an input requires grad, records a node for its backward.
 * Results sharing an input's storage are remembered as views of its base.
 */
export function record(call: OpCall, run: () => OpResult): OpResult {
  if (!isGradEnabled()) return trackViews(call, run());
  for (const t of call.inputs) refreshView(t);
  if (call.inplace) return recordInplace(call, run);
  if (!call.inputs.some((t) => t.requiresGrad)) return trackViews(call, run());
  const rule = gradRuleOf(call.name);
  const savedInputs = rule ? saveAll(savedInputIndices(rule, call), call.inputs) : new Map<number, SavedTensor>();
  const result = trackViews(call, run());
  const outputs: readonly Tensor[] = Array.isArray(result) ? result : [result as Tensor];
  if (!outputs.some((o) => isFloating(o.dtype))) return result;
  if (!rule) {
    throw new KindlingError(
      `${call.name}: autograd has no derivative for this op; register one with registerGradRule('${call.name}', ...)`,
    );
  }
  recordNode(call, rule, call.inputs.map(edgeOf), savedInputs, outputs);
  return result;
}
