import { CheckpointError } from '../errors.js';
import type { HostStateDict } from '../host-tensor.js';
import { readTorchArchive } from './archive.js';
import { type PickleCallable, PickleDict, PickleTuple, type PickleValue, describePickle, unpickle } from './pickle.js';
import { TORCH_STORAGE_TYPES, TorchStorage, TorchTensor, parseStorageId, rebuildParameter, rebuildTensorV2 } from './torch-tensor.js';

/** A plain value found next to the tensors: what JSON-like Python scalars and number lists become. */
export type PthExtraValue = number | string | boolean | null | number[];

/** A `.pth` file read into host memory by {@link loadPth}. */
export interface PthCheckpoint {
  /** The state dict: name → tensor in file order, contiguous row-major, in Kindling dtypes. */
  readonly tensors: HostStateDict;
  /**
   * Plain values beside the state dict: the other keys of a wrapping dict
   * (the seeds' `input_size`, `output_size`, `hidden_layers`), or non-tensor
   * entries of a bare one. Ints and floats both become numbers; tuples of
   * numbers become arrays.
   */
  readonly extra: Readonly<Record<string, PthExtraValue>>;
  /**
   * Keys whose values are neither a tensor of the state dict nor plain, such
   * as `optimizer_state_dict`, or a tensor beside a wrapped state dict, listed
   * so nothing is dropped silently. Entries of the state dict are named
   * `state_dict.<key>`.
   */
  readonly skipped: readonly string[];
}

/** Keys under which training scripts commonly wrap a model's state dict. */
const STATE_DICT_KEYS = ['state_dict', 'model_state_dict'];

// Views are copied out one by one, so the tensors returned can hold more
// elements than the storages (tied weights, expand()ed buffers). That much is
// allowed; a tiny file whose views over one storage would demand gigabytes is not.
const MAX_EXPANSION = 4;
const EXPANSION_SLACK = 2 ** 24;

/**
 * Reads a file written by `torch.save(model.state_dict(), path)` (PyTorch's
 * zip format, 1.6 and later), or by `torch.save({..., 'state_dict': sd})`
 * (also `model_state_dict`), as the seeds do.
 *
 * The pickle is read by a restricted machine that knows only
 * `collections.OrderedDict`, torch's storage types, `_rebuild_tensor_v2` and
 * `_rebuild_parameter`: nothing in the file runs, and any other global (a
 * pickled model class, `os.system`) is refused. Strided and offset views are
 * copied out contiguously; int64/int16/int8 become int32 (values checked),
 * bfloat16 becomes float32; float16 stays float16.
 *
 * @param name names the file in error messages.
 * @throws CheckpointError for anything malformed, hostile or unsupported.
 */
export function loadPth(bytes: Uint8Array, name = 'checkpoint'): PthCheckpoint {
  const archive = readTorchArchive(bytes, name);
  const where = `${name}: ${archive.pickleName}`;
  const storages = new Map<string, TorchStorage>();

  const persistentLoad = (pid: PickleValue): TorchStorage => {
    const { format, key, numel } = parseStorageId(pid, where);
    const seen = storages.get(key);
    if (seen) {
      if (seen.format !== format || seen.numel !== numel) {
        throw new CheckpointError(
          `${where}: storage ${key} is referenced as ${seen.numel} ${seen.format} and as ${numel} ${format} elements`,
        );
      }
      return seen;
    }
    const raw = archive.storage(key);
    if (!raw) throw new CheckpointError(`${name}: storage record data/${key} is missing from the archive`);
    const storage = new TorchStorage(format, numel, raw, `${name}: storage data/${key}`);
    storages.set(key, storage);
    return storage;
  };
  const globals = new Map<string, PickleCallable | null>([
    ['torch._utils._rebuild_tensor_v2', (args) => rebuildTensorV2(args, where)],
    ['torch._utils._rebuild_parameter', (args) => rebuildParameter(args, where)],
  ]);
  for (const storageType of TORCH_STORAGE_TYPES.keys()) globals.set(storageType, null);

  const root = unpickle(archive.pickle, { name: where, globals, persistentLoad });
  if (!(root instanceof PickleDict)) {
    throw new CheckpointError(`${name}: expected a state_dict (a dict of tensors), found a ${describePickle(root)}`);
  }

  const wrapperKey = STATE_DICT_KEYS.find((k) => root.entries.get(k) instanceof PickleDict);
  const stateDict = wrapperKey ? (root.entries.get(wrapperKey) as PickleDict) : root;
  const tensors: [string, TorchTensor][] = [];
  const extra: [string, PthExtraValue][] = [];
  const skipped: string[] = [];
  for (const [key, value] of stateDict.entries) {
    const plainValue = wrapperKey ? undefined : plain(value);
    if (value instanceof TorchTensor && typeof key === 'string') tensors.push([key, value]);
    else if (plainValue !== undefined) extra.push([String(key), plainValue]);
    else skipped.push(wrapperKey ? `${wrapperKey}.${String(key)}` : String(key));
  }
  if (wrapperKey) {
    for (const [key, value] of root.entries) {
      if (key === wrapperKey) continue;
      const plainValue = plain(value);
      if (plainValue !== undefined) extra.push([String(key), plainValue]);
      else skipped.push(String(key));
    }
  }

  let budget = EXPANSION_SLACK;
  for (const s of storages.values()) budget += MAX_EXPANSION * s.numel;
  let total = 0;
  for (const [key, t] of tensors) {
    total += t.numel;
    if (total > budget) {
      throw new CheckpointError(
        `${name}: tensor "${key}" and those before it expand to over ${budget} elements, far more than the file stores`,
      );
    }
  }

  // fromEntries defines own properties, so a key like "__proto__" stays a key.
  return {
    tensors: Object.fromEntries(tensors.map(([key, t]) => [key, t.toHost()])),
    extra: Object.fromEntries(extra),
    skipped,
  };
}

/** The value as a {@link PthExtraValue}, or undefined when it is something else. */
function plain(v: PickleValue): PthExtraValue | undefined {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  const items = Array.isArray(v) ? v : v instanceof PickleTuple ? v.items : undefined;
  if (items?.every((x): x is number => typeof x === 'number')) return [...items];
  return undefined;
}
