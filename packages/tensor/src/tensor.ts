import type { View } from './backend.js';
// Declares `Symbol.dispose` (for `[Symbol.dispose]` below) where the consumer's lib does not.
import './disposable.js';
import { type DType, type TypedArray, isDType, isFloating } from './dtype.js';
import { KindlingError, ShapeError } from './errors.js';
import { formatTensor } from './format.js';
import { type BackwardOptions, type GradNode, gradHooks, hasGradHooks } from './grad-hooks.js';
import * as E from './ops/elementwise.js';
import { type AlphaOptions, type UnaryOptions, binaryOp, unaryOp } from './ops/run-elementwise.js';
import {
  BINARY_OP_NAMES,
  type BinaryTable,
  type TensorMethodUnaryOp,
  UNARY_OP_NAMES,
  type UnaryTable,
  isTensorMethodOp,
} from './ops/op-table.js';
import * as I from './ops/indexing.js';
import * as IX from './ops/index-read.js';
import type { IndexItem } from './ops/index-parse.js';
import { indexPut_ } from './ops/index-put.js';
import * as P from './ops/inplace.js';
import * as L from './ops/linalg.js';
import * as R from './ops/reduce.js';
import * as S from './ops/softmax.js';
import * as V from './ops/views.js';
import * as C from './ops/convert.js';
import * as U from './ops/unfold-view.js';
import { readTensor, readTensorSync, toNested, type NestedArray } from './read.js';
import { noteCollectableBytes } from './gc-pressure.js';
import { setMakeCollectable, setTensorCheck, trackTensor } from './scope.js';
import { type Storage, countTensor } from './storage.js';
import { printAsRepr } from './inspect.js';
import { warnNonLeafGrad } from './grad-warning.js';
import type { Generator } from './generator.js';
import { planResize } from './ops/resize.js';
import { dtypeOfTypeName, typeName } from './ops/type-names.js';

/** A tensor or a plain number where an op accepts either. */
export type TensorLike = Tensor | number | boolean;

/** `normal_({ mean, std, generator })`: PyTorch's keyword arguments. */
export interface NormalOptions {
  mean?: number;
  std?: number;
  generator?: Generator;
}

/** `uniform_({ low, high })`, also spelled PyTorch's way, `uniform_({ from, to })`. */
export interface UniformOptions {
  low?: number;
  high?: number;
  from?: number;
  to?: number;
  generator?: Generator;
}

// The fields `resize_` replaces: readonly to everybody else.
interface MutableLayout {
  storage: Storage;
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

// Releases the storage of tensors that were never disposed, once collected.
const collector = new FinalizationRegistry<{ storage: Storage; device: string; counted: number }>(({ storage, device, counted }) => {
  countTensor(device, -1);
  if (counted) noteCollectableBytes(-counted);
  storage.release();
});

/**
 * An n-dimensional array on a device: a strided view (`shape`, `strides`,
 * `offset`) onto a reference-counted backend storage. Views such as
 * `transpose`, `narrow` or `expand` share storage and copy nothing.
 *
 * Create tensors with `tensor`, `zeros`, `randn`...; never with `new`.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface below adds the elementwise table's methods, installed on the prototype.
export class Tensor {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  /** @internal The storage this tensor views. */
  readonly storage: Storage;

  private disposedFlag = false;
  /** Whether the garbage collector will release this tensor's storage if it is never disposed. */
  private collectable = false;
  /** Storage bytes this tensor added to the collection pressure (`gc-pressure.ts`). */
  private collectableBytes = 0;
  private requiresGradFlag = false;
  private gradField: Tensor | null = null;
  /** The backward node that produced this tensor, or null for leaves. Set by autograd. */
  gradFn: GradNode | null = null;
  /** Whether `backward()` also fills `grad` on this non-leaf tensor. */
  retainsGrad = false;

  /** @internal Use the creation functions instead. */
  constructor(storage: Storage, shape: readonly number[], strides: readonly number[], offset: number) {
    this.storage = storage;
    // A frozen array (another tensor's shape, which views and kernels' results pass on) is shared, not copied.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.strides = Object.isFrozen(strides) ? strides : Object.freeze([...strides]);
    this.offset = offset;
    storage.retain();
    countTensor(storage.backend.name, 1);
    if (!trackTensor(this)) this.makeCollectable();
  }

