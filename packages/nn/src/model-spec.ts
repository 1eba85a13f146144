import { KindlingError } from '@kindling/tensor';
import { Sequential } from './sequential.js';
import type { Module } from './module.js';
import { type JsonValue, MAX_FEATURES, int, invalid, list, num } from './model-spec/checks.js';
import type { LayerState } from './model-spec/kind.js';
import { LAYER_KINDS, type LayerKind } from './model-spec/layers.js';
import { MLP_SPEC_METADATA_KEY, type MlpSpec, mlpSpecProblem, normalizeMlpSpec, readSpecJson } from './mlp-spec.js';

export type { JsonValue } from './model-spec/checks.js';

/*
 * A model description that any `Sequential` of supported layers can write and
 * be rebuilt from: checkpoints carry it as metadata, so a file alone is
 * enough to load a model. It comes from files, so it is read as untrusted:
 * known layer types only, every number bounded, and the parameter count
 * computed from the arguments and refused when too large before anything is
 * allocated.
 */

/** One layer: its PyTorch class name and its constructor's arguments (`new Conv2d(1, 32, 3, { stride: 2 })`). */
export interface LayerSpec {
  type: string;
  /** Positional arguments, in the constructor's order; trailing ones with defaults may be left out. */
  args?: JsonValue[];
  /** The constructor's options object; defaults may be left out. */
  options?: Record<string, JsonValue>;
  /** The layer's key in a `Sequential` built from named layers (PyTorch's `OrderedDict` form); absent for `0`, `1`, ... */
  name?: string;
}

/** A `Sequential` of layers, with what the application knows about its data. */
export interface ModelSpec {
  type: 'sequential';
  layers: LayerSpec[];
  /** Dataset it was trained on (`mnist`, `fashion-mnist`, `cifar10`...). */
  dataset?: string;
  /** Class names by label. */
  classes?: string[];
  /** Shape of one example, without the batch dim (`[1, 28, 28]`). */
  inputShape?: number[];
  /**
   * The `Normalize` the model was trained behind, per channel: inputs in
   * [0, 1] become `(x - mean[c]) / std[c]`. Applications preparing their own
   * inputs (a drawn digit, a PNG) must do the same.
   */
  normalize?: { mean: number[]; std: number[] };
}

/** Metadata key holding the description as JSON (the same key MLP specs used). */
export const MODEL_SPEC_METADATA_KEY = MLP_SPEC_METADATA_KEY;
/** Most parameter and buffer elements a description may ask for (2^28: 1 GiB of float32). */
export const MAX_MODEL_ELEMENTS = 2 ** 28;
/** Most layers a description may list. */
export const MAX_MODEL_LAYERS = 1024;

const has = (o: object, key: string): boolean => Object.hasOwn(o, key);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const NAME = /^[A-Za-z0-9_]{1,64}$/;

/** @internal A description's layers, checked, with their state shapes. */
export interface CheckedLayer {
  spec: LayerSpec;
  kind: LayerKind;
  args: JsonValue[];
  options: Record<string, JsonValue>;
  /** Parameter and buffer shapes by the layer's own state-dict keys. */
  state: LayerState;
}

const numel = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);
const elementsOf = (shapes: Record<string, number[]>): number => Object.values(shapes).reduce((n, s) => n + numel(s), 0);

function checkLayer(value: unknown, where: string): CheckedLayer {
  if (!isRecord(value)) throw invalid(where, 'an object like {"type": "Conv2d", "args": [1, 32, 3]}', value);
  for (const key of Object.keys(value)) {
    if (!['type', 'args', 'options', 'name'].includes(key)) throw new KindlingError(`${where}: unknown field "${key}"`);
  }
  const type = value.type;
  if (typeof type !== 'string' || !has(LAYER_KINDS, type)) {
    throw invalid(`${where} type`, `one of ${Object.keys(LAYER_KINDS).join(', ')}`, type);
  }
  const kind = LAYER_KINDS[type];
  const at = `${where} (${type})`;
  const rawArgs = value.args ?? [];
  if (!Array.isArray(rawArgs) || rawArgs.length > kind.args.length) {
    throw invalid(`${at} args`, `a list of at most ${kind.args.length} arguments (${kind.args.map((a) => a.name).join(', ')})`, rawArgs);
  }
  const args = kind.args.map((arg, i) => {
    if (i < rawArgs.length) return arg.check(rawArgs[i], `${at} ${arg.name}`);
    if (arg.default === undefined) throw new KindlingError(`${at}: missing argument ${arg.name}`);
    return arg.default;
  });
  const rawOptions = value.options ?? {};
  if (!isRecord(rawOptions)) throw invalid(`${at} options`, 'an object', rawOptions);
  const options: Record<string, JsonValue> = {};
  for (const [key, v] of Object.entries(rawOptions)) {
    if (!has(kind.options, key)) {
      const known = Object.keys(kind.options);
      throw new KindlingError(`${at}: unknown option "${key}"${known.length ? ` (known: ${known.join(', ')})` : ''}`);
    }
    options[key] = kind.options[key].check(v, `${at} ${key}`);
  }
  const spec: LayerSpec = { type };
  if (rawArgs.length) spec.args = args.slice(0, rawArgs.length);
  if (Object.keys(options).length) spec.options = options;
  if (value.name !== undefined) {
    if (typeof value.name !== 'string' || !NAME.test(value.name))
      throw invalid(`${at} name`, 'a name of letters, digits and _', value.name);
    spec.name = value.name;
  }
  let state: LayerState = { parameters: {}, buffers: {} };
  try {
    state = kind.state?.(args, options) ?? state;
  } catch (e) {
    throw e instanceof KindlingError ? new KindlingError(`${where}: ${type}: ${e.message}`) : e;
  }
  return { spec, kind, args, options, state };
}

