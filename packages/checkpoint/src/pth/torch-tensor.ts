import { CheckpointError } from '../errors.js';
import type { HostData, HostTensor } from '../host-tensor.js';
import { STORAGE_FORMATS, type StorageFormat, decodeElements } from '../storage-format.js';
import { PickleGlobal, PickleObject, PickleTuple, type PickleValue, describePickle } from './pickle.js';

/** torch's legacy storage classes, which name a storage's element type in the pickle. */
export const TORCH_STORAGE_TYPES: ReadonlyMap<string, StorageFormat> = new Map<string, StorageFormat>([
  ['torch.FloatStorage', 'F32'],
  ['torch.DoubleStorage', 'F64'],
  ['torch.HalfStorage', 'F16'],
  ['torch.BFloat16Storage', 'BF16'],
  ['torch.LongStorage', 'I64'],
  ['torch.IntStorage', 'I32'],
  ['torch.ShortStorage', 'I16'],
  ['torch.CharStorage', 'I8'],
  ['torch.ByteStorage', 'U8'],
  ['torch.BoolStorage', 'BOOL'],
]);

/**
 * One `data/<key>` record, its length already checked against the element
 * count the pickle declares. Decoding waits for the first tensor that is
 * returned, so storages behind skipped values (an optimizer's state) cost
 * nothing, and a storage shared by several tensors is decoded once.
 */
export class TorchStorage extends PickleObject {
  readonly typeName = 'storage';
  private decoded: HostData | undefined;

  constructor(
    readonly format: StorageFormat,
    readonly numel: number,
    private readonly bytes: Uint8Array,
    /** Error-message name, e.g. `mlp.pth: storage data/0`. */
    readonly what: string,
  ) {
    super();
    const expected = numel * STORAGE_FORMATS[format].bytes;
    if (bytes.byteLength !== expected) {
      throw new CheckpointError(`${what}: ${numel} ${format} elements need ${expected} bytes, the record has ${bytes.byteLength}`);
    }
  }

  data(): HostData {
    this.decoded ??= decodeElements(this.bytes, this.format, this.numel, this.what);
    return this.decoded;
  }
}

/** The most elements one tensor may have: Kindling's tensors are indexed by int32. */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/**
 * A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage,
 * validated to lie inside it. Its values are copied out only by
 * {@link TorchTensor.toHost}.
 */
export class TorchTensor extends PickleObject {
  readonly typeName = 'tensor';

  constructor(
    readonly storage: TorchStorage,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
    readonly numel: number,
  ) {
    super();
  }

  /** The values, contiguous and row-major, in the Kindling dtype of the storage's format. */
  toHost(): HostTensor {
    const source = this.storage.data();
    const data = allocateLike(source, this.numel);
    if (this.numel > 0) copyStrided(source, data, this.offset, this.shape, this.stride);
    return { dtype: STORAGE_FORMATS[this.storage.format].dtype, shape: [...this.shape], data };
  }
}

/**
 * `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride,
 * requires_grad, backward_hooks[, metadata])`. Only the first four matter for
 * values; gradients and hooks do not survive into a state dict load.
 */