  /** @internal Lets the garbage collector release the storage of this tensor if nobody disposes it. */
  makeCollectable(): void {
    if (this.collectable || this.disposedFlag) return;
    this.collectable = true;
    // Counted once per storage, by its first tensor (views add no bytes).
    this.collectableBytes = this.storage.tensorCount === 1 ? this.storage.bytes : 0;
    if (this.collectableBytes) noteCollectableBytes(this.collectableBytes);
    collector.register(this, { storage: this.storage, device: this.device, counted: this.collectableBytes }, this);
  }

  get dtype(): DType {
    return this.storage.dtype;
  }

  /** Name of the backend that holds the data (`cpu`, `webgpu`...). */
  get device(): string {
    return this.storage.backend.name;
  }

  /** Number of dimensions (`dim()`). */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * `torch.Tensor.size`: the shape, or with `dim` the length of that
   * dimension (negative counts from the end).
   */
  size(): readonly number[];
  size(dim: number): number;
  size(dim?: number): readonly number[] | number {
    if (dim === undefined) return this.shape;
    if (this.ndim === 0) throw new ShapeError(`size: dim ${dim} is out of range for a tensor of rank 0 (it has no dimensions)`);
    return this.shape[V.resolveDim('size', dim, this.ndim)];
  }

  /** Number of dimensions (`torch.Tensor.dim`); the same as `ndim`. */
  dim(...retired: never[]): number {
    // Plain JavaScript callers of the retired size-returning `dim(n)` would otherwise get the rank silently.
    if (retired.length > 0) {
      const n = String(retired[0]);
      throw new KindlingError(`dim: takes no argument and returns the number of dimensions; for the length of dim ${n} use size(${n})`);
    }
    return this.shape.length;
  }

  /** Number of elements. */
  numel(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /**
   * Gradient accumulated by `backward()`: on leaf tensors, and on non-leaf
   * tensors that called `retainGrad()`. Reading it on any other non-leaf
   * tensor warns once, as PyTorch does, since it will stay null.
   */
  get grad(): Tensor | null {
    if (this.gradField === null && this.gradFn !== null && !this.retainsGrad) warnNonLeafGrad();
    return this.gradField;
  }

  set grad(value: Tensor | null) {
    this.gradField = value;
  }

  /** Whether this tensor has no backward node (created by the user, not by an op on tensors that require grad). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Whether autograd records ops on this tensor. Only leaves may change it. */
  get requiresGrad(): boolean {
    return this.requiresGradFlag;
  }

  set requiresGrad(value: boolean) {
    this.requiresGrad_(value);
  }

  /** Sets `requiresGrad` in place (leaves only, floating dtypes only) and returns this tensor. */
  requiresGrad_(value = true): this {
    if (!this.isLeaf && !value) {
      throw new KindlingError(
        'requiresGrad_: you can only change requiresGrad of leaf tensors; use detach() to get a tensor that does not require grad',
      );
    }
    if (value && !isFloating(this.dtype)) {
      throw new KindlingError(`requiresGrad_: only floating point tensors can require gradients, got dtype ${this.dtype}`);
    }
    this.requiresGradFlag = value;
    return this;
  }

  /** @internal Used by autograd to mark op outputs. */
  setGradFn(node: GradNode | null, requiresGrad: boolean): void {
    this.gradFn = node;
    this.requiresGradFlag = requiresGrad;
  }

  /** Asks `backward()` to fill `.grad` on this non-leaf tensor too. */
  retainGrad(): this {
    // Without autograd nothing records, so the op's output does not require grad: name the cause.
    if (!this.requiresGrad && !hasGradHooks()) gradHooks('retainGrad');
    if (!this.requiresGrad) throw new KindlingError("retainGrad: can't retain grad on a tensor that doesn't require grad");
    if (!this.isLeaf && !this.retainsGrad) {
      this.retainsGrad = true;
      this.gradFn?.retainOutput?.(this);
    }
    return this;
  }

  /**
   * Computes the gradient of this tensor with respect to the graph leaves and
   * accumulates it into their `.grad`. Needs `@kindling/autograd`. A
   * non-scalar tensor needs `gradient` (the vector of the vector-Jacobian product).
   */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    gradHooks('backward').backward(this, gradient, options);
  }

  /** A tensor sharing this storage, cut out of the graph (`requiresGrad` false). */
  detach(): Tensor {
    this.assertAlive('detach');
    return new Tensor(this.storage, this.shape, this.strides, this.offset);
  }

