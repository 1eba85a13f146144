import { Tensor } from '@kindling/tensor';
import { CheckpointError } from './errors.js';
import type { HostStateDict } from './host-tensor.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { type LoadOptions, fromHostStateDict, toHostTensor } from './state-dict.js';
import type { JsonValue } from './training-state.js';

/**
 * What `decodeObject` (and Node's `load`) give back: tensors, JSON values,
 * arrays and plain objects of them, the shapes `encodeObject` accepts.
 */
export type SavedValue = Tensor | string | number | boolean | null | SavedValue[] | { [key: string]: SavedValue };

/** Metadata key holding the object's JSON part and where its tensors go. */
export const OBJECT_METADATA_KEY = 'kindling.object';
const OBJECT_FORMAT = 1;

/** One step into the object: a property name or an array index. */
type Segment = string | number;

/**
 * The `kindling.object` metadata entry: the object as JSON with `null` where
 * each tensor was, and for each safetensors key the path that tensor goes
 * back to. Paths are stored as segments because the dotted keys are
 * ambiguous (`state_dict` holds keys such as `fc1.weight`).
 */
interface StoredObject {
  format: number;
  value: JsonValue;
  tensors: Record<string, Segment[]>;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `obj.state_dict["fc1.weight"]`, `obj.hidden_layers[1]`: how errors name a place in the object. */
function formatPath(path: readonly Segment[]): string {
  let out = 'obj';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : IDENTIFIER.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  return out;
}

function kindOf(value: object): string {
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name ? `a ${name}` : 'an object';
}

/** Splits `value` into a JSON skeleton and its tensors, refusing what would not come back the same. */
class Splitter {
  readonly tensors = new Map<string, { tensor: Tensor; path: Segment[] }>();
  private readonly ancestors: object[] = [];
  private readonly ancestorPaths: Segment[][] = [];