function checkExtras(value: Record<string, unknown>, source: string, out: ModelSpec): void {
  if (value.dataset !== undefined) {
    if (typeof value.dataset !== 'string' || value.dataset.length > 200) throw invalid(`${source}: dataset`, 'a string', value.dataset);
    out.dataset = value.dataset;
  }
  if (value.classes !== undefined) {
    const ok = Array.isArray(value.classes) && value.classes.length <= 100_000 && value.classes.every((c) => typeof c === 'string');
    if (!ok) throw invalid(`${source}: classes`, 'a list of strings', value.classes);
    out.classes = [...(value.classes as string[])];
  }
  if (value.inputShape !== undefined) out.inputShape = list(int(1, MAX_FEATURES), 8)(value.inputShape, `${source}: inputShape`) as number[];
  if (value.normalize !== undefined) out.normalize = checkNormalize(value.normalize, `${source}: normalize`);
}

function checkNormalize(value: unknown, what: string): { mean: number[]; std: number[] } {
  if (!isRecord(value)) throw invalid(what, 'an object like {"mean": [0.5], "std": [0.5]}', value);
  const mean = list(num(-1e6, 1e6), 64)(value.mean, `${what} mean`) as number[];
  const std = list(num(1e-12, 1e6), 64)(value.std, `${what} std`) as number[];
  if (mean.length !== std.length) throw invalid(`${what} std`, `${mean.length} entries, one per mean`, std);
  return { mean, std };
}

/** @internal Checks a description (see {@link parseModelSpec}) and returns its layers too. */
export function checkSpec(value: unknown, source: string): { spec: ModelSpec; layers: CheckedLayer[] } {
  if (isRecord(value) && value.type === 'mlp') {
    const mlp = normalizeMlpSpec(value);
    if (!mlp) throw new KindlingError(`${source}: does not describe an MLP: ${mlpSpecProblem(value)}`);
    return checkSpec(mlpToModelSpec(mlp), source);
  }
  if (!isRecord(value) || value.type !== 'sequential') {
    throw invalid(`${source}: type`, "'sequential' (or 'mlp')", isRecord(value) ? value.type : value);
  }
  if (!Array.isArray(value.layers) || value.layers.length > MAX_MODEL_LAYERS) {
    throw invalid(`${source}: layers`, `a list of at most ${MAX_MODEL_LAYERS} layers`, value.layers);
  }
  const layers = value.layers.map((l, i) => checkLayer(l, `${source}: layers[${i}]`));
  const named = layers.filter((l) => l.spec.name !== undefined).length;
  if (named !== 0 && named !== layers.length) throw new KindlingError(`${source}: either every layer has a name or none has`);
  const names = new Set(layers.map((l) => l.spec.name));
  if (named && names.size !== layers.length) throw new KindlingError(`${source}: layer names must be unique`);
  let elements = 0;
  for (const l of layers) elements += elementsOf(l.state.parameters) + elementsOf(l.state.buffers);
  if (elements > MAX_MODEL_ELEMENTS) {
    throw new KindlingError(
      `${source}: the layers would allocate ${elements} parameter and buffer elements, more than the limit of ${MAX_MODEL_ELEMENTS} (2^28)`,
    );
  }
  const spec: ModelSpec = { type: 'sequential', layers: layers.map((l) => l.spec) };
  checkExtras(value, source, spec);
  return { spec, layers };
}