  /**
   * PyTorch's `.data`: this tensor detached (sharing storage, not recording
   * gradients), so `p.data.fill_(0)` or `w.data.normal_({ std: 0.01 })`
   * writes the values without autograd seeing it. Read values with `read()`.
   */
  get data(): Tensor {
    const data = this.detach();
    data.writesUntracked = true;
    return data;
  }

  /**
   * Whether in-place writes through this tensor leave the storage's version
   * counter alone: true for `.data`, which (as in PyTorch) is how a value
   * saved for backward may be changed without autograd refusing it.
   */
  private writesUntracked = false;

  /** @internal Records an in-place write for autograd's saved-tensor check (unless written through `.data`). */
  noteWrite(): void {
    if (!this.writesUntracked) this.storage.version++;
  }

  /** Cuts this tensor out of the graph in place and returns it. */
  detach_(): this {
    this.gradFn = null;
    this.requiresGradFlag = false;
    return this;
  }

  /** Frees this tensor's reference to its storage; later use throws. Idempotent. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    if (this.collectable) {
      collector.unregister(this);
      if (this.collectableBytes) noteCollectableBytes(-this.collectableBytes);
    }
    countTensor(this.device, -1);
    this.storage.release();
    this.gradField = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @internal Throws if this tensor was disposed. */
  assertAlive(op: string): void {
    if (this.disposedFlag) throw new KindlingError(`${op}: tensor of shape [${this.shape.join(',')}] was disposed`);
  }

  /** @internal The strided view kernels receive. */
  view_(): View {
    this.assertAlive('kernel');
    return { handle: this.storage.handle, dtype: this.dtype, shape: this.shape, strides: this.strides, offset: this.offset };
  }

  // ---- reading values -------------------------------------------------------------------

  /** The elements in row-major order, copied to the host as a typed array (bool and uint8 as Uint8Array). */
  read(): Promise<TypedArray> {
    return readTensor(this);
  }

  /** Synchronous `read()`; only on backends that keep data in host memory. */
  readSync(): TypedArray {
    return readTensorSync(this, 'readSync');
  }

  /** The value of a one-element tensor (`torch.Tensor.item`); a bool tensor gives 1 or 0. */
  async item(): Promise<number> {
    return itemOf('item', this, await this.read());
  }

  /** The value of a one-element tensor as a boolean (non-zero is true), as Python's `bool(t)`. */
  async itemBool(): Promise<boolean> {
    return itemOf('itemBool', this, await this.read()) !== 0;
  }

  /** Synchronous `item()`; only on backends that keep data in host memory. */
  itemSync(): number {
    return itemOf('itemSync', this, readTensorSync(this, 'itemSync'));
  }

  /** Synchronous `itemBool()`; only on backends that keep data in host memory. */
  itemBoolSync(): boolean {
    return itemOf('itemBoolSync', this, readTensorSync(this, 'itemBoolSync')) !== 0;
  }

  /** The elements as nested arrays (a number for a scalar). */
  async tolist(): Promise<NestedArray> {
    return toNested(this, await this.read());
  }

  tolistSync(): NestedArray {
    return toNested(this, readTensorSync(this, 'tolistSync'));
  }

  /** PyTorch-style text: `tensor([[1., 2.],\n        [3., 4.]])`. */
  toString(): string {
    return formatTensor(this);
  }

  // ---- conversion ---------------------------------------------------------------------------

  /** A copy converted to `dtype`, or moved to `device` (`'cpu'`, `'webgpu'`). Returns this when nothing changes. */
  to(target: DType | string | { dtype?: DType; device?: string }): Tensor {
    return C.to(this, target);
  }

  /** Like `to`, and also works when the source device can only be read asynchronously. */
  toAsync(target: DType | string | { dtype?: DType; device?: string }): Promise<Tensor> {
    return C.toAsync(this, target);
  }

  cast(dtype: DType): Tensor {
    return C.cast(this, dtype);
  }

  /**
   * `torch.Tensor.type`: without an argument, PyTorch's type name
   * (`'torch.FloatTensor'`); with a dtype or such a name, this tensor cast to
   * it (this tensor itself when the dtype is already that).
   */
  type(): string;
  type(dtype: DType | string): Tensor;
  type(dtype?: DType | string): string | Tensor {
    if (dtype === undefined) return typeName(this.dtype, this.device);
    return C.cast(this, isDType(dtype) ? dtype : dtypeOfTypeName(dtype));
  }