  walk(value: unknown, path: Segment[]): JsonValue {
    const fail = (got: string, expected: string): never => {
      throw new CheckpointError(`encodeObject: ${formatPath(path)} is ${got}, expected ${expected}`);
    };
    if (value instanceof Tensor) return this.addTensor(value, path);
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      return Number.isFinite(value) ? value : fail(String(value), 'a finite number (JSON has no NaN or Infinity; store it as a tensor)');
    }
    if (value === undefined) return fail('undefined', 'a value JSON keeps (use null, or leave the key out)');
    if (typeof value === 'bigint' || typeof value === 'symbol') return fail(`a ${typeof value}`, 'a number, string, boolean or null');
    const object = value as object;
    if (typeof (object as { stateDict?: unknown }).stateDict === 'function') {
      return fail(`${kindOf(object)} (it has stateDict())`, 'tensors and JSON values: save its stateDict(), e.g. model.stateDict()');
    }
    if (typeof value === 'function') return fail('a function', 'tensors and JSON values (functions cannot be saved)');
    const seen = this.ancestors.indexOf(object);
    if (seen >= 0) return fail(`${formatPath(this.ancestorPaths[seen] as Segment[])} again (a cycle)`, 'a tree of values');
    const proto = Object.getPrototypeOf(object);
    const isArray = Array.isArray(object);
    if (!isArray && proto !== Object.prototype && proto !== null) {
      const hint = ArrayBuffer.isView(object) ? ' (wrap typed arrays with tensor(...))' : '';
      return fail(kindOf(object), `a tensor, a JSON value, an array or a plain object${hint}`);
    }
    this.ancestors.push(object);
    this.ancestorPaths.push(path);
    try {
      if (isArray) {
        const array = object as unknown[];
        return Array.from({ length: array.length }, (_, i) => {
          if (!(i in array)) throw new CheckpointError(`encodeObject: ${formatPath([...path, i])} is a hole, expected a value`);
          return this.walk(array[i], [...path, i]);
        });
      }
      const out: Record<string, JsonValue> = {};
      for (const key of Object.keys(object)) {
        // defineProperty: a key named __proto__ must stay data, not set the prototype.
        Object.defineProperty(out, key, {
          value: this.walk((object as Record<string, unknown>)[key], [...path, key]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    } finally {
      this.ancestors.pop();
      this.ancestorPaths.pop();
    }
  }

  private addTensor(tensor: Tensor, path: Segment[]): null {
    const key = path.join('.');
    const other = this.tensors.get(key);
    if (other) {
      throw new CheckpointError(
        `encodeObject: ${formatPath(path)} and ${formatPath(other.path)} both give the safetensors key "${key}", expected one tensor per key (rename one)`,
      );
    }
    if (key === '__metadata__') throw new CheckpointError(`encodeObject: ${formatPath(path)} gives the reserved key "__metadata__"`);
    this.tensors.set(key, { tensor, path });
    return null;
  }
}

/**
 * `torch.save` of a checkpoint dict, as bytes: tensors anywhere in `obj` (a
 * state dict's, say) become safetensors entries under their dotted paths
 * (`state_dict.fc1.weight`), and everything else is kept as JSON in the
 * file's metadata, so `decodeObject` rebuilds the same object. The file
 * stays a plain safetensors file: `safetensors.torch.load_file` reads the
 * tensors, and the JSON is `metadata["kindling.object"]`.
 *
 * Accepted: tensors, strings, finite numbers, booleans, null, arrays and
 * plain objects of them. Anything else (a module, a function, NaN, undefined,
 * a class instance, a cycle) throws a `CheckpointError` naming where it is.
 *
 * ```ts
 * const bytes = await encodeObject({ input_size: 784, output_size: 10, hidden_layers: [512, 256], state_dict: model.stateDict() });
 * ```
 */
export async function encodeObject(obj: unknown): Promise<Uint8Array> {
  const splitter = new Splitter();
  const value = splitter.walk(obj, []);
  const host: HostStateDict = Object.create(null);
  const paths: Record<string, Segment[]> = Object.create(null);
  for (const [key, { tensor, path }] of splitter.tensors) {
    host[key] = await toHostTensor(tensor);
    paths[key] = path;
  }
  const stored: StoredObject = { format: OBJECT_FORMAT, value, tensors: paths };
  return encodeSafetensors(host, { [OBJECT_METADATA_KEY]: JSON.stringify(stored) });
}

function parseStored(json: string, name: string): StoredObject {
  let stored: unknown;
  try {
    stored = JSON.parse(json);
  } catch (e) {
    throw new CheckpointError(`${name}: ${OBJECT_METADATA_KEY} metadata is not valid JSON (${(e as Error).message})`);
  }
  const s = stored as Partial<StoredObject> | null;
  if (s === null || typeof s !== 'object' || !('value' in s) || s.tensors === null || typeof s.tensors !== 'object') {
    throw new CheckpointError(
      `${name}: ${OBJECT_METADATA_KEY} metadata is ${JSON.stringify(stored)?.slice(0, 60)}, expected { format, value, tensors }`,
    );
  }
  if (s.format !== OBJECT_FORMAT) {
    throw new CheckpointError(`${name}: object checkpoint format ${String(s.format)} is not supported, expected ${OBJECT_FORMAT}`);
  }
  return s as StoredObject;
}

/** Puts `tensor` at `path` inside `root`, checking the path against the saved structure; returns the new root. */
function place(root: SavedValue, path: readonly unknown[], tensor: Tensor, key: string, name: string): SavedValue {
  if (!Array.isArray(path)) throw new CheckpointError(`${name}: tensor "${key}" has path ${JSON.stringify(path)}, expected an array`);
  if (path.length === 0) return tensor;
  let parent: unknown = root;
  path.forEach((segment, i) => {
    const isLast = i === path.length - 1;
    const fits = Array.isArray(parent)
      ? Number.isInteger(segment) && (segment as number) >= 0 && (segment as number) < parent.length
      : parent !== null &&
        typeof parent === 'object' &&
        !(parent instanceof Tensor) &&
        typeof segment === 'string' &&
        Object.hasOwn(parent, segment);
    if (!fits) throw new CheckpointError(`${name}: tensor "${key}" has path ${JSON.stringify(path)}, which is not in the saved object`);
    const container = parent as Record<string | number, unknown>;
    if (isLast)
      Object.defineProperty(container, segment as string | number, { value: tensor, enumerable: true, writable: true, configurable: true });
    else parent = container[segment as string | number];
  });
  return root;
}

/**
 * `torch.load` of what `encodeObject` wrote: the same object, with its
 * tensors on `options.device` (default: the default device, the CPU). A plain
 * safetensors file (a state dict) loads as its name → tensor map, as
 * `torch.load` gives back a saved state dict. `T` names the object's type
 * (the file is not checked against it):
 *
 * ```ts
 * const checkpoint = decodeObject<{ input_size: number; state_dict: Record<string, Tensor> }>(bytes);
 * ```
 */
export function decodeObject<T = SavedValue>(bytes: Uint8Array, options: LoadOptions = {}): T {
  const name = options.name ?? 'checkpoint';
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  const loaded = fromHostStateDict(tensors, options);
  const json = metadata[OBJECT_METADATA_KEY];
  if (json === undefined) return loaded as T;
  const stored = parseStored(json, name);
  let root = stored.value as SavedValue;
  for (const [key, path] of Object.entries(stored.tensors)) {
    const tensor = Object.hasOwn(loaded, key) ? loaded[key] : undefined;
    if (!tensor) throw new CheckpointError(`${name}: the object refers to tensor "${key}", which the file does not have`);
    root = place(root, path, tensor, key, name);
  }
  for (const key of Object.keys(loaded)) {
    if (!Object.hasOwn(stored.tensors, key)) throw new CheckpointError(`${name}: tensor "${key}" has no place in the saved object`);
  }
  return root as T;
}