/**
 * Checks an untrusted description (parsed JSON) and returns it normalised:
 * an old `{type: 'mlp', ...}` spec becomes its list of layers. Throws a
 * one-line `KindlingError` naming `source`, the layer and the argument.
 */
export function parseModelSpec(value: unknown, source = 'model spec'): ModelSpec {
  return checkSpec(value, source).spec;
}

/**
 * The learnable parameter count of a description, from its arguments alone
 * (nothing is built): `mnist-cnn` has 1,199,882.
 */
export function modelSpecParameterCount(spec: ModelSpec): number {
  let n = 0;
  for (const l of checkSpec(spec, 'model spec').layers) n += elementsOf(l.state.parameters);
  return n;
}

/**
 * Builds the `Sequential` a description names (validated first, see
 * {@link parseModelSpec}), with freshly initialised weights: load a state
 * dict into it.
 */
export function buildModel(spec: unknown, source = 'model spec'): Sequential {
  const { layers } = checkSpec(spec, source);
  const modules = layers.map((l, i) => {
    try {
      return l.kind.build(l.args, l.options);
    } catch (e) {
      throw e instanceof KindlingError ? new KindlingError(`${source}: layers[${i}]: ${e.message}`) : e;
    }
  });
  if (layers.length && layers[0].spec.name !== undefined) {
    return new Sequential(Object.fromEntries(layers.map((l, i) => [l.spec.name as string, modules[i]])));
  }
  return new Sequential(...modules);
}

function describeLayer(key: string, layer: Module): LayerSpec {
  const type = Object.keys(LAYER_KINDS).find((t) => layer.constructor === LAYER_KINDS[t].cls);
  if (type === undefined) {
    throw new KindlingError(
      `modelSpecOf: layer ${key} (${layer.constructor.name}) cannot be described; supported: ${Object.keys(LAYER_KINDS).join(', ')}`,
    );
  }
  const kind = LAYER_KINDS[type];
  const [args, options] = kind.describe(layer);
  // Positional arguments are written out, defaults too (`Dropout(0.5)` reads better than `Dropout()`); options only when changed.
  const changed = Object.entries(options).filter(([k, v]) => !same(v, kind.options[k].default));
  const spec: LayerSpec = { type };
  if (args.length) spec.args = args;
  if (changed.length) spec.options = Object.fromEntries(changed);
  return spec;
}

/**
 * Describes a `Sequential` of supported layers (exactly those classes, not
 * subclasses, whose `forward` may differ), so {@link buildModel} rebuilds it
 * with the same state-dict keys. `info` adds the dataset, class names and
 * input shape.
 */
export function modelSpecOf(model: Sequential, info: Omit<ModelSpec, 'type' | 'layers'> = {}): ModelSpec {
  if (!(model instanceof Sequential)) throw new KindlingError(`modelSpecOf: expected a Sequential, got ${String(model)}`);
  const children = [...model.namedChildren()];
  const numbered = children.every(([key], i) => key === String(i));
  const layers = children.map(([key, layer]) => {
    const spec = describeLayer(key, layer);
    return numbered ? spec : { ...spec, name: key };
  });
  return parseModelSpec({ type: 'sequential', layers, ...info }, 'modelSpecOf');
}

/** The layers `buildMlp` builds for an old MLP spec, so old checkpoints load with the same keys. */
export function mlpToModelSpec(spec: MlpSpec): ModelSpec {
  const layers: LayerSpec[] = [];
  let width = spec.inputSize;
  for (const h of spec.hidden) {
    layers.push({ type: 'Linear', args: [width, h] }, { type: 'ReLU' });
    if (spec.dropout > 0) layers.push({ type: 'Dropout', args: [spec.dropout] });
    width = h;
  }
  layers.push({ type: 'Linear', args: [width, spec.outputSize] });
  if (spec.logSoftmax) layers.push({ type: 'LogSoftmax', args: [1] });
  return { type: 'sequential', layers, dataset: spec.dataset, classes: spec.classes, inputShape: [spec.inputSize] };
}

/** Checkpoint metadata holding a description (string keys and values, as safetensors metadata is). */
export function modelSpecMetadata(spec: ModelSpec): Record<string, string> {
  return { [MODEL_SPEC_METADATA_KEY]: JSON.stringify(parseModelSpec(spec)) };
}

/**
 * Reads a description back from checkpoint metadata, old MLP specs
 * included (converted to their layers). A missing, non-JSON or invalid
 * entry throws a `KindlingError` naming `file`.
 */
export function modelSpecFromMetadata(metadata: Readonly<Record<string, string>>, file: string): ModelSpec {
  return parseModelSpec(readSpecJson(metadata, file), `${file}: "${MODEL_SPEC_METADATA_KEY}"`);
}