  float(): Tensor {
    return C.cast(this, 'float32');
  }

  double(): Tensor {
    return C.cast(this, 'float64');
  }

  /** This tensor as float16 (`torch.Tensor.half`). */
  half(): Tensor {
    return C.cast(this, 'float16');
  }

  int(): Tensor {
    return C.cast(this, 'int32');
  }

  bool(): Tensor {
    return C.cast(this, 'bool');
  }

  clone(): Tensor {
    return C.clone(this);
  }

  contiguous(): Tensor {
    return C.contiguous(this);
  }

  isContiguous(): boolean {
    return V.isContiguousTensor(this);
  }

  // ---- elementwise (the ops of the table in ops/op-table.ts are methods too, installed below) ----

  /** `this * this` */
  square(): Tensor {
    return E.square(this);
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return E.clamp(this, min, max);
  }
  /** `where(cond, this, other)`. */
  where(condition: Tensor, other: TensorLike): Tensor {
    return E.where(condition, this, other);
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return E.maskedFill(this, mask, value);
  }

  // ---- reductions ---------------------------------------------------------------------------

  sum(dim?: number | readonly number[], keepdim = false, options?: { dtype?: DType }): Tensor {
    return R.sum(this, dim, keepdim, options);
  }
  mean(dim?: number | readonly number[], keepdim = false): Tensor {
    return R.mean(this, dim, keepdim);
  }
  prod(dim?: number, keepdim = false): Tensor {
    return R.prod(this, dim, keepdim);
  }
  /** Variance (Bessel-corrected by default, `correction: 0` for the population variance). */
  var(dim?: number | readonly number[], options?: { correction?: number; keepdim?: boolean }): Tensor {
    return R.variance(this, dim, options);
  }
  std(dim?: number | readonly number[], options?: { correction?: number; keepdim?: boolean }): Tensor {
    return R.std(this, dim, options);
  }
  /** Maximum of all elements; with `dim`, `[values, indices]` along it (also `.values`, `.indices`). */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): R.ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | R.ValuesIndices {
    return dim === undefined ? R.max(this) : R.max(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): R.ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | R.ValuesIndices {
    return dim === undefined ? R.min(this) : R.min(this, dim, keepdim);
  }
  amax(dim?: number | readonly number[], keepdim = false): Tensor {
    return R.amax(this, dim, keepdim);
  }
  amin(dim?: number | readonly number[], keepdim = false): Tensor {
    return R.amin(this, dim, keepdim);
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return R.argmax(this, dim, keepdim);
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return R.argmin(this, dim, keepdim);
  }
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor {
    return R.logsumexp(this, dim, keepdim);
  }
  any(dim?: number, keepdim = false): Tensor {
    return R.any(this, dim, keepdim);
  }
  all(dim?: number, keepdim = false): Tensor {
    return R.all(this, dim, keepdim);
  }

  // ---- linear algebra, softmax --------------------------------------------------------------

  matmul(other: Tensor): Tensor {
    return L.matmul(this, other);
  }
  mm(other: Tensor): Tensor {
    return L.mm(this, other);
  }
  /** Transpose of a tensor of rank ≤ 2. */
  t(): Tensor {
    return V.t(this);
  }
  get T(): Tensor {
    return V.permute(this, [...this.shape.keys()].reverse());
  }
  softmax(dim: number): Tensor {
    return S.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return S.logSoftmax(this, dim);
  }

  // ---- shape and views ----------------------------------------------------------------------

  /** A view with a new shape (one size may be -1); sizes as numbers or one array. */
  view(...shape: V.ShapeArgList): Tensor {
    return V.view(this, V.shapeArgs('view', shape));
  }
  /** `view` when the layout allows it, else a copy. */
  reshape(...shape: V.ShapeArgList): Tensor {
    return V.reshape(this, V.shapeArgs('reshape', shape));
  }
  viewAs(other: Tensor): Tensor {
    return V.view(this, other.shape);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return V.flatten(this, startDim, endDim);
  }
  unflatten(dim: number, sizes: readonly number[]): Tensor {
    return V.unflatten(this, dim, sizes);
  }
  squeeze(dim?: number | readonly number[]): Tensor {
    return V.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return V.unsqueeze(this, dim);
  }
  transpose(dim0: number, dim1: number): Tensor {
    return V.transpose(this, dim0, dim1);
  }
  permute(...dims: V.ShapeArgList): Tensor {
    return V.permute(this, V.shapeArgs('permute', dims, 'dim'));
  }
  expand(...shape: V.ShapeArgList): Tensor {
    return V.expand(this, V.shapeArgs('expand', shape));
  }
  expandAs(other: Tensor): Tensor {
    return V.expand(this, other.shape);
  }
  /** `length` elements of `dim` from `start` (a view). */
  narrow(dim: number, start: number, length: number): Tensor {
    return V.narrow(this, dim, start, length);
  }
  /** Python's `x[start:end:step]` along `dim` (a view; negative and omitted bounds as in Python). */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return V.slice(this, dim, start, end, step);
  }
  /** `x[index]` along `dim`: removes the dim (a view). */
  select(dim: number, index: number): Tensor {
    return V.select(this, dim, index);
  }
  split(splitSize: number | readonly number[], dim = 0): Tensor[] {
    return V.split(this, splitSize, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return V.chunk(this, chunks, dim);
  }
  unbind(dim = 0): Tensor[] {
    return V.unbind(this, dim);
  }
  /**
   * `torch.Tensor.unfold`: the `size`-long slices of `dimension` that start
   * `step` apart, as a view with a new last dim of `size` (slices may overlap).
   */
  unfold(dimension: number, size: number, step: number): Tensor {
    return U.unfoldDim(this, dimension, size, step);
  }

  // ---- indexing -----------------------------------------------------------------------------

  indexSelect(dim: number, index: Tensor): Tensor {
    return I.indexSelect(this, dim, index);
  }
  gather(dim: number, index: Tensor): Tensor {
    return I.gather(this, dim, index);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return I.scatterAdd(this, dim, index, src);
  }
  topk(k: number, dim = -1, largest = true, sorted = true): R.ValuesIndices {
    return I.topk(this, k, dim, largest, sorted);
  }
  sort(dim = -1, descending = false): R.ValuesIndices {
    return I.sort(this, dim, descending);
  }
  /**
   * Python's `t[...]`: `t.at(0, '0:5')` is `t[0, :5]`, `t.at(mask)` is `t[mask]`. Items: integers (negative count from
   * the end), slice strings (`':'`, `'1:-1:2'`) or `span(start, stop, step)`, `null` (new axis), `'...'`, int32 tensors
   * or integer arrays (advanced indexing, a copy) and bool tensors (masks). Without tensor items the result is a view.
   */
  at(...index: IndexItem[]): Tensor {
    return IX.at(this, ...index);
  }
  /** `at` on any backend: a mask's count of true elements is read asynchronously (WebGPU). */
  atAsync(...index: IndexItem[]): Promise<Tensor> {
    return IX.atAsync(this, ...index);
  }
  /** Python's `t[index] = value` in place: `t.indexPut_([mask], 0)`, `t.indexPut_([':', 0], y)`. See `at` for the items. */
  indexPut_(index: IndexItem | readonly IndexItem[], value: TensorLike): this {
    return indexPut_(this, index, value);
  }

  // ---- in place -----------------------------------------------------------------------------

  add_(other: TensorLike, options?: { alpha?: number }): this {
    return P.add_(this, other, options);
  }
  sub_(other: TensorLike, options?: { alpha?: number }): this {
    return P.sub_(this, other, options);
  }
  mul_(other: TensorLike): this {
    return P.mul_(this, other);
  }
  div_(other: TensorLike): this {
    return P.div_(this, other);
  }
  pow_(exponent: TensorLike): this {
    return P.pow_(this, exponent);
  }
  sqrt_(): this {
    return P.sqrt_(this);
  }
  neg_(): this {
    return P.neg_(this);
  }
  relu_(): this {
    return P.relu_(this);
  }
  clamp_(min?: number | null, max?: number | null): this {
    return P.clamp_(this, min, max);
  }
  maximum_(other: TensorLike): this {
    return P.maximum_(this, other);
  }
  /** `this += value * t1 * t2` */
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this {
    return P.addcmul_(this, t1, t2, value);
  }
  /** `this += value * t1 / t2` */
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this {
    return P.addcdiv_(this, t1, t2, value);
  }
  /** `this += weight * (end - this)` */
  lerp_(end: Tensor, weight: number): this {
    return P.lerp_(this, end, weight);
  }
  zero_(): this {
    return P.fill_(this, 0);
  }
  fill_(value: number | boolean): this {
    return P.fill_(this, value);
  }
  copy_(src: Tensor): this {
    return P.copy_(this, src);
  }
  /** Fills with uniform samples from [low, high): `uniform_(low, high)` or `uniform_({ low, high })` (also `from`/`to`). */
  uniform_(options: UniformOptions): this;
  uniform_(low?: number, high?: number, options?: { generator?: Generator }): this;
  uniform_(low: number | UniformOptions = 0, high = 1, options?: { generator?: Generator }): this {
    if (typeof low === 'object') return P.uniform_(this, low.low ?? low.from ?? 0, low.high ?? low.to ?? 1, low.generator);
    return P.uniform_(this, low, high, options?.generator);
  }
  /** Fills with normal samples: `normal_(mean, std)` or `normal_({ mean, std })` (defaults 0 and 1). */
  normal_(options: NormalOptions): this;
  normal_(mean?: number, std?: number, options?: { generator?: Generator }): this;
  normal_(mean: number | NormalOptions = 0, std = 1, options?: { generator?: Generator }): this {
    if (typeof mean === 'object') return P.normal_(this, mean.mean ?? 0, mean.std ?? 1, mean.generator);
    return P.normal_(this, mean, std, options?.generator);
  }

  /**
   * `torch.Tensor.resize_`: gives this tensor a new shape in place. A
   * contiguous tensor whose storage is big enough keeps it (the elements read
   * in order); otherwise the tensor moves to a new storage holding its leading
   * elements, then zeros, and views taken before no longer share it. Refuses a
   * tensor that requires grad, as PyTorch does.
   */
  resize_(...shape: V.ShapeArgList): this {
    const plan = planResize(this, V.shapeArgs('resize_', shape));
    const layout = this as unknown as MutableLayout;
    if (plan.kind === 'restride') {
      layout.shape = Object.freeze(plan.shape);
      layout.strides = Object.freeze(plan.strides);
      return this;
    }
    // Move into the fresh storage, keeping the garbage-collector bookkeeping on the right storage.
    const wasCollectable = this.collectable;
    if (wasCollectable) {
      collector.unregister(this);
      if (this.collectableBytes) noteCollectableBytes(-this.collectableBytes);
      this.collectable = false;
    }
    const old = this.storage;
    plan.fresh.storage.retain();
    layout.storage = plan.fresh.storage;
    layout.shape = Object.freeze([...plan.fresh.shape]);
    layout.strides = Object.freeze([...plan.fresh.strides]);
    layout.offset = plan.fresh.offset;
    old.release();
    plan.fresh.dispose();
    if (wasCollectable) this.makeCollectable();
    return this;
  }
}