export function rebuildTensorV2(args: readonly PickleValue[], what: string): TorchTensor {
  if (args.length < 4 || args.length > 7)
    throw new CheckpointError(`${what}: _rebuild_tensor_v2 takes 4 to 7 arguments, got ${args.length}`);
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof TorchStorage)) throw new CheckpointError(`${what}: tensor storage is a ${describePickle(storage)}`);
  const start = count(offset, `${what}: storage offset`);
  const shape = counts(size, `${what}: size`);
  const strides = counts(stride, `${what}: stride`);
  if (strides.length !== shape.length) {
    throw new CheckpointError(`${what}: size has ${shape.length} dimensions but stride has ${strides.length}`);
  }
  let numel = shape.includes(0) ? 0 : 1;
  for (let d = 0; d < shape.length && numel > 0; d++) {
    numel *= shape[d];
    if (numel > MAX_TENSOR_ELEMENTS)
      throw new CheckpointError(`${what}: size (${shape.join(', ')}) exceeds ${MAX_TENSOR_ELEMENTS} elements`);
  }
  if (numel > 0) {
    // Strides are non-negative (torch has no negative strides), so the farthest element is this one.
    let last = start;
    for (let d = 0; d < shape.length; d++) last += (shape[d] - 1) * strides[d];
    if (last >= storage.numel) {
      throw new CheckpointError(
        `${what}: a view of size (${shape.join(', ')}), stride (${strides.join(', ')}) at offset ${start} reaches element ${last} of a storage of ${storage.numel}`,
      );
    }
  }
  return new TorchTensor(storage, start, shape, strides, numel);
}

/** `torch._utils._rebuild_parameter(data, requires_grad, backward_hooks)`: an `nn.Parameter` is its tensor here. */
export function rebuildParameter(args: readonly PickleValue[], what: string): TorchTensor {
  const [data] = args;
  if (args.length !== 3 || !(data instanceof TorchTensor)) {
    throw new CheckpointError(`${what}: _rebuild_parameter expects (tensor, requires_grad, hooks), got ${args.length} arguments`);
  }
  return data;
}

/**
 * Checks torch's persistent id of a storage, `('storage', StorageType, key,
 * location, numel)`, and returns its type's format, key and element count.
 * The location (`cpu`, `cuda:0`) does not matter: the bytes are the same.
 */
export function parseStorageId(pid: PickleValue, what: string): { format: StorageFormat; key: string; numel: number } {
  if (!(pid instanceof PickleTuple) || pid.items.length !== 5 || pid.items[0] !== 'storage') {
    throw new CheckpointError(
      `${what}: unsupported persistent id (a ${describePickle(pid)}, expected ('storage', type, key, location, numel))`,
    );
  }
  const [, type, key, location, numel] = pid.items;
  const format = type instanceof PickleGlobal ? TORCH_STORAGE_TYPES.get(type.name) : undefined;
  if (!format) throw new CheckpointError(`${what}: persistent id names ${describePickle(type)}, not a torch storage type`);
  if (typeof key !== 'string' || typeof location !== 'string')
    throw new CheckpointError(`${what}: storage key and location must be strings`);
  return { format, key, numel: count(numel, `${what}: storage ${key} element count`) };
}

function count(v: PickleValue, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new CheckpointError(`${what} must be a non-negative integer, got ${typeof v === 'number' ? v : describePickle(v)}`);
  }
  return v;
}

function counts(v: PickleValue, what: string): number[] {
  if (!(v instanceof PickleTuple)) throw new CheckpointError(`${what} must be a tuple, got a ${describePickle(v)}`);
  return v.items.map((item) => count(item, what));
}

function allocateLike(source: HostData, n: number): HostData {
  if (source instanceof Float32Array) return new Float32Array(n);
  if (source instanceof Float64Array) return new Float64Array(n);
  if (source instanceof Int32Array) return new Int32Array(n);
  return new Uint8Array(n);
}

/** Gathers a strided view into `out` in row-major order: the last dimension in a tight loop, an odometer over the rest. */
function copyStrided(src: HostData, out: HostData, offset: number, shape: readonly number[], stride: readonly number[]): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = src[offset];
    return;
  }
  const inner = shape[rank - 1];
  const innerStride = stride[rank - 1];
  const index = new Array<number>(rank - 1).fill(0);
  let base = offset;
  let o = 0;
  while (o < out.length) {
    for (let i = 0; i < inner; i++) out[o++] = src[base + i * innerStride];
    for (let d = rank - 2; d >= 0; d--) {
      base += stride[d];
      if (++index[d] < shape[d]) break;
      base -= shape[d] * stride[d];
      index[d] = 0;
    }
  }
}
