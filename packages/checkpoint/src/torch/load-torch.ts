import { unzipSync } from 'fflate';
import { numel } from '@kindling/tensor';
import { CheckpointError } from '../errors.js';
import type { HostData, HostStateDict } from '../host-tensor.js';
import { STORAGE_FORMATS, type StorageFormat, decodeElements } from '../storage-format.js';
import { PersistentRef, PickleCall, PickleDict, PickleGlobal, PickleTuple, type PickleValue, describe, unpickle } from './unpickler.js';

/** torch storage classes and the element format of their bytes. */
const STORAGES: Readonly<Record<string, StorageFormat>> = {
  'torch.FloatStorage': 'F32',
  'torch.DoubleStorage': 'F64',
  'torch.HalfStorage': 'F16',
  'torch.BFloat16Storage': 'BF16',
  'torch.LongStorage': 'I64',
  'torch.IntStorage': 'I32',
  'torch.ShortStorage': 'I16',
  'torch.CharStorage': 'I8',
  'torch.ByteStorage': 'U8',
  'torch.BoolStorage': 'BOOL',
};

const ALLOWED = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  ...Object.keys(STORAGES),
]);

/** Plain values found next to the tensors (the seeds' `input_size`, `hidden_layers`...). */
export type TorchExtra = Record<string, number | string | boolean | null | Array<number | string>>;

/** A PyTorch checkpoint read into host tensors. */
export interface TorchCheckpoint {
  /** The state dict, flattened to `name → tensor` in file order. */
  readonly tensors: HostStateDict;
  /** Other top-level keys with plain values, when the file is a dict wrapping a state dict. */
  readonly extra: TorchExtra;
}

interface Storage {
  format: StorageFormat;
  data: HostData;
}

const STATE_DICT_KEYS = ['state_dict', 'model_state_dict', 'model'];

/**
 * Reads a file written by `torch.save` (the zip format of PyTorch ≥ 1.6):
 * a state dict, or a dict holding one under `state_dict`/`model_state_dict`
 * next to plain values, like the seeds' `{'input_size': 784, ...,
 * 'state_dict': model.state_dict()}`. The pickle is read by a restricted
 * unpickler that only knows tensor rebuilding; nothing in the file is ever
 * executed. Strided and offset tensors are copied out contiguously; int64
 * becomes int32 (values checked), f16/bf16 become float32.
 */
export function loadTorchCheckpoint(bytes: Uint8Array, name = 'checkpoint.pth'): TorchCheckpoint {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new CheckpointError(`${name}: not a PyTorch zip checkpoint (${(e as Error).message}); legacy pre-1.6 files are not supported`);
  }
  const pkl = Object.keys(files).find((f) => f.endsWith('/data.pkl'));
  if (!pkl) throw new CheckpointError(`${name}: no data.pkl in the archive; is it a torch.save file?`);
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const byteorder = files[`${prefix}byteorder`];
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== 'little') {
    throw new CheckpointError(`${name}: big-endian checkpoints are not supported`);
  }

  const storages = new Map<string, Storage>();
  const storageFor = (ref: PersistentRef): Storage => {
    const id = ref.id;
    if (!(id instanceof PickleTuple) || id.items[0] !== 'storage' || id.items.length < 5) {
      throw new CheckpointError(`${name}: unsupported persistent id (${describe(id)})`);
    }
    const [, type, key, , count] = id.items;
    if (!(type instanceof PickleGlobal) || !STORAGES[type.name]) throw new CheckpointError(`${name}: unsupported storage type`);
    if (typeof key !== 'string' || typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
      throw new CheckpointError(`${name}: malformed storage reference`);
    }
    const cached = storages.get(key);
    if (cached) return cached;
    const raw = files[`${prefix}data/${key}`];
    if (!raw) throw new CheckpointError(`${name}: storage ${key} is missing from the archive`);
    const format = STORAGES[type.name];
    const expected = count * STORAGE_FORMATS[format].bytes;
    if (raw.byteLength < expected)
      throw new CheckpointError(`${name}: storage ${key} has ${raw.byteLength} bytes, ${count} ${format} elements need ${expected}`);
    const storage = { format, data: decodeElements(raw.subarray(0, expected), format, count, `${name}: storage ${key}`) };
    storages.set(key, storage);
    return storage;
  };

  const root = unpickle(files[pkl], { allowedGlobals: ALLOWED, name });
  const tensors: HostStateDict = {};
  const extra: TorchExtra = {};
  const topLevel = asDict(root, name);
  const nestedKey = STATE_DICT_KEYS.find((k) => topLevel.has(k) && !isTensorCall(topLevel.get(k) ?? null));
  const stateDict = nestedKey ? asDict(topLevel.get(nestedKey) ?? null, `${name}: ${nestedKey}`) : topLevel;
  for (const [key, value] of stateDict) {
    if (!isTensorCall(value)) {
      if (!nestedKey) extra[String(key)] = plain(value, `${name}: ${key}`);
      continue;
    }
    tensors[String(key)] = rebuildTensor(value as PickleCall, storageFor, `${name}: tensor "${key}"`);
  }
  if (nestedKey) {
    for (const [key, value] of topLevel) if (key !== nestedKey) extra[String(key)] = plain(value, `${name}: ${key}`);
  }
  return { tensors, extra };
}