/** A method per unary op of the table that PyTorch has on tensors (`x.exp()`, `x.relu()`), documented in the table. */
type UnaryMethods = { [K in keyof Pick<UnaryTable, TensorMethodUnaryOp>]: (options?: UnaryOptions<K>) => Tensor };
/** A method per binary op of the table (`x.mul(y)`, `x.eq(0)`, `x.add(y, { alpha })`). */
type BinaryMethods = {
  [K in keyof BinaryTable]: BinaryTable[K] extends { readonly alpha: true }
    ? (other: TensorLike, options?: AlphaOptions) => Tensor
    : (other: TensorLike) => Tensor;
};

// The table's ops as methods: declared here, installed on the prototype below.
export interface Tensor extends UnaryMethods, BinaryMethods {}

for (const op of UNARY_OP_NAMES) {
  if (!isTensorMethodOp(op)) continue;
  Object.defineProperty(Tensor.prototype, op, {
    value(this: Tensor, options?: UnaryOptions<typeof op>): Tensor {
      return unaryOp(op, this, options);
    },
    writable: true,
    configurable: true,
  });
}
for (const op of BINARY_OP_NAMES) {
  Object.defineProperty(Tensor.prototype, op, {
    value(this: Tensor, other: TensorLike, options?: AlphaOptions): Tensor {
      return binaryOp(op, this, other, options);
    },
    writable: true,
    configurable: true,
  });
}

function itemOf(op: string, t: Tensor, data: TypedArray): number {
  if (t.numel() !== 1) {
    throw new KindlingError(`${op}: a Tensor with ${t.numel()} elements cannot be converted to a scalar (shape [${t.shape.join(',')}])`);
  }
  return Number(data[0]);
}

/** Whether `value` is a Kindling tensor. */
export function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}

printAsRepr(Tensor);
setTensorCheck(isTensor);
setMakeCollectable((t) => t.makeCollectable());
