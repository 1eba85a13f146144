import { type DType, type GradNode, KindlingError, type Tensor, keep } from '@kindling/tensor';
import { printAsRepr } from '@kindling/tensor/internal';
import { type ForwardTrace, traceForward } from './anomaly.js';

/** Shape, dtype and device of a tensor at the time an op saw it. */
export interface TensorMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly device: string;
}

export function metaOf(t: Tensor): TensorMeta {
  return { shape: t.shape, dtype: t.dtype, device: t.device };
}

/**
 * A tensor kept for backward together with its storage version at save time.
 * Unpacking it after an in-place write fails the way PyTorch does, instead of
 * silently computing a wrong gradient.
 */
export class SavedTensor {
  private readonly version: number;
  /** Where the tensor came from when saved, for the error message ("output 0 of ReluBackward0"). */
  private readonly origin: string;

  constructor(private tensor: Tensor | null) {
    this.version = tensor ? tensor.storage.version : 0;
    this.origin = tensor?.gradFn ? `output ${outputIndexOf(tensor)} of ${tensor.gradFn.name}` : 'a leaf tensor';
  }

  unpack(): Tensor {
    const t = this.tensor;
    if (t === null) throw secondBackwardError();
    if (t.storage.version !== this.version) {
      throw new KindlingError(
        `backward: one of the tensors needed for gradient computation has been modified by an in-place operation: ` +
          `[${t.dtype} [${t.shape.join(', ')}]], which is ${this.origin}, is at version ${t.storage.version}; ` +
          `expected version ${this.version} instead`,
      );
    }
    return t;
  }

  release(): void {
    this.tensor = null;
  }
}

export function secondBackwardError(): KindlingError {
  return new KindlingError(
    'backward: trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
      'Saved intermediate values of the graph are freed when you call .backward() or grad(). ' +
      'Specify { retainGraph: true } if you need to backward through the graph a second time',
  );
}

/** Gradients in, gradients out: one per output in, one per input out (null = no gradient). */
export type BackwardFn = (grads: readonly Tensor[]) => readonly (Tensor | null)[];

/** A recorded op: computes input gradients from output gradients. */
export class FunctionNode implements GradNode {
  private released = false;
  /** Outputs that called `retainGrad`, held weakly; most nodes have none, so nothing is kept per output. */
  private retained: WeakRef<Tensor>[] | null = null;
  /** Where the forward op was called; recorded in anomaly mode only (`detectAnomaly`). */
  readonly forwardTrace: ForwardTrace | null;

  constructor(
    readonly name: string,
    readonly nextFunctions: ReadonlyArray<readonly [GradNode | null, number]>,
    readonly inputMeta: readonly TensorMeta[],
    readonly outputMeta: readonly TensorMeta[],
    private backwardFn: BackwardFn | null,
    private readonly saved: readonly SavedTensor[],
    /** The forward op that created the node, named in anomaly-mode errors. */
    forwardOp: string = name,
  ) {
    this.forwardTrace = traceForward(forwardOp);
  }

  /** Remembers an output that called `retainGrad`, so backward can fill its `grad`. */
  retainOutput(t: Tensor): void {
    (this.retained ??= []).push(new WeakRef(t));
  }

  /** Output `index` if it asked to retain its gradient (and is still alive). */
  output(index: number): Tensor | undefined {
    if (this.retained === null) return undefined;
    for (const ref of this.retained) {
      const t = ref.deref();
      // A tensor written in place since has moved to another node; this one no longer fills its grad.
      if (t && t.gradFn === this && outputIndexOf(t) === index) return t;
    }
    return undefined;
  }

  apply(grads: readonly Tensor[]): readonly (Tensor | null)[] {
    if (this.released || this.backwardFn === null) throw secondBackwardError();
    return this.backwardFn(grads);
  }

  /** Drops saved tensors and the closure holding them; the node can't run again. */
  release(): void {
    this.released = true;
    this.backwardFn = null;
    for (const s of this.saved) s.release();
  }

  /** PyTorch's `str(y.grad_fn)` is `<PowBackward0 object at 0x...>`; there is no address to show here. */
  toString(): string {
    return `<${this.name} object>`;
  }
}
printAsRepr(FunctionNode);

/** The sink of a leaf tensor: adds incoming gradients into `variable.grad`. */
export class AccumulateGrad implements GradNode {
  readonly name = 'AccumulateGrad';
  readonly nextFunctions: ReadonlyArray<readonly [GradNode | null, number]> = [];

  constructor(readonly variable: Tensor) {}

  /**
   * Adds `grad` into `.grad`. A first gradient that nothing else can reach
   * (`stealable`: not a tensor the caller handed to backward) and that owns
   * its whole storage becomes `.grad` without a copy, as PyTorch's
   * AccumulateGrad steals an unshared gradient; any other is cloned, since
   * it may be a broadcast view or alias a tensor still in use.
   */
  accumulate(grad: Tensor, createGraph: boolean, stealable = false): void {
    const v = this.variable;
    const owned = stealable && ownsStorage(grad); // asked before detach() adds a second tensor on the storage
    const incoming = createGraph ? grad : grad.detach();
    if (v.grad === null) {
      v.grad = keep(createGraph || owned ? incoming : incoming.clone());
    } else if (createGraph) {
      v.grad = keep(v.grad.add(incoming));
    } else {
      v.grad.add_(incoming);
    }
  }

  toString(): string {
    return '<AccumulateGrad object>';
  }
}
printAsRepr(AccumulateGrad);

/** Whether `t` is the only tensor on its storage and covers all of it in row-major order. */
function ownsStorage(t: Tensor): boolean {
  return t.storage.tensorCount === 1 && t.offset === 0 && t.numel() === t.storage.size && t.isContiguous();
}

const accumulators = new WeakMap<Tensor, AccumulateGrad>();

/** The one AccumulateGrad node of a leaf (shared by every op that uses it). */
export function accumulatorOf(leaf: Tensor): AccumulateGrad {
  let node = accumulators.get(leaf);
  if (!node) {
    node = new AccumulateGrad(leaf);
    accumulators.set(leaf, node);
  }
  return node;
}

const outputIndices = new WeakMap<Tensor, number>();

/** Which output of its gradFn a tensor is (0 for single-output ops). */
export function outputIndexOf(t: Tensor): number {
  return outputIndices.get(t) ?? 0;
}

export function setOutputIndex(t: Tensor, index: number): void {
  // An in-place op makes output `index` of one node output 0 of another.
  if (index !== 0) outputIndices.set(t, index);
  else outputIndices.delete(t);
}

/** Brings a view's gradFn up to date before its edge is read; installed by view-inplace.ts (which imports this module). */
let refreshView: (t: Tensor) => void = () => {};

export function setViewRefresh(refresh: (t: Tensor) => void): void {
  refreshView = refresh;
}

/** The edge gradients of `t` flow along: its gradFn, its accumulator, or none. */
export function edgeOf(t: Tensor): readonly [GradNode | null, number] {
  refreshView(t);
  if (!t.requiresGrad) return [null, 0];
  if (t.gradFn) return [t.gradFn, outputIndexOf(t)];
  return [accumulatorOf(t), 0];
}