function asDict(v: PickleValue, what: string): Map<string | number, PickleValue> {
  if (v instanceof PickleDict) return v.entries;
  if (v instanceof PickleCall && v.fn.name === 'collections.OrderedDict') {
    return v.args[0] instanceof PickleDict ? v.args[0].entries : new Map();
  }
  throw new CheckpointError(`${what}: expected a dict or OrderedDict of tensors, got ${describe(v)}`);
}

function isTensorCall(v: PickleValue): boolean {
  return v instanceof PickleCall && (v.fn.name === 'torch._utils._rebuild_tensor_v2' || v.fn.name === 'torch._utils._rebuild_parameter');
}

function plain(v: PickleValue, what: string): TorchExtra[string] {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  const items = Array.isArray(v) ? v : v instanceof PickleTuple ? v.items : null;
  if (items?.every((x) => typeof x === 'number' || typeof x === 'string')) return items as Array<number | string>;
  throw new CheckpointError(`${what}: value of type ${describe(v)} is not supported next to a state dict`);
}

function intTuple(v: PickleValue, what: string): number[] {
  if (!(v instanceof PickleTuple) || !v.items.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) {
    throw new CheckpointError(`${what}: expected a tuple of non-negative integers`);
  }
  return v.items as number[];
}

function rebuildTensor(call: PickleCall, storageFor: (ref: PersistentRef) => Storage, what: string) {
  if (call.fn.name === 'torch._utils._rebuild_parameter') {
    const inner = call.args[0];
    if (!(inner instanceof PickleCall) || inner.fn.name !== 'torch._utils._rebuild_tensor_v2')
      throw new CheckpointError(`${what}: malformed Parameter`);
    return rebuildTensor(inner, storageFor, what);
  }
  const [ref, offset, sizeV, strideV] = call.args;
  if (!(ref instanceof PersistentRef)) throw new CheckpointError(`${what}: tensor without storage`);
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw new CheckpointError(`${what}: bad storage offset`);
  const shape = intTuple(sizeV, `${what} size`);
  const stride = intTuple(strideV, `${what} stride`);
  if (stride.length !== shape.length) throw new CheckpointError(`${what}: size and stride have different lengths`);
  const storage = storageFor(ref);
  const n = numel(shape);
  const last = n === 0 ? offset : offset + shape.reduce((s, d, i) => s + (d - 1) * stride[i], 0);
  if (n > 0 && last >= storage.data.length) {
    throw new CheckpointError(
      `${what}: view [${shape.join(', ')}] at offset ${offset} reads beyond its storage of ${storage.data.length} elements`,
    );
  }
  const data = new (storage.data.constructor as new (n: number) => HostData)(n);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += index[d] * stride[d];
    data[i] = storage.data[at];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return { dtype: STORAGE_FORMATS[storage.format].dtype, shape, data };
}
